// A page whose content starts with a form (log a session, a new application, a setting): the
// cursor starts in its first field, so a counsellor can type at once. Not when the page chose a
// field itself (autofocus), the address points into the page (#section), or links or buttons
// come first — then the reader is meant to look before typing.
(function () {
  var main = document.getElementById("main");
  if (!main || document.querySelector("[autofocus]") || window.location.hash) {
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
