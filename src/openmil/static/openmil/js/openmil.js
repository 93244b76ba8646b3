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
