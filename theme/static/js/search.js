// Site search with Pagefind's JavaScript API. Loaded only on the search page.
// Results and filters are rendered here (not with Pagefind's default UI) so
// they are plain, accessible HTML and need no inline styles.
const root = document.querySelector(".clinic-search");
const form = root.querySelector("form");
const input = root.querySelector("input[name=q]");
const status = root.querySelector(".clinic-search__status");
const list = root.querySelector(".clinic-search__results");
const fieldset = root.querySelector(".clinic-search__filters");
const groups = root.querySelector(".clinic-search__filter-groups");
const FILTERS = ["Body region", "Condition", "Treatment or procedure", "Type of treatment", "Symptom"];

let pagefind;
const parts = (root.dataset.pagefindParts || "").split(" ").filter(Boolean);
async function load() {
  if (!pagefind) {
    pagefind = await import(root.dataset.pagefindUrl);
    await pagefind.options({ baseUrl: root.dataset.baseUrl });
    // A large site's index comes in parts (plugins/clinic/search_index.py): search them all as one.
    for (const url of parts) {
      await pagefind.mergeIndex(url, { baseUrl: root.dataset.baseUrl });
    }
    await pagefind.init();
  }
  return pagefind;
}

function chosenFilters() {
  const out = {};
  groups.querySelectorAll("select").forEach(function (sel) {
    if (sel.value) out[sel.name] = sel.value;
  });
  return out;
}

async function buildFilters(params) {
  const pf = await load();
  const available = await pf.filters();
  groups.textContent = "";
  FILTERS.forEach(function (name, i) {
    const values = available[name];
    if (!values) return;
    const id = "filter-" + i;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = name;
    const select = document.createElement("select");
    select.id = id;
    select.name = name;
    const any = new Option("Any", "");
    select.add(any);
    Object.keys(values).sort().forEach(function (v) {
      select.add(new Option(v, v, false, params.get(name) === v));
    });
    const wrap = document.createElement("div");
    wrap.append(label, select);
    groups.append(wrap);
  });
  fieldset.hidden = false;
}

// Pagefind searches each part of an index in parts on its own, and a part
// with no page that has one of the words ignores that word. Keep only the
// pages that have every word found anywhere, as one index would.
async function everyWord(pf, query, filters) {
  const search = await pf.search(query || null, { filters: filters });
  const words = parts.length && query ? query.split(/\s+/).filter(Boolean) : [];
  if (words.length < 2) return search.results;
  const each = await Promise.all(words.map(async function (word) {
    const alone = await pf.search(word, { filters: filters });
    return new Set(alone.results.map(function (r) { return r.id; }));
  }));
  const known = each.filter(function (ids) { return ids.size > 0; });
  return search.results.filter(function (r) { return known.every(function (ids) { return ids.has(r.id); }); });
}

async function run() {
  const params = new URLSearchParams(location.search);
  const query = (input.value || "").trim();
  const filters = chosenFilters();
  list.textContent = "";
  if (!query && Object.keys(filters).length === 0) {
    status.textContent = "Type a word, such as heel pain or bunion, then press Search.";
    return;
  }
  status.textContent = "Searching…";
  const pf = await load();
  const found = await everyWord(pf, query, filters);
  const results = await Promise.all(found.slice(0, 20).map(function (r) { return r.data(); }));
  status.textContent = results.length === 0
    ? "No pages found. Try another word, or use the A to Z index."
    : results.length + (results.length === 1 ? " page found." : " pages found.");
  results.forEach(function (data) {
    const li = document.createElement("li");
    const h = document.createElement("h2");
    const a = document.createElement("a");
    a.href = data.url;
    a.textContent = data.meta.title || data.url;
    h.append(a);
    const p = document.createElement("p");
    p.textContent = data.meta.summary || "";
    li.append(h, p);
    list.append(li);
  });
}

form.addEventListener("submit", function (event) {
  event.preventDefault();
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  Object.entries(chosenFilters()).forEach(function ([k, v]) { params.set(k, v); });
  history.replaceState(null, "", "?" + params.toString());
  run();
});
groups.addEventListener("change", function () { form.requestSubmit(); });

const initial = new URLSearchParams(location.search);
input.value = initial.get("q") || "";
buildFilters(initial).then(run).catch(function () {
  status.textContent = "Search is not available right now. Use the A to Z index instead.";
});
