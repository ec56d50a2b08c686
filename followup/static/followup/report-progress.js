// Live progress of a report run: polls the run's JSON status until it is done or failed. Without
// JavaScript the page refreshes itself (<noscript> meta refresh) and offers a refresh link instead.
(function () {
  "use strict";
  var box = document.querySelector("[data-status-url]");
  if (!box || box.dataset.finished === "true") {
    return; // already finished when the page was made (e.g. Celery ran eagerly)
  }
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-status-label]");
  var percent = box.querySelector("[data-progress-text]");
  var download = box.querySelector("[data-download]");
  var delay = 1000;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    if (label.textContent !== status.status_label) {
      label.textContent = status.status_label; // a live region: announce changes of status only
    }
    if (percent) {
      percent.textContent = status.progress;
    }
  }

  function finish(status) {
    if (status.status === "failed") {
      window.location.reload(); // the server shows the error and the retry button
      return;
    }
    var part = box.querySelector("[data-progress-part]");
    if (part) {
      part.parentNode.removeChild(part);
    }
    if (status.download_url && !download.querySelector("a")) {
      var paragraph = document.createElement("p");
      var link = document.createElement("a");
      link.className = "button";
      link.href = status.download_url;
      link.textContent = box.dataset.downloadLabel;
      paragraph.appendChild(link);
      download.appendChild(paragraph);
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.finished) {
          finish(status);
        } else {
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  poll();
})();
