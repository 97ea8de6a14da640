/* What both storefront pages share: asking the query API, telling an outage apart from other
   errors, and showing prices, stock and highlights. */
"use strict";

window.Storefront = (() => {
  /* Elasticsearch is down or too slow (the API answers 503), or the service cannot be reached. */
  class Unavailable extends Error {}

  /* Any other answer that is not a 2xx, with the API's explanation. */
  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function getJson(url, signal) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" }, signal });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new Unavailable("The catalog cannot be reached.");
    }
    if (response.ok) return response.json();
    if (response.status === 503 || response.status === 502 || response.status === 504) {
      throw new Unavailable("Search is unavailable.");
    }
    let message = `The catalog answered ${response.status}.`;
    try {
      const body = await response.json();
      message = body.detail || Object.values(body).flat().join(" ") || message;
    } catch {
      // Not JSON (a proxy's page): keep the status.
    }
    throw new ApiError(response.status, message);
  }

  function showUnavailable(shown) {
    document.getElementById("unavailable").hidden = !shown;
  }

  function formatPrice(amount, currency) {
    const value = Number(amount);
    try {
      return new Intl.NumberFormat("en", { style: "currency", currency }).format(value);
    } catch {
      // An unknown currency code: the number and the code as they are.
      return `${amount} ${currency}`;
    }
  }

  /* Stock as a shopper reads it; the exact number only when it is low. */
  function stockLabel(inStock, stock) {
    if (!inStock) return { text: "Out of stock", className: "stock stock-out" };
    if (stock > 0 && stock <= 5) return { text: `Only ${stock} left`, className: "stock stock-low" };
    return { text: "In stock", className: "stock stock-in" };
  }

  /* Elasticsearch marks what matched with <em>…</em> and escapes nothing else, so only those
     marks become elements and everything else stays text: a product name cannot inject markup. */
  function appendHighlighted(element, fragment) {
    for (const part of fragment.split(/(<em>[\s\S]*?<\/em>)/)) {
      const marked = part.match(/^<em>([\s\S]*)<\/em>$/);
      if (marked) {
        const mark = document.createElement("mark");
        mark.textContent = marked[1];
        element.append(mark);
      } else if (part) {
        element.append(part);
      }
    }
  }

  function readJsonScript(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  return { Unavailable, ApiError, getJson, showUnavailable, formatPrice, stockLabel, appendHighlighted, readJsonScript };
})();
