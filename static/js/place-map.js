/* Draws a Leaflet map for a meeting place from the data- attributes of #place-map.
   Progressive enhancement: without JavaScript, Leaflet or tiles the page still shows the address,
   the coordinates and a link to OpenStreetMap. An empty data-tiles means "no tile server". */
(function () {
  "use strict";
  function draw() {
    var element = document.getElementById("place-map");
    if (!element || typeof window.L === "undefined" || !element.dataset.tiles) {
      return;
    }
    var lat = parseFloat(element.dataset.lat);
    var lon = parseFloat(element.dataset.lon);
    if (isNaN(lat) || isNaN(lon)) {
      return;
    }
    element.style.height = "20em";
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", element.dataset.label || "");
    var map = window.L.map(element, { scrollWheelZoom: false }).setView([lat, lon], 15);
    window.L.tileLayer(element.dataset.tiles, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap"
    }).addTo(map);
    window.L.marker([lat, lon], { title: element.dataset.name, alt: element.dataset.name }).addTo(map);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
