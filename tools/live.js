// make devserver only: tools/serve.py answers /__live.js with this file and
// pages built with CLINIC_LIVE_RELOAD load it (never make publish). The page
// reloads itself, keeping its place, when a rebuild changed it, and shows the
// rebuild's problems over the page until they are fixed. The dev server sends
// one message per rebuild on /__live (Server-Sent Events: no library needed).
(function () {
  var KEY = "clinic-live-scroll";
  var saved = sessionStorage.getItem(KEY);
  if (saved !== null) {
    sessionStorage.removeItem(KEY);
    window.scrollTo(0, Number(saved));
  }
  // the page's version as the dev server sent it (tools/serve.py: a digest of its bytes)
  function version(timings) {
    var found = (timings || []).filter(function (t) { return t.name === "page"; })[0];
    return found ? found.description : null;
  }
  var mine = version((performance.getEntriesByType("navigation")[0] || {}).serverTiming);
  var box = null;

  function show(problems) {
    if (!problems.length) {
      if (box) { box.remove(); box = null; }
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.className = "clinic-live-problems";
      box.setAttribute("role", "alert");
      var s = box.style;  // set through the CSSOM, which the site's Content-Security-Policy allows
      s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.maxHeight = "40vh"; s.overflow = "auto";
      s.background = "#1d1d1b"; s.color = "#ffffff"; s.padding = "0.75rem 1rem"; s.zIndex = "1000";
      s.font = "14px/1.4 monospace"; s.whiteSpace = "pre-wrap";
      document.body.append(box);
    }
    box.textContent = "Problems in the last rebuild:\n" + problems.join("\n");
  }

  function reloadIfChanged() {
    fetch(location.href, { cache: "no-store" }).then(function (response) {
      var now = /page;desc="([^"]*)"/.exec(response.headers.get("Server-Timing") || "");
      if (!mine || !now || now[1] !== mine) {  // changed, or not a page the dev server versions
        sessionStorage.setItem(KEY, String(window.scrollY));
        location.reload();
      }
    });
  }

  var source = new EventSource("/__live");
  // a rebuild that ended while this page was loading, before the connection was
  // open, sends it no message: look once the connection is open (and again
  // after each reconnection)
  source.addEventListener("open", reloadIfChanged);
  source.addEventListener("message", function (event) {
    show(JSON.parse(event.data).problems || []);
    reloadIfChanged();
  });
})();
