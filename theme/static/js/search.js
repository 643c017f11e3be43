// Site search with Pagefind's JavaScript API. Loaded only on the search page.
// Results and filters are rendered here (not with Pagefind's default UI) so
// they are plain, accessible HTML and need no inline styles.
const root = document.querySelector(".clinic-search");
const form = root.querySelector("form");
const input = root.querySelector("input[name=q]");
const status = root.querySelector(".clinic-search__status");
const list = root.querySelector(".clinic-search__results");
const filterBox = root.querySelector(".clinic-search__filter-box");
const filterCount = root.querySelector(".clinic-search__filter-count");
const groups = root.querySelector(".clinic-search__filter-groups");
const note = root.querySelector(".clinic-search__note");
const FILTERS = ["Body region", "Condition", "Treatment or procedure", "Type of treatment", "Symptom"];
// What the page says, in its own language: the search page's data-say-* (theme/templates/search.html).
function say(name, values) {
  return (root.dataset["say" + name] || "").replace(/\{(\w+)\}/g, function (all, key) {
    return values && key in values ? String(values[key]) : all;
  });
}
// A message whose {placeholders} are page elements (a link, a highlighted word), as nodes in order.
function sayWith(name, nodes) {
  return root.dataset["say" + name].split(/(\{\w+\})/).filter(Boolean).map(function (part) {
    const key = part.match(/^\{(\w+)\}$/);
    return key && nodes[key[1]] ? nodes[key[1]] : part;
  });
}

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
    const any = new Option(say("Any"), "");
    select.add(any);
    Object.keys(values).sort().forEach(function (v) {
      select.add(new Option(v, v, false, params.get(name) === v));
    });
    const wrap = document.createElement("div");
    wrap.append(label, select);
    groups.append(wrap);
  });
  filterBox.hidden = false;
  countFilters();
}

// The filters fold into one control that says how many are chosen.
function countFilters() {
  const n = Object.keys(chosenFilters()).length;
  filterCount.textContent = n ? say("Chosen", { num: n }) : "";
  if (n) filterBox.open = true;
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

// Searches typed the way people type. Pagefind finds the pages that hold every
// word; around it (written here: Pagefind has no typo tolerance and no "most
// of the words" mode): words that only make a question ("what is", "my") are
// left out, a word the site does not know is corrected against the site's own
// words (titles, section titles, every term's names and other names), and a
// search with few results falls back to the pages that hold most of its words.
const STOP = new Set(("a an the of on in at to for with and or is are was were be been it its i im i'm me my mine " +
  "we our us you your he she they them their do does did doing can could should would will shall may might must " +
  "how what when where why which who whom this that these those there here from by as about after before into " +
  "out up down off over under again too very so just not no if then than get gets got have has had am being " +
  "also any all some such own same other only both each feel feels feeling really bit lot").split(" "));
const site = (root.dataset.siteWords || "").split(" ").filter(Boolean);
const known = new Set(site);

function wordsOf(query) {
  const all = query.toLowerCase().replace(/[’']s\b/g, "").split(/[^a-z0-9]+/).filter(Boolean);
  const kept = all.filter(function (w) { return !STOP.has(w); });
  return kept.length ? kept : all;
}

// Damerau-Levenshtein distance (a swap of two letters is one mistake), stopping at `most`.
function distance(a, b, most) {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  const d = [];
  for (let i = 0; i <= a.length; i++) { d.push([i]); }
  for (let j = 1; j <= b.length; j++) { d[0][j] = j; }
  for (let i = 1; i <= a.length; i++) {
    let best = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
      best = Math.min(best, v);
    }
    if (best > most) return most + 1;
  }
  return d[a.length][b.length];
}

function closestWord(word) {
  const most = word.length >= 7 ? 2 : 1;
  let found = null, bestDistance = most + 1;
  site.forEach(function (candidate) {
    const dd = distance(word, candidate, most);
    if (dd < bestDistance) { bestDistance = dd; found = candidate; }
  });
  return found ? { word: found, distance: bestDistance } : null;
}

// A word one letter away from one of the site's own words is taken for it;
// two letters away, only when no page holds the word as typed.
async function corrected(pf, words, filters) {
  const out = [];
  for (const word of words) {
    const near = word.length >= 4 && !known.has(word) ? closestWord(word) : null;
    if (!near) { out.push(word); continue; }
    if (near.distance === 1) { out.push(near.word); continue; }
    const alone = await pf.search(word, { filters: filters });
    out.push(alone.results.length ? word : near.word);
  }
  return out;
}

async function ranked(pf, words, filters) {
  const all = await everyWord(pf, words.join(" "), filters);
  if (words.length < 2 || all.length >= 3) return all;
  // few pages hold every word: the pages that hold most of them, those with more words first
  const each = await Promise.all(words.map(async function (word) {
    return (await pf.search(word, { filters: filters })).results;
  }));
  const tally = new Map();
  all.forEach(function (r, i) { tally.set(r.id, { result: r, words: words.length + 1, score: -i }); });
  each.forEach(function (results) {
    results.forEach(function (r) {
      const t = tally.get(r.id) || { result: r, words: 0, score: 0 };
      if (t.words <= words.length) { t.words += 1; t.score += r.score; }
      tally.set(r.id, t);
    });
  });
  const need = Math.floor(words.length / 2) + 1;  // most of the words: more than half
  return Array.from(tally.values()).filter(function (t) { return t.words >= need; })
    .sort(function (x, y) { return y.words - x.words || y.score - x.score; })
    .map(function (t) { return t.result; });
}

// Pagefind's excerpt marks the words found with <mark>: rebuilt here as text
// and <mark> elements, so nothing else in it can become markup.
function excerptOf(html) {
  const p = document.createElement("p");
  p.className = "clinic-search__excerpt";
  const doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body.firstChild;
  doc.childNodes.forEach(function (node) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(document.createTextNode(node.textContent));
    }
  });
  return p;
}

async function run() {
  const params = new URLSearchParams(location.search);
  const query = (input.value || "").trim();
  const filters = chosenFilters();
  list.textContent = "";
  note.textContent = "";
  if (!query && Object.keys(filters).length === 0) {
    status.textContent = say("Start");
    root.dataset.searched = query;
    return;
  }
  status.textContent = say("Searching");
  const pf = await load();
  const typed = query ? wordsOf(query) : [];
  const words = params.get("exact") === "1" ? typed : await corrected(pf, typed, filters);
  const found = query ? await ranked(pf, words, filters) : await everyWord(pf, "", filters);
  if (words.join(" ") !== typed.join(" ")) {
    const again = document.createElement("a");
    again.href = "?" + new URLSearchParams({ q: query, exact: "1" }).toString();
    again.textContent = query;
    const shown = document.createElement("strong");
    shown.textContent = words.join(" ");
    note.append(...sayWith("Corrected", { shown: shown, again: again }));
  }
  const results = await Promise.all(found.slice(0, 20).map(function (r) { return r.data(); }));
  status.textContent = results.length === 0
    ? say("None")
    : results.length === 1 ? say("One") : say("Many", { num: results.length });
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
    if (data.excerpt) li.append(excerptOf(data.excerpt));
    list.append(li);
  });
  root.dataset.searched = query;  // done: what was searched (the results are on the page)
}

form.addEventListener("submit", function (event) {
  event.preventDefault();
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  Object.entries(chosenFilters()).forEach(function ([k, v]) { params.set(k, v); });
  history.replaceState(null, "", "?" + params.toString());
  run();
});
groups.addEventListener("change", function () { countFilters(); form.requestSubmit(); });

const initial = new URLSearchParams(location.search);
input.value = initial.get("q") || "";
buildFilters(initial).then(run).catch(function () {
  status.textContent = say("Unavailable");
});
