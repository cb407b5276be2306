/* Planning page: municipalities with gaps on a Leaflet map (circle size = inhabitants). The
   table of gaps below carries the same facts, so the map is an addition, not the only way. */
(function () {
  "use strict";
  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }
  function start() {
    var element = document.getElementById("gap-map");
    if (!element || typeof L === "undefined") { return; }
    var config = JSON.parse(element.getAttribute("data-config") || "{}");
    var points = config.points || [];
    if (!points.length) { return; }
    element.hidden = false;
    var map = L.map(element, { keyboard: true, minZoom: 6, maxZoom: 14 });
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: escapeText(config.tileAttribution || ""), maxZoom: 14 }).addTo(map);
    }
    var bounds = [];
    points.forEach(function (p) {
      var radius = Math.max(5, Math.min(30, Math.sqrt(p.population) / 20));
      var label = p.name + ": " + p.gaps + " von " + p.cells + " Feldern ohne Angebot in Reichweite, " +
        p.population.toLocaleString("de-DE") + " Einwohner";
      L.circleMarker([p.lat, p.lon], { radius: radius, color: "#b00020", weight: 2, fillOpacity: 0.35 })
        .bindPopup(escapeText(label)).bindTooltip(escapeText(label)).addTo(map);
      bounds.push([p.lat, p.lon]);
    });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
