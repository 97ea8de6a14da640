/* The admin's row editors (tags, attributes): "Add a row" appends an empty copy of the last row. */
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest(".catalog-add-row");
  if (!button) return;
  const rows = button.closest(".catalog-rows").querySelectorAll(".catalog-row");
  const copy = rows[rows.length - 1].cloneNode(true);
  for (const input of copy.querySelectorAll("input")) input.value = "";
  button.before(copy);
  copy.querySelector("input").focus();
});
