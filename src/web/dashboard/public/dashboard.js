// The dashboard's one script: while a digest sends, its progress bar and counts follow the delivery
// log (GET …/progress.json every 2 s, the session cookie goes along); it stops once nothing is
// queued, claimed or handed. Without JavaScript the page shows the counts of when it was loaded.
(function () {
  'use strict';
  var tables = document.querySelectorAll('table[data-live]');
  tables.forEach(function (table) {
    var url = table.getAttribute('data-live');
    function tick() {
      fetch(url, { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p) return;
          Object.keys(p.counts).forEach(function (status) {
            var cell = table.querySelector('td[data-count="' + status + '"] a');
            if (cell) cell.textContent = String(p.counts[status]);
          });
          var bar = document.querySelector('progress[data-progress="' + p.id + '"]');
          if (bar) { bar.max = Math.max(p.total, 1); bar.value = p.done; bar.textContent = p.done + ' of ' + p.total; }
          var text = document.querySelector('[data-progress-text="' + p.id + '"]');
          if (text) text.textContent = p.done + ' of ' + p.total;
          if (p.inFlight) { setTimeout(tick, 2000); return; }
          var live = document.querySelector('[data-progress-live="' + p.id + '"]');
          if (live) live.textContent = 'done';
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    setTimeout(tick, 1000);
  });
})();
