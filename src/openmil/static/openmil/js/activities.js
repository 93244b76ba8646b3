// Attendance grid: a refused mark shows the reason and the cell goes back.
document.addEventListener("htmx:responseError", function (event) {
  var select = event.detail.elt;
  if (!select || !select.closest(".att-cell")) return;
  var box = document.getElementById("att-error");
  if (box) box.textContent = event.detail.xhr.responseText;
  select.value = select.dataset.initial || "";
});
