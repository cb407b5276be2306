/* Familienhub NRW widget: <script src="https://HUB/widget.js" data-ags="05962032"
   data-color="#0a6" data-lang="de" async></script> renders a search box and results for one
   municipality inside a Shadow DOM, so neither the portal's CSS nor ours leaks across.
   The hub fills in MESSAGES (every UI language) when it serves this file. */
(function () {
  "use strict";
  var MESSAGES = /*MESSAGES*/{};
  var LANGS = ["de", "en", "tr", "ar", "uk"];
  var COLOR = /^(#[0-9a-fA-F]{3,8}|rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\))$/;
  var AGS = /^05\d{6}$/;
  var CSS = [
    ":host { all: initial; display: block; contain: content; }",
    ".fh-root { all: initial; display: block; box-sizing: border-box; font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  font-size: 16px; line-height: 1.5; color: #1b1b1b; background: #ffffff; border: 1px solid #8a96a0; border-radius: 6px; padding: 16px; text-align: start; }",
    ".fh-root * { box-sizing: border-box; }",
    ".fh-title { font-size: 20px; font-weight: 700; margin: 0 0 8px; }",
    "form { display: flex; flex-wrap: wrap; gap: 8px; align-items: flex-end; margin: 0 0 12px; }",
    ".fh-field { display: flex; flex-direction: column; gap: 4px; flex: 1 1 200px; }",
    "label { font-weight: 600; }",
    "input { font-size: 16px; padding: 8px 10px; min-height: 44px; border: 2px solid #8a96a0; border-radius: 6px; background: #fff; color: #1b1b1b; width: 100%; }",
    "button { font-size: 16px; min-height: 44px; padding: 8px 18px; border-radius: 6px; border: 2px solid var(--fh-accent, #00704a);",
    "  background: var(--fh-accent, #00704a); color: var(--fh-on-accent, #ffffff); font-weight: 700; cursor: pointer; }",
    ":focus-visible { outline: 3px solid #ffbf47; outline-offset: 0; box-shadow: 0 0 0 6px #1b1b1b; }",
    ".fh-status { margin: 0 0 8px; font-weight: 600; }",
    "ol { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }",
    "li { border: 1px solid #8a96a0; border-radius: 6px; padding: 10px 12px; }",
    ".fh-hit-title { font-size: 17px; font-weight: 700; margin: 0 0 4px; }",
    "a { color: #0b5c8a; text-decoration: underline; }",
    ".fh-meta { margin: 0 0 6px; color: #4a4a4a; font-size: 15px; }",
    ".fh-source { display: inline-block; font-weight: 700; }",
    ".fh-more { margin: 12px 0 0; font-size: 15px; }",
    ".fh-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }"
  ].join("\n");

  function text(lang, key, values) {
    var value = (MESSAGES[lang] || MESSAGES.de || {})[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      value = value.split("{" + name + "}").join(String(values[name]));
    });
    return value;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function onAccent(color) {
    var hex = color.charAt(0) === "#" ? color.slice(1) : "";
    if (hex.length === 3) { hex = hex.replace(/./g, "$&$&"); }
    if (hex.length < 6) { return "#ffffff"; }
    var rgb = [0, 2, 4].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return luminance > 0.179 ? "#1b1b1b" : "#ffffff";
  }

  function adoptStyles(shadow) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (error) {
      shadow.appendChild(el("style", {}, [CSS]));
    }
  }

  function mount(script) {
    if (script.getAttribute("data-fh-mounted")) { return; }
    script.setAttribute("data-fh-mounted", "1");
    var origin = new URL(script.src, document.baseURI).origin;
    var lang = LANGS.indexOf(script.getAttribute("data-lang")) >= 0 ? script.getAttribute("data-lang") : "de";
    var ags = AGS.test(script.getAttribute("data-ags") || "") ? script.getAttribute("data-ags") : "";
    var color = script.getAttribute("data-color") || "";
    var host = el("div", { "class": "familienhub-widget" });
    script.parentNode.insertBefore(host, script.nextSibling);
    if (COLOR.test(color)) {
      host.style.setProperty("--fh-accent", color);
      host.style.setProperty("--fh-on-accent", onAccent(color));
    }
    var shadow = host.attachShadow({ mode: "open" });
    adoptStyles(shadow);
    build(shadow, { origin: origin, lang: lang, ags: ags });
  }

  function build(shadow, opts) {
    var t = function (key, values) { return text(opts.lang, key, values); };
    var input = el("input", { type: "search", id: "fh-q", name: "q", autocomplete: "off" });
    var form = el("form", { role: "search", "aria-label": t("widget.heading") }, [
      el("div", { "class": "fh-field" }, [el("label", { "for": "fh-q" }, [t("widget.search_label")]), input]),
      el("button", { type: "submit" }, [t("widget.submit")])
    ]);
    var status = el("p", { "class": "fh-status", role: "status" });
    var list = el("ol", { "class": "fh-hits" });
    var more = el("a", { href: opts.origin + "/?lang=" + opts.lang + (opts.ags ? "&place=" + opts.ags : ""), target: "_blank", rel: "noopener" }, [t("widget.more")]);
    var root = el("section", { "class": "fh-root", lang: opts.lang, dir: opts.lang === "ar" ? "rtl" : "ltr", "aria-labelledby": "fh-title" }, [
      el("h2", { "class": "fh-title", id: "fh-title" }, [t("widget.heading")]),
      form, status, list, el("p", { "class": "fh-more" }, [more])
    ]);
    shadow.appendChild(root);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      search(input.value.trim());
    });

    function search(q) {
      status.textContent = t("widget.loading");
      var params = new URLSearchParams({ q: q, size: "10" });
      if (opts.ags) { params.append("ags", opts.ags); }
      fetch(opts.origin + "/api/v1/offers?" + params.toString(), { credentials: "omit" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(render)
        .catch(function () { status.textContent = t("widget.failed"); list.textContent = ""; });
    }

    function render(data) {
      list.textContent = "";
      var total = data.total || 0;
      status.textContent = total === 0 ? t("widget.none") : total === 1 ? t("widget.count_one") : t("widget.count", { count: total });
      (data.hits || []).forEach(function (hit) { list.appendChild(item(hit)); });
    }

    function item(hit) {
      var detail = opts.origin + "/angebote/" + encodeURIComponent(hit.id).replace(/%3A/g, ":") + "?lang=" + opts.lang;
      var place = ((hit.locations || [])[0] || {}).city || (hit.online ? t("result.online") : "");
      var meta = [];
      if (hit.provider && hit.provider.name) { meta.push(hit.provider.name); }
      if (place) { meta.push(place); }
      if (typeof hit.distance_km === "number") { meta.push(t(hit.distance_approximate ? "result.distance_approx" : "result.distance", { km: hit.distance_km })); }
      return el("li", {}, [
        el("p", { "class": "fh-hit-title" }, [el("a", { href: detail, target: "_blank", rel: "noopener", lang: "de" }, [
          hit.title, el("span", { "class": "fh-hidden", lang: opts.lang }, [" " + t("result.new_window")])
        ])]),
        el("p", { "class": "fh-meta" }, [meta.join(" · ")]),
        el("a", { "class": "fh-source", href: hit.url, target: "_blank", rel: "noopener" }, [
          t("result.municipality_link"), el("span", { "class": "fh-hidden" }, [" – " + hit.title + " " + t("result.new_window")])
        ])
      ]);
    }

    search("");
  }

  var current = document.currentScript;
  if (current) { mount(current); }
  Array.prototype.forEach.call(document.querySelectorAll("script[src*='/widget.js']"), function (script) {
    if (script.hasAttribute("data-ags") || script.hasAttribute("data-lang")) { mount(script); }
  });
})();
