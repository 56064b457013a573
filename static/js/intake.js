// New application: the exception reason is asked only for "other — by exception".
(function () {
  "use strict";
  var municipality = document.getElementById("id_municipality");
  var reason = document.getElementById("exception-reason");
  if (!municipality || !reason) {
    return;
  }
  function update() {
    reason.hidden = municipality.value !== "other";
  }
  municipality.addEventListener("change", update);
  update();
})();
