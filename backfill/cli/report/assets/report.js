(function () {
  "use strict";
  var list = document.getElementById("detail");
  var empty = document.getElementById("detail-empty");
  function show(cell) {
    var previous = document.querySelector(".day.selected");
    if (previous) { previous.classList.remove("selected"); }
    cell.classList.add("selected");
    list.querySelectorAll("dd[data-field]").forEach(function (field) {
      field.textContent = cell.getAttribute("data-" + field.getAttribute("data-field")) || "\u2014";
    });
    list.hidden = false;
    empty.hidden = true;
  }
  function showHash() {
    var day = location.hash.slice(1);
    var cell = /^\d{4}-\d{2}-\d{2}$/.test(day) && document.querySelector('#calendar .day[data-date="' + day + '"]');
    if (cell) { show(cell); }
  }
  var cells = document.querySelectorAll("#calendar .day");
  cells.forEach(function (cell) {
    cell.addEventListener("click", function () {
      show(cell);
      history.replaceState(null, "", "#" + cell.getAttribute("data-date"));
    });
  });
  window.addEventListener("hashchange", showHash);
  showHash();
  document.body.setAttribute("data-rendered", String(cells.length));
})();
