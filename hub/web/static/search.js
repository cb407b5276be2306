/* Familienhub NRW search page: suggestions while typing, focus after a search, and the map.
   Progressive enhancement only: the page works without this file. No third-party requests
   besides the configured map tiles. */
(function () {
  "use strict";
  var section = document.getElementById("map-section");
  var config = section ? JSON.parse(section.getAttribute("data-config") || "{}") : {};
  var messages = config.messages || {};

  function msg(key, values) {
    var text = messages[key] || key;
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function query(params) {
    return params.map(function (p) {
      return encodeURIComponent(p[0]) + "=" + encodeURIComponent(p[1]);
    }).join("&");
  }

  /* ---- focus: errors first, else the results of a submitted search ---- */
  function manageFocus() {
    var errors = document.getElementById("error-summary");
    if (errors) { errors.focus(); return; }
    var params = new URLSearchParams(window.location.search);
    var asked = false;
    params.forEach(function (value, key) { if (key !== "lang" && value) { asked = true; } });
    var heading = document.getElementById("results-heading");
    if (asked && heading) { heading.focus(); }
  }

  /* ---- filters open on wide screens ---- */
  function openFiltersOnWideScreens() {
    var filters = document.getElementById("filters");
    if (filters && window.matchMedia("(min-width: 48rem)").matches) { filters.open = true; }
  }

  /* ---- suggestions (datalist) ---- */
  function suggestions() {
    var input = document.getElementById("q");
    var list = document.getElementById("q-suggestions");
    if (!input || !list || !config.suggestUrl) { return; }
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === last) { return; }
        last = text;
        fetch(config.suggestUrl + "?" + query([["q", text], ["lang", config.lang]]))
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) { fillList(list, data); })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  }

  function fillList(list, data) {
    var items = Array.isArray(data) ? data : (data.suggestions || data.completions || []);
    list.textContent = "";
    items.slice(0, 8).forEach(function (item) {
      var option = document.createElement("option");
      option.value = typeof item === "string" ? item : (item.text || item.title || "");
      if (option.value) { list.appendChild(option); }
    });
  }

  /* ---- map with server-side clusters ---- */
  function initMap() {
    var element = document.getElementById("map");
    if (!element || !config.clusterUrl || typeof window.L === "undefined") { return; }
    var L = window.L;
    element.hidden = false;
    var listBox = document.getElementById("map-list-box");
    var list = document.getElementById("map-list");
    listBox.hidden = false;
    var map = L.map(element, { keyboard: true, minZoom: 6, maxZoom: 18 });
    map.fitBounds([[50.32, 5.87], [52.53, 9.46]]);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: escapeText(config.tileAttribution || ""), maxZoom: 18 }).addTo(map);
    }
    var layer = L.layerGroup().addTo(map);
    var fitted = false;
    var pending = null;

    function load() {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var params = [["bbox", map.getBounds().toBBoxString()], ["zoom", String(map.getZoom())]]
        .concat(config.filters || []);
      fetch(config.clusterUrl + "?" + query(params), { signal: pending.signal })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (clusters) {
          if (!fitted && clusters.length) {
            fitted = true;
            var bounds = L.latLngBounds(clusters.map(function (c) { return [c.lat, c.lon]; }));
            if (bounds.isValid() && !bounds.getNorthEast().equals(bounds.getSouthWest())) {
              map.fitBounds(bounds.pad(0.15), { maxZoom: 13 });
              return;
            }
          }
          draw(clusters);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") { status(msg("map.failed")); }
        });
    }

    function draw(clusters) {
      layer.clearLayers();
      list.textContent = "";
      clusters.forEach(function (cluster) {
        var marker = cluster.count === 1 && cluster.offer_id ? single(cluster) : group(cluster);
        layer.addLayer(marker);
      });
      listBox.querySelector("summary").textContent = msg("map.list_summary", { count: clusters.length });
      if (!clusters.length) { status(msg("map.empty")); }
    }

    function detailUrl(id) {
      return config.detailBase + encodeURIComponent(id).replace(/%3A/g, ":") + "?lang=" + config.lang;
    }

    function single(cluster) {
      var label = msg("map.single", { title: cluster.title || cluster.offer_id });
      var marker = L.marker([cluster.lat, cluster.lon], { title: label, alt: label, keyboard: true });
      marker.on("click", function () { window.location.href = detailUrl(cluster.offer_id); });
      marker.on("add", function () {
        var el = marker.getElement();
        if (el) { el.setAttribute("role", "link"); el.setAttribute("aria-label", label); }
      });
      addListItem(function (li) {
        var a = document.createElement("a");
        a.href = detailUrl(cluster.offer_id);
        a.textContent = cluster.title || cluster.offer_id;
        li.appendChild(a);
      });
      return marker;
    }

    function group(cluster) {
      var size = cluster.count < 10 ? "small" : cluster.count < 100 ? "medium" : "large";
      var inner = document.createElement("div");
      var span = document.createElement("span");
      span.textContent = String(cluster.count);
      inner.appendChild(span);
      var icon = L.divIcon({ html: inner, className: "marker-cluster marker-cluster-" + size, iconSize: L.point(40, 40) });
      var label = msg("map.zoom_to", { count: cluster.count });
      var marker = L.marker([cluster.lat, cluster.lon], { icon: icon, title: label, keyboard: true });
      function zoomIn() { map.setView([cluster.lat, cluster.lon], Math.min(map.getZoom() + 2, 18)); }
      marker.on("click", zoomIn);
      marker.on("add", function () {
        var el = marker.getElement();
        if (el) { el.setAttribute("aria-label", label); }
      });
      addListItem(function (li) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = label;
        button.addEventListener("click", function () { zoomIn(); element.focus(); });
        li.appendChild(button);
      });
      return marker;
    }

    function addListItem(fill) {
      var li = document.createElement("li");
      fill(li);
      list.appendChild(li);
    }

    function status(text) {
      list.textContent = "";
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    }

    map.on("moveend", load);
    load();
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  document.addEventListener("DOMContentLoaded", function () {
    openFiltersOnWideScreens();
    suggestions();
    initMap();
    manageFocus();
  });
})();
