// The dashboard's one script: while a digest sends, its progress bar (and, on its page, its counts)
// follow the delivery log — GET …/progress.json every 2 s, the session cookie goes along — until
// nothing is queued, claimed or handed. Without JavaScript a page shows the counts of when it loaded.
(function () {
  'use strict';
  document.querySelectorAll('progress[data-live]').forEach(function (bar) {
    var id = bar.getAttribute('data-progress');
    var url = bar.getAttribute('data-live');
    function tick() {
      fetch(url, { credentials: 'same-origin', cache: 'no-store' })
        .then(function (r) {
          return r.ok ? r.json() : null;
        })
        .then(function (p) {
          if (!p) return;
          bar.max = Math.max(p.total, 1);
          bar.value = p.done;
          bar.textContent = p.done + ' of ' + p.total;
          var text = document.querySelector('[data-progress-text="' + id + '"]');
          if (text) text.textContent = p.done + ' of ' + p.total;
          var table = document.querySelector('table[data-counts="' + id + '"]');
          if (table) {
            Object.keys(p.counts).forEach(function (status) {
              var cell = table.querySelector('td[data-count="' + status + '"] a');
              if (cell) cell.textContent = String(p.counts[status]);
            });
          }
          if (p.inFlight) {
            setTimeout(tick, 2000);
            return;
          }
          var live = document.querySelector('[data-progress-live="' + id + '"]');
          if (live) live.textContent = 'done';
        })
        .catch(function () {
          setTimeout(tick, 5000);
        });
    }
    setTimeout(tick, 1000);
  });
})();
