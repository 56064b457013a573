// A page whose content starts with a form (log a session, a new application, a setting): the
// cursor starts in its first field, so a counsellor can type at once. Not when the page chose a
// field itself (autofocus), the address points into the page (#section), or links or buttons
// come first — then the reader is meant to look before typing. A form sent back with errors:
// the cursor waits in the first field to correct (its message is read with it).
(function () {
  var main = document.getElementById("main");
  if (!main || document.querySelector("[autofocus]") || window.location.hash) {
    return;
  }
  var invalid = main.querySelector("form [aria-invalid=true], form .is-invalid");
  if (invalid && invalid.matches("input, select, textarea")) {
    invalid.focus();
    return;
  }
  var first = main.querySelector("a[href], button, input:not([type=hidden]), select, textarea");
  if (!first || !first.form || first.form.hasAttribute("data-no-autofocus")) {
    return;
  }
  if (first.matches("input:not([type=submit]):not([type=button]):not([disabled]), select, textarea")) {
    first.focus({ preventScroll: true });
  }
})();

// The session form's case search (counselling/_case_search.html): while the counsellor types a
// piece of a case code, the unit's matching open cases replace the other entries of the case
// list (the chosen one stays). Without script, the Find button reloads the form with the matches.
(function () {
  var input = document.querySelector("input[data-case-search]");
  var select = input && document.getElementById(input.dataset.caseSelect);
  var searchForm = input && document.getElementById(input.getAttribute("form"));
  if (!select || !searchForm || !window.fetch) {
    return;
  }
  var status = document.getElementById("case-search-status");
  var timer = null;
  var asked = 0;
  function offer(cases) {
    var chosen = select.value;
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (option.value && option.value !== chosen) {
        option.remove();
      }
    });
    cases.forEach(function (row) {
      if (String(row.id) !== chosen) {
        var option = document.createElement("option");
        option.value = row.id;
        option.textContent = row.code;
        select.appendChild(option);
      }
    });
    if (cases.length === 1 && !chosen) {
      select.value = String(cases[0].id);
    }
    status.textContent = cases.length ? input.dataset.foundText + " " + cases.length : input.dataset.noneText;
  }
  function search() {
    var term = input.value.trim();
    var mine = ++asked;
    if (!term) {
      return;
    }
    fetch(input.dataset.caseSearch + "?q=" + encodeURIComponent(term),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (found) { if (mine === asked) { offer(found.cases); } })
      .catch(function () { /* the Find button still works */ });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
})();

// "No case?": a couple or family session saved without a case is asked about once (the question
// sits in counselling/_session_fields.html); the second press of save, or "Save without a case",
// sends the form as it is. Without script the form is sent at once, as before.
(function () {
  Array.prototype.forEach.call(document.querySelectorAll(".no-case-question"), function (question) {
    var form = question.closest("form");
    var caseField = form && form.querySelector("select[name=case]");
    if (!caseField) {
      return;
    }
    var formats = question.dataset.formats.split(" ");
    form.addEventListener("submit", function (event) {
      var format = form.querySelector("input[name=format]:checked");
      if (!question.hidden || caseField.value || !format || formats.indexOf(format.value) < 0) {
        return;
      }
      event.preventDefault();
      question.hidden = false;
      question.querySelector("button[type=submit]").focus();
    });
    question.querySelector("[data-choose-case]").addEventListener("click", function () {
      caseField.focus();
    });
  });
})();
