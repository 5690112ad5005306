// The live decisions feed: server-sent events from /decisions/stream, each carrying the rows
// recorded since the last one this page has. EventSource reconnects by itself, resuming from
// the last event id.
(function () {
  "use strict";
  function start() {
    var table = document.getElementById("feed");
    if (!table || !window.EventSource) return;
    var state = document.getElementById("feed-state");
    var body = table.tBodies[0];
    var source = new EventSource(table.dataset.stream + "&after=" + table.dataset.last);
    source.addEventListener("open", function () { state.textContent = "live feed: connected"; });
    source.addEventListener("error", function () { state.textContent = "live feed: reconnecting…"; });
    source.addEventListener("rows", function (event) {
      var data = JSON.parse(event.data);
      var holder = document.createElement("tbody");
      holder.innerHTML = data.html;
      var rows = Array.prototype.slice.call(holder.rows);
      for (var i = rows.length - 1; i >= 0; i--) {
        rows[i].classList.add("fresh");
        body.insertBefore(rows[i], body.firstChild);
      }
      var empty = document.getElementById("feed-empty");
      if (empty) empty.remove();
      while (body.rows.length > 200) body.deleteRow(body.rows.length - 1);
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
