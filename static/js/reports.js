// Polls a report build's (or an import's) status and moves its progress bar; shows the
// download link when done, or with data-reload reloads the page to show the result.
(function () {
  "use strict";
  function watch(box) {
    var bar = box.querySelector("progress");
    var step = box.querySelector(".step");
    var link = box.querySelector("a.download");
    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          step.textContent = state.step || "";
          if (state.status === "done" && box.dataset.reload) {
            bar.value = 100;
            window.location.reload();
          } else if (state.status === "failed" && box.dataset.reload) {
            window.location.reload();
          } else if (state.status === "done") {
            link.href = state.download_url;
            link.classList.remove("d-none");
            bar.value = 100;
          } else if (state.status === "failed") {
            step.textContent = state.error || box.dataset.failedText;
            step.setAttribute("role", "alert");
          } else {
            window.setTimeout(poll, 700);
          }
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    poll();
  }
  document.querySelectorAll(".report-progress[data-status-url]").forEach(watch);
})();
