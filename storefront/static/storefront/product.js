/* The product page: one product from the query API, with its variants, details and stock. */
"use strict";

(() => {
  const S = window.Storefront;
  const api = S.readJsonScript("storefront-api");
  const status = document.getElementById("product-status");
  const article = document.getElementById("product");
  const searchPage = document.querySelector(".site-name").getAttribute("href");

  const searchLink = (name, value, text) => {
    const link = document.createElement("a");
    link.href = `${searchPage}?${new URLSearchParams({ [name]: value })}`;
    link.textContent = text;
    return link;
  };

  function render(product) {
    document.title = product.name;
    const part = (selector) => article.querySelector(selector);
    const path = product.category.path;
    part(".breadcrumbs").replaceChildren(
      ...path.slice(0, -1).flatMap((name) => [name, " › "]),
      searchLink("category", product.category.slug, product.category.name),
    );
    part(".product-name").textContent = product.name;
    part(".product-brand").replaceChildren(...(product.brand ? ["by ", searchLink("brand", product.brand.slug, product.brand.name)] : []));
    const prices = new Set(product.variants.map((variant) => variant.price));
    part(".price").textContent = (prices.size > 1 ? "from " : "") + S.formatPrice(product.price, product.currency);
    const reduced = product.variants.find((variant) => variant.price === product.price && variant.compare_at_price);
    part(".compare-at").textContent = reduced ? S.formatPrice(reduced.compare_at_price, product.currency) : "";
    const stock = S.stockLabel(product.in_stock, product.stock);
    part(".stock").textContent = stock.text;
    part(".stock").className = stock.className;
    part(".product-description").textContent = product.description;
    renderVariants(part(".product-variants"), product);
    renderDetails(part(".product-details"), product.attributes);
    part(".product-tags").textContent = product.tags.length ? `Tags: ${product.tags.join(", ")}` : "";
    part(".product-sku").textContent = `SKU ${product.sku}`;
    status.textContent = "";
    status.hidden = true;
    article.hidden = false;
  }

  /* A table when there is a choice to make: several variants, or options on the one. */
  function renderVariants(section, product) {
    const axes = [...new Set(product.variants.flatMap((variant) => Object.keys(variant.options)))];
    section.hidden = product.variants.length < 2 && !axes.length;
    if (section.hidden) return;
    const cell = (tag, text) => {
      const element = document.createElement(tag);
      element.textContent = text;
      return element;
    };
    section.querySelector("thead tr").replaceChildren(...[...axes, "SKU", "Price", "Availability"].map((name) => cell("th", name)));
    section.querySelector("tbody").replaceChildren(
      ...product.variants.map((variant) => {
        const row = document.createElement("tr");
        row.append(
          ...axes.map((axis) => cell("td", variant.options[axis] ?? "—")),
          cell("td", variant.sku),
          cell("td", S.formatPrice(variant.price, product.currency)),
          cell("td", S.stockLabel(variant.in_stock, variant.stock).text),
        );
        return row;
      }),
    );
  }

  function renderDetails(section, attributes) {
    const entries = Object.entries(attributes);
    section.hidden = !entries.length;
    const shown = (value) => (value === true ? "yes" : value === false ? "no" : String(value));
    section.querySelector("dl").replaceChildren(
      ...entries.flatMap(([code, value]) => {
        const term = document.createElement("dt");
        term.textContent = code.replaceAll("_", " ");
        const detail = document.createElement("dd");
        detail.textContent = shown(value);
        return [term, detail];
      }),
    );
  }

  S.getJson(api.product)
    .then(render)
    .catch((error) => {
      if (error instanceof S.Unavailable) {
        S.showUnavailable(true);
        status.textContent = "";
      } else if (error instanceof S.ApiError && error.status === 404) {
        status.textContent = "This product is not in the catalog (any more).";
      } else if (error instanceof S.ApiError) {
        status.textContent = error.message;
      } else {
        throw error;
      }
    });
})();
