/* Explorers that move in the static book (Watts per Thought).
 *
 * Each <figure class="wpt-explorer" data-wpt-id=... data-wpt-base=...> carries HTML
 * controls for the explorer's static grid. Moving one swaps in the pre-rendered frame of
 * that state, its figures of merit and its alt text. The frames and the small index
 * (<base><id>.js, loaded as a <script>, so it works from file:// without a server) were
 * written at build time by _ext/static_explorers.py with the explorer's own Python
 * drawing code. Only the default frame loads with the page; the index and the other
 * frames load on first interaction or when the browser is idle.
 */
(function () {
  "use strict";
  var registry = window.WPT_EXPLORERS = window.WPT_EXPLORERS || {};
  var loading = {};

  function loadIndex(fig, done) {
    var id = fig.getAttribute("data-wpt-id");
    if (registry[id]) { done(registry[id]); return; }
    if (!loading[id]) {
      loading[id] = [];
      var s = document.createElement("script");
      s.src = fig.getAttribute("data-wpt-base") + id + ".js";
      s.onload = function () { loading[id].forEach(function (f) { f(registry[id]); }); };
      s.onerror = function () { fig.classList.add("wpt-ex-offline"); };
      document.head.appendChild(s);
    }
    loading[id].push(done);
  }

  function prefetch(fig, index) {
    if (fig.wptPrefetched) return;
    fig.wptPrefetched = [];
    var base = fig.getAttribute("data-wpt-base");
    Object.keys(index.states).forEach(function (key) {
      var img = new Image();
      img.src = base + index.states[key][0] + ".png";
      fig.wptPrefetched.push(img);   // keep a reference: the decoded image stays cached
    });
  }


  function fixedKey(fig, index) {
    // controls that do not move on this page keep the index of the value shown
    return index.keys.map(function (name) {
      var input = fig.querySelector('[data-name="' + name + '"]');
      if (input) {
        if (input.type === "checkbox") {
          return String(JSON.parse(input.getAttribute("data-values")).indexOf(input.checked));
        }
        return String(input.value);
      }
      return index["default"].split("-")[index.keys.indexOf(name)];
    }).join("-");
  }

  function show(fig) {
    loadIndex(fig, function (index) {
      var state = index.states[fixedKey(fig, index)];
      if (!state) return;
      var img = fig.querySelector("img.wpt-ex-frame");
      var src = fig.getAttribute("data-wpt-base") + state[0] + ".png";
      if (img.getAttribute("src") !== src) img.setAttribute("src", src);
      img.setAttribute("alt", state[2]);
      fig.setAttribute("data-wpt-state", fixedKey(fig, index));
      var readout = fig.querySelector(".wpt-ex-readout");
      if (readout) readout.textContent = state[1];
      prefetch(fig, index);
    });
  }

  function label(input) {
    var labels = JSON.parse(input.getAttribute("data-labels"));
    if (input.type === "range") {
      var text = labels[Number(input.value)];
      input.setAttribute("aria-valuetext", text);
      var out = input.parentNode.querySelector("output");
      if (out) out.textContent = text;
    }
  }

  function init(fig) {
    if (!fig.getAttribute("data-wpt-id")) return;
    var inputs = fig.querySelectorAll("[data-name]");
    Array.prototype.forEach.call(inputs, function (input) {
      var handler = function () { label(input); show(fig); };
      input.addEventListener("input", handler);
      input.addEventListener("change", handler);
    });
    var warm = function () {
      loadIndex(fig, function (index) { prefetch(fig, index); });
    };
    fig.addEventListener("pointerenter", warm, {once: true});
    fig.addEventListener("focusin", warm, {once: true});
    if (window.requestIdleCallback) window.requestIdleCallback(function () {
      loadIndex(fig, function () {});
    }, {timeout: 4000});
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("figure.wpt-explorer"), init);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
