// After a passkey is registered (django-otp-webauthn's event): the two-factor page again, which
// lists it and, for a first second factor, shows the recovery codes once.
document.addEventListener("otp_webauthn.register_complete", function () {
  var after = document.querySelector("[data-passkey-after]");
  window.location.assign(after ? after.getAttribute("data-passkey-after") : window.location.pathname);
});
