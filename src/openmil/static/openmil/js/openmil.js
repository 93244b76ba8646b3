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
