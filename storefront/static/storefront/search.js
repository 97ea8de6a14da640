/* The search page: keeps its state in the query string, asks the query API for the products
   (search when there is a query, the list otherwise), the category tree and the suggestions, and
   draws the results, facets and pager from the answers. */
"use strict";

(() => {
  const S = window.Storefront;
  const api = S.readJsonScript("storefront-api");
  const productPagePattern = S.readJsonScript("storefront-product-page");
  const PAGE_SIZE = 20;
  // Parameters of the page's state the API understands; anything else in the address is ignored.
  const API_PARAMS = ["q", "brand", "category", "min_price", "max_price", "in_stock", "ordering", "cursor", "page", "page_size", "autocorrect"];
  const FILTERS = ["brand", "category", "min_price", "max_price", "in_stock"];
  // Filters on the option axes and attributes a search's facets describe (option.color=blue,
  // attr.screen__gte=13): their names are the catalog's, not known in advance.
  const isDescribedFilter = (name) => name.startsWith("option.") || name.startsWith("attr.");
  const filterNames = (state) => [...new Set([...state.keys()].filter((name) => FILTERS.includes(name) || isDescribedFilter(name)))];
  const SUGGEST_DELAY_MS = 120;
  const SEARCH_DELAY_MS = 350;

  const input = document.getElementById("q");
  const suggestionList = document.getElementById("suggestions");
  const summary = document.getElementById("result-summary");
  const results = document.getElementById("results");
  const ordering = document.getElementById("ordering");
  const previousLink = document.getElementById("previous-page");
  const nextLink = document.getElementById("next-page");
  const clearFilters = document.getElementById("clear-filters");
  const facetsNote = document.getElementById("facets-note");
  const didYouMean = document.getElementById("did-you-mean");
  const showingResultsFor = document.getElementById("showing-results-for");
  const matchedMostWords = document.getElementById("matched-most-words");
  const resultTemplate = document.getElementById("result-template");
  const optionTemplate = document.getElementById("facet-option-template");

  const productPage = (id) => productPagePattern.replace("{id}", encodeURIComponent(id));
  const currentState = () => new URLSearchParams(window.location.search);
  const queryOf = (state) => (state.get("q") || "").trim();

  /* Go to a new state: filters, query and ordering changes start again from the first page. */
  function navigate(state, { replace = false, keepPage = false } = {}) {
    if (!keepPage) {
      state.delete("cursor");
      state.delete("page");
    }
    const query = state.toString();
    const address = query ? `${window.location.pathname}?${query}` : window.location.pathname;
    window.history[replace ? "replaceState" : "pushState"](null, "", address);
    load();
  }

  function withChange(change) {
    const state = currentState();
    change(state);
    return state;
  }

  /* A new query is corrected again when it finds nothing, whatever the last one asked. */
  function withQuery(text, { autocorrect = true } = {}) {
    return withChange((state) => {
      if (text) state.set("q", text);
      else state.delete("q");
      if (autocorrect) state.delete("autocorrect");
      else state.set("autocorrect", "false");
    });
  }

  // --- loading ----------------------------------------------------------------------------------

  let inFlight = null;
  let categoryTree = null; // one request per page view: the tree's shape changes rarely

  function apiUrl(base, state) {
    const params = new URLSearchParams();
    for (const [name, value] of state) {
      if ((API_PARAMS.includes(name) || isDescribedFilter(name)) && value !== "") params.append(name, value);
    }
    if (!queryOf(state)) params.delete("q");
    if (!queryOf(state) && params.get("ordering") === "relevance") params.delete("ordering");
    if (!params.has("page_size")) params.set("page_size", PAGE_SIZE);
    return `${base}?${params}`;
  }

  async function load() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    const { signal } = inFlight;
    const state = currentState();
    const query = queryOf(state);
    if (document.activeElement !== input) input.value = state.get("q") || "";
    document.title = query ? `${query} – Search the catalog` : "Search the catalog";
    results.setAttribute("aria-busy", "true");
    try {
      categoryTree ??= S.getJson(api.categories).then((body) => body.categories);
      const [page, tree, brands] = await Promise.all([
        S.getJson(apiUrl(query ? api.search : api.list, state), signal),
        categoryTree,
        query ? null : S.getJson(api.brands, signal).then((body) => body.brands),
      ]);
      S.showUnavailable(false);
      document.body.classList.remove("search-unavailable");
      render(state, page, tree, brands);
    } catch (error) {
      if (error.name === "AbortError") return;
      categoryTree = null;
      showError(error);
    } finally {
      if (!signal.aborted) results.removeAttribute("aria-busy");
    }
  }

  function showError(error) {
    results.replaceChildren();
    previousLink.hidden = nextLink.hidden = true;
    if (error instanceof S.Unavailable) {
      S.showUnavailable(true);
      document.body.classList.add("search-unavailable");
      summary.textContent = "";
    } else if (error instanceof S.ApiError) {
      summary.textContent = error.message;
    } else {
      throw error;
    }
  }

  // --- results ------------------------------------------------------------------------------------

  function render(state, page, tree, brands) {
    const query = page.showing_results_for || queryOf(state);
    const noun = page.count === 1 ? "product" : "products";
    summary.textContent = query ? `${page.count.toLocaleString("en")} ${noun} for “${query}”` : `${page.count.toLocaleString("en")} ${noun}`;
    if (page.count === 0 && query) summary.textContent += ". Try fewer words or fewer filters.";
    renderCorrection(page.suggestion);
    renderCorrected(page.showing_results_for, queryOf(state));
    renderMostWords(page.matched_most_words, queryOf(state));
    results.replaceChildren(...page.results.map(resultItem));
    renderOrdering(state);
    renderPager(page);
    renderFacets(state, page.facets, tree, brands);
  }

  /* "Did you mean": a search that found little carries a correction that finds more. */
  function renderCorrection(suggestion) {
    didYouMean.hidden = !suggestion;
    if (!suggestion) return;
    linkTo(didYouMean.querySelector("a"), suggestion.text, withQuery(suggestion.text));
  }

  /* A search that found nothing shows its correction's products, and offers the words as typed. */
  function renderCorrected(corrected, typed) {
    showingResultsFor.hidden = !corrected;
    if (!corrected) return;
    showingResultsFor.querySelector("strong").textContent = corrected;
    linkTo(showingResultsFor.querySelector("a"), typed, withQuery(typed, { autocorrect: false }));
  }

  /* A search no product matched whole shows those with most of its words, and offers all of them. */
  function renderMostWords(matched, typed) {
    matchedMostWords.hidden = !matched;
    if (!matched) return;
    linkTo(matchedMostWords.querySelector("a"), "every word", withQuery(typed, { autocorrect: false }));
  }

  /* A link to another search: a real URL, followed in place. */
  function linkTo(link, text, state) {
    link.textContent = text;
    link.href = `?${state.toString()}`;
    link.onclick = (event) => {
      event.preventDefault();
      navigate(state);
    };
  }

  function resultItem(product) {
    const item = resultTemplate.content.firstElementChild.cloneNode(true);
    item.dataset.productId = product.id;
    const link = item.querySelector(".result-name a");
    link.href = productPage(product.id);
    const highlight = product.highlight || { name: [], description: [] };
    if (highlight.name.length) S.appendHighlighted(link, highlight.name[0]);
    else link.textContent = product.name;
    item.querySelector(".result-brand").textContent = product.brand ? product.brand.name : "";
    item.querySelector(".result-category").textContent = product.category.path.join(" › ");
    const description = item.querySelector(".result-description");
    if (highlight.description.length) {
      highlight.description.forEach((fragment, index) => {
        if (index) description.append(" … ");
        S.appendHighlighted(description, fragment);
      });
    } else {
      description.textContent = product.description.length > 180 ? `${product.description.slice(0, 180)}…` : product.description;
    }
    const prices = new Set(product.variants.map((variant) => variant.price));
    item.querySelector(".price").textContent = (prices.size > 1 ? "from " : "") + S.formatPrice(product.price, product.currency);
    const stock = S.stockLabel(product.in_stock, product.stock);
    const stockElement = item.querySelector(".stock");
    stockElement.textContent = stock.text;
    stockElement.className = stock.className;
    return item;
  }

  function renderOrdering(state) {
    const query = queryOf(state);
    ordering.querySelector('option[value="relevance"]').hidden = !query;
    ordering.querySelector('option[value="relevance"]').disabled = !query;
    const chosen = state.get("ordering");
    ordering.value = chosen && (query || chosen !== "relevance") ? chosen : query ? "relevance" : "-created_at";
  }

  /* The pager follows the API's own links: their cursor (or page) becomes the page's state. */
  function renderPager(page) {
    for (const [link, target] of [
      [previousLink, page.previous],
      [nextLink, page.next],
    ]) {
      link.hidden = !target;
      if (!target) continue;
      const state = currentState();
      state.delete("cursor");
      state.delete("page");
      const given = new URL(target, window.location.href).searchParams;
      // "q" too: the next pages of a corrected search are the correction's.
      for (const name of ["cursor", "page", "q"]) {
        if (given.has(name)) state.set(name, given.get(name));
      }
      link.href = `?${state}`;
    }
  }

  for (const link of [previousLink, nextLink]) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      window.history.pushState(null, "", link.getAttribute("href"));
      load().then(() => window.scrollTo(0, 0));
    });
  }

  ordering.addEventListener("change", () => navigate(withChange((state) => state.set("ordering", ordering.value))));

  // --- facets ---------------------------------------------------------------------------------------

  function option({ type, name, value, label, count, checked, onChange }) {
    const item = optionTemplate.content.firstElementChild.cloneNode(true);
    const control = item.querySelector("input");
    control.type = type;
    control.name = name;
    control.value = value;
    control.checked = checked;
    control.addEventListener("change", () => onChange(control.checked));
    item.querySelector(".facet-label").textContent = label;
    const countElement = item.querySelector(".facet-count");
    if (count === null) countElement.remove();
    else countElement.textContent = `(${count.toLocaleString("en")})`;
    item.dataset.value = value;
    return item;
  }

  function toggleValue(name, value, checked) {
    navigate(
      withChange((state) => {
        const values = state.getAll(name).filter((given) => given !== value);
        if (checked) values.push(value);
        state.delete(name);
        for (const given of values) state.append(name, given);
      }),
    );
  }

  function renderFacets(state, facets, tree, brands) {
    // Without a query the list endpoint has no facets: the brands and the category tree count
    // the whole catalog instead, and the price and stock choices show no numbers.
    facetsNote.hidden = Boolean(facets) || !filterNames(state).length;
    clearFilters.hidden = !filterNames(state).length;
    renderCategories(state, facets, tree);
    renderBrands(state, facets ? facets.brand : brands.map((brand) => ({ value: brand.slug, label: brand.name, count: brand.count })));
    renderPrices(state, facets);
    renderStock(state, facets);
    renderDescribed(state, facets);
  }

  /* The option axes (size, colour) and the filterable attributes of the products found, each a
     facet named as staff named it, in the page's language. A choice's values travel as the API
     takes them: one parameter, comma-separated. Without a query there are no such facets, but
     the choices made still show, so they can be undone. */
  function renderDescribed(state, facets) {
    const sections = [];
    const shown = new Set();
    for (const [axis, values] of Object.entries(facets ? facets.options : {})) {
      const name = `option.${axis}`;
      shown.add(name);
      sections.push(valueFacet(state, name, facets.option_names[axis] || axis, values));
    }
    for (const [code, facet] of Object.entries(facets ? facets.attributes : {})) {
      const title = facet.unit ? `${facet.name} (${facet.unit})` : facet.name;
      if (facet.ranges.length) {
        shown.add(`attr.${code}__gte`).add(`attr.${code}__lt`);
        sections.push(rangeFacet(state, code, title, facet.ranges));
      } else {
        shown.add(`attr.${code}`);
        sections.push(valueFacet(state, `attr.${code}`, title, facet.values));
      }
    }
    for (const name of filterNames(state).filter((given) => isDescribedFilter(given) && !shown.has(given))) {
      sections.push(valueFacet(state, name, name.replace(/^(option|attr)\./, ""), []));
    }
    document.getElementById("facets-described").replaceChildren(...sections.filter(Boolean));
  }

  function describedSection(name, title, items) {
    if (!items.length) return null;
    const section = document.createElement("section");
    section.className = "facet";
    section.dataset.filter = name;
    const heading = document.createElement("h3");
    heading.textContent = title;
    const list = document.createElement("ul");
    list.className = "facet-options";
    list.append(...items);
    section.append(heading, list);
    return section;
  }

  function valueFacet(state, name, title, values) {
    const chosen = (state.get(name) || "").split(",").filter(Boolean);
    const offered = values.filter((value) => value.count > 0 || chosen.includes(value.value));
    // A choice the results no longer count still shows, so it can be undone.
    for (const value of chosen) {
      if (!offered.some((given) => given.value === value)) offered.push({ value, label: value, count: 0 });
    }
    const toggle = (value, checked) =>
      navigate(
        withChange((given) => {
          const values = chosen.filter((other) => other !== value).concat(checked ? [value] : []);
          if (values.length) given.set(name, values.join(","));
          else given.delete(name);
        }),
      );
    return describedSection(
      name,
      title,
      offered.map((value) =>
        option({
          type: "checkbox",
          name,
          value: value.value,
          label: value.label,
          count: value.count,
          checked: chosen.includes(value.value),
          onChange: (checked) => toggle(value.value, checked),
        }),
      ),
    );
  }

  /* A number attribute's buckets, one chosen at a time: each selects from its lower bound
     (inclusive) to its upper one (exclusive), exactly the products it counts. */
  function rangeFacet(state, code, title, ranges) {
    const [low, high] = [`attr.${code}__gte`, `attr.${code}__lt`];
    const isChosen = (range) => state.get(low) === String(range.from) && state.get(high) === String(range.to);
    const choose = (range, checked) =>
      navigate(
        withChange((given) => {
          given.delete(low);
          given.delete(high);
          if (checked) {
            given.set(low, String(range.from));
            given.set(high, String(range.to));
          }
        }),
      );
    const amount = (value) => Number(value).toLocaleString("en");
    return describedSection(
      `attr.${code}`,
      title,
      ranges
        .filter((range) => range.count > 0 || isChosen(range))
        .map((range) =>
          option({
            type: "checkbox",
            name: `attr.${code}`,
            value: `${range.from}-${range.to}`,
            label: `${amount(range.from)} – ${amount(range.to)}`,
            count: range.count,
            checked: isChosen(range),
            onChange: (checked) => choose(range, checked),
          }),
        ),
    );
  }

  function renderCategories(state, facets, tree) {
    const chosen = new Set(state.getAll("category"));
    const ownCounts = facets ? new Map(facets.category.map((facet) => [facet.value, facet.count])) : null;
    const known = new Set();
    // A node counts its own products and those below it, as the category filter selects them.
    const counted = (node) => {
      known.add(node.slug);
      const children = node.children.map(counted);
      const count = ownCounts ? (ownCounts.get(node.slug) || 0) + children.reduce((sum, child) => sum + child.count, 0) : node.count;
      return { slug: node.slug, name: node.name, count, children };
    };
    const roots = tree.map(counted);
    // Categories new since the tree was read still show, at the top level.
    for (const facet of facets ? facets.category : []) {
      if (!known.has(facet.value)) roots.push({ slug: facet.value, name: facet.label, count: facet.count, children: [] });
    }
    const list = document.querySelector("#facet-category .facet-options");
    const branch = (nodes) =>
      nodes
        .filter((node) => node.count > 0 || chosen.has(node.slug))
        .map((node) => {
          const item = option({
            type: "checkbox",
            name: "category",
            value: node.slug,
            label: node.name,
            count: node.count,
            checked: chosen.has(node.slug),
            onChange: (checked) => toggleValue("category", node.slug, checked),
          });
          const below = branch(node.children);
          if (below.length) {
            const nested = document.createElement("ul");
            nested.className = "facet-options";
            nested.append(...below);
            item.append(nested);
          }
          return item;
        });
    list.replaceChildren(...branch(roots));
  }

  function renderBrands(state, values) {
    const chosen = new Set(state.getAll("brand"));
    const shown = values.filter((facet) => facet.count > 0 || chosen.has(facet.value));
    // A chosen brand the results no longer count still shows, so it can be unchosen.
    for (const slug of chosen) {
      if (!shown.some((facet) => facet.value === slug)) shown.push({ value: slug, label: slug, count: 0 });
    }
    document.querySelector("#facet-brand .facet-options").replaceChildren(
      ...shown.map((facet) =>
        option({
          type: "checkbox",
          name: "brand",
          value: facet.value,
          label: facet.label,
          count: facet.count,
          checked: chosen.has(facet.value),
          onChange: (checked) => toggleValue("brand", facet.value, checked),
        }),
      ),
    );
  }

  /* The API's bands have an exclusive upper bound; its max_price filter is inclusive, so a band
     asks for prices up to one cent below its bound. */
  const centBelow = (amount) => (Math.round(Number(amount) * 100 - 1) / 100).toFixed(2);
  const BROWSE_BANDS = [
    { from: null, to: "25.00" },
    { from: "25.00", to: "50.00" },
    { from: "50.00", to: "100.00" },
    { from: "100.00", to: "250.00" },
    { from: "250.00", to: "500.00" },
    { from: "500.00", to: null },
  ];

  function bandLabel(band) {
    const amount = (value) => Number(value).toLocaleString("en");
    if (band.from === null) return `Under ${amount(band.to)}`;
    if (band.to === null) return `${amount(band.from)} and over`;
    return `${amount(band.from)} – ${amount(band.to)}`;
  }

  function renderPrices(state, facets) {
    const low = state.get("min_price");
    const high = state.get("max_price");
    const bands = facets ? facets.price : BROWSE_BANDS.map((band) => ({ ...band, count: null }));
    const chooseBand = (band) =>
      navigate(
        withChange((given) => {
          given.delete("min_price");
          given.delete("max_price");
          if (band && band.from !== null) given.set("min_price", band.from);
          if (band && band.to !== null) given.set("max_price", centBelow(band.to));
        }),
      );
    const isChosen = (band) => (band.from ?? null) === low && (band.to === null ? null : centBelow(band.to)) === high;
    const items = [
      option({ type: "radio", name: "price", value: "", label: "Any price", count: null, checked: !low && !high, onChange: () => chooseBand(null) }),
      ...bands
        .filter((band) => band.count !== 0 || isChosen(band))
        .map((band) =>
          option({
            type: "radio",
            name: "price",
            value: `${band.from ?? ""}-${band.to ?? ""}`,
            label: bandLabel(band),
            count: band.count,
            checked: isChosen(band),
            onChange: () => chooseBand(band),
          }),
        ),
    ];
    document.querySelector("#facet-price .facet-options").replaceChildren(...items);
  }

  function renderStock(state, facets) {
    document.querySelector("#facet-stock .facet-options").replaceChildren(
      option({
        type: "checkbox",
        name: "in_stock",
        value: "true",
        label: "In stock only",
        count: facets ? facets.in_stock.true : null,
        checked: state.get("in_stock") === "true",
        onChange: (checked) =>
          navigate(
            withChange((given) => {
              if (checked) given.set("in_stock", "true");
              else given.delete("in_stock");
            }),
          ),
      }),
    );
  }

  clearFilters.addEventListener("click", (event) => {
    event.preventDefault();
    navigate(withChange((state) => filterNames(state).forEach((name) => state.delete(name))));
  });

  // --- the search box: suggestions as you type, and results as you pause -----------------------

  let suggestTimer = null;
  let searchTimer = null;
  let suggestInFlight = null;
  let activeSuggestion = -1;

  const suggestionItems = () => [...suggestionList.querySelectorAll("[role=option]")];

  function closeSuggestions() {
    suggestionList.hidden = true;
    suggestionList.replaceChildren();
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    activeSuggestion = -1;
  }

  async function suggest(text) {
    if (suggestInFlight) suggestInFlight.abort();
    suggestInFlight = new AbortController();
    try {
      const body = await S.getJson(`${api.suggest}?${new URLSearchParams({ q: text })}`, suggestInFlight.signal);
      if (input.value.trim() !== text) return;
      showSuggestions(body.suggestions);
    } catch (error) {
      if (error.name === "AbortError") return;
      closeSuggestions();
      if (error instanceof S.Unavailable) showError(error);
    }
  }

  function showSuggestions(suggestions) {
    closeSuggestions();
    if (!suggestions.length || document.activeElement !== input) return;
    suggestionList.append(
      ...suggestions.map((suggestion, index) => {
        const item = document.createElement("li");
        item.id = `suggestion-${index}`;
        item.setAttribute("role", "option");
        item.className = "suggestion";
        const link = document.createElement("a");
        link.href = productPage(suggestion.id);
        link.tabIndex = -1;
        link.textContent = suggestion.name;
        const where = document.createElement("span");
        where.className = "suggestion-meta";
        where.textContent = [suggestion.brand && suggestion.brand.name, suggestion.category.name].filter(Boolean).join(" · ");
        link.append(" ", where);
        item.append(link);
        // Keep the focus in the box, so the list stays open until the link is followed.
        item.addEventListener("mousedown", (event) => event.preventDefault());
        return item;
      }),
    );
    suggestionList.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }

  function moveSuggestion(step) {
    const items = suggestionItems();
    if (!items.length) return;
    // Position -1 is the box itself: stepping past either end comes back to what was typed.
    const positions = items.length + 1;
    activeSuggestion = ((activeSuggestion + 1 + step + positions) % positions) - 1;
    items.forEach((item, index) => item.setAttribute("aria-selected", String(index === activeSuggestion)));
    if (activeSuggestion >= 0) input.setAttribute("aria-activedescendant", items[activeSuggestion].id);
    else input.removeAttribute("aria-activedescendant");
  }

  input.addEventListener("input", () => {
    const text = input.value.trim();
    clearTimeout(suggestTimer);
    clearTimeout(searchTimer);
    if (!text) closeSuggestions();
    else suggestTimer = setTimeout(() => suggest(text), SUGGEST_DELAY_MS);
    // Results follow the typing; one history entry for the whole word, not one per letter.
    searchTimer = setTimeout(() => {
      if (text !== queryOf(currentState())) navigate(withQuery(text), { replace: true });
    }, SEARCH_DELAY_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveSuggestion(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape") {
      closeSuggestions();
    } else if (event.key === "Enter" && activeSuggestion >= 0) {
      event.preventDefault();
      window.location.assign(suggestionItems()[activeSuggestion].querySelector("a").href);
    }
  });

  input.addEventListener("blur", closeSuggestions);

  input.form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    clearTimeout(suggestTimer);
    closeSuggestions();
    navigate(withQuery(input.value.trim()));
  });

  window.addEventListener("popstate", load);
  load();
})();
