// Occupation picker: clicking a search result adds it to the chosen list.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-occupation]");
  if (!button) return;
  event.preventDefault();
  var select = document.getElementById(button.dataset.target);
  if (!select) return;
  var value = button.dataset.occupation;
  for (var i = 0; i < select.options.length; i++) {
    if (select.options[i].value === value) { select.options[i].selected = true; return; }
  }
  var option = new Option(button.textContent.trim(), value, true, true);
  select.add(option);
});

// A control marked data-autosubmit sends its form when it changes (the
// language and lab pickers). No inline handlers: the Content-Security-Policy
// forbids them.
document.addEventListener("change", function (event) {
  var control = event.target.closest("[data-autosubmit]");
  if (control && control.form) control.form.submit();
});

// The menu's groups: a click elsewhere or Escape closes an open group.
// Without script they still open and close on their own (<details>).
function closeMenus(except) {
  document.querySelectorAll("details.nav-group[open]").forEach(function (group) {
    if (group !== except) group.removeAttribute("open");
  });
}
document.addEventListener("click", function (event) {
  closeMenus(event.target.closest("details.nav-group"));
});
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape") return;
  var open = document.querySelector("details.nav-group[open]");
  if (!open) return;
  closeMenus(null);
  open.querySelector("summary").focus();
});
