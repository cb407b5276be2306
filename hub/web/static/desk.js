/* The ministry's desk: the coverage map (Leaflet, one circle per municipality with a source,
   coloured by health; the table below carries the same data) and the reindex progress. No
   third-party requests besides the configured map tiles. */
(function () {
  "use strict";
  var COLOURS = {
    fresh: "#0a5c36", stale: "#8a5a00", failing: "#b00020", paused: "#555555",
    pending_deletion: "#6a1b9a", waiting: "#1f4e9c"
  };

  function initMap() {
    var element = document.getElementById("coverage-map");
    if (!element || typeof window.L === "undefined") { return; }
    var config = JSON.parse(element.getAttribute("data-config") || "{}");
    var L = window.L;
    element.hidden = false;
    var map = L.map(element, { keyboard: true, minZoom: 6, maxZoom: 12 });
    map.fitBounds([[50.32, 5.87], [52.53, 9.46]]);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: String(config.tileAttribution || ""), maxZoom: 12 }).addTo(map);
    }
    (config.places || []).forEach(function (place) {
      var colour = COLOURS[place.health] || "#333333";
      var label = place.name + ": " + place.health_de + ", " + place.offers + " Angebote";
      L.circleMarker([place.lat, place.lon], {
        radius: 6, color: colour, fillColor: colour, fillOpacity: 0.8, weight: 1
      }).bindTooltip(label).addTo(map);
    });
  }

  function pollReindex() {
    var box = document.getElementById("reindex-status");
    if (!box || box.getAttribute("data-busy") !== "ja") { return; }
    var url = box.getAttribute("data-url");
    var timer = window.setInterval(function () {
      fetch(url, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (s) {
          var text;
          if (s.state === "running") {
            text = "Neuindizierung läuft: " + s.copied + " von " + s.total + " Angeboten kopiert (" + s.percent + " %).";
          } else if (s.state === "queued") {
            text = "Neuindizierung wartet auf einen Worker.";
          } else if (s.state === "done") {
            text = "Neuindizierung fertig: " + s.documents + " Angebote im neuen Index.";
          } else {
            text = "Neuindizierung fehlgeschlagen: " + (s.message_de || "");
          }
          box.textContent = text;
          if (!s.busy) { window.clearInterval(timer); }
        })
        .catch(function () { window.clearInterval(timer); });
    }, 2000);
  }

  document.addEventListener("DOMContentLoaded", function () { initMap(); pollReindex(); });
})();
