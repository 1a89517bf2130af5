// paperboy's reader pages: the live preview of the topics field, and no double submits.
// Plain JavaScript, no library. Every text from the server goes into the page through
// textContent / text nodes, never as HTML. Without JavaScript the forms work the same.
(function () {
  'use strict';

  var DEBOUNCE_MS = 250;

  // ---- forms: one submit per click (a double click would confirm twice and get "already used") ----
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.getAttribute('data-submitting') === 'true') {
      event.preventDefault();
      return;
    }
    form.setAttribute('data-submitting', 'true');
    form.querySelectorAll('button[type="submit"]').forEach(function (button) {
      button.setAttribute('aria-disabled', 'true');
    });
  });
  // Back from the next page (back/forward cache): the forms are usable again.
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-submitting]').forEach(function (form) {
      form.removeAttribute('data-submitting');
      form.querySelectorAll('button[aria-disabled]').forEach(function (b) {
        b.removeAttribute('aria-disabled');
      });
    });
  });

  // ---- live preview ----
  var area = document.querySelector('textarea[data-preview]');
  var panel = area && document.getElementById(area.getAttribute('data-preview'));

  // ---- the topic count, against the limit, while typing (the same words as topics-field.ts) ----
  var counter = document.querySelector('[data-role="topic-count"]');
  if (area && counter) {
    var max = Number(counter.getAttribute('data-max'));
    var count = function () {
      var n = area.value.split(/\r\n|\r|\n/).filter(function (l) {
        return l.trim() !== '';
      }).length;
      var over = n > max;
      var text = over ? n + ' topics: a subscription takes up to ' + max + '. Remove ' + (n - max) + '.' : n + ' of ' + max + ' topics';
      if (counter.textContent !== text) counter.textContent = text;
      counter.setAttribute('data-over', over ? 'true' : 'false');
    };
    area.addEventListener('input', count);
    count();
  }
  if (!area || !panel) return;
  // the subscribe page's `/api/preview`, or the preferences page's own (its link's token in the query)
  var endpoint = panel.getAttribute('data-endpoint');
  endpoint += endpoint.indexOf('?') < 0 ? '?' : '&';
  var statusEl = panel.querySelector('[data-role="status"]');
  var resultsEl = panel.querySelector('[data-role="results"]');
  var snapshotEl = panel.querySelector('[data-role="snapshot"]');
  var liveErrors = document.querySelector('[data-role="live-errors"]');
  var liveSummary = document.querySelector('[data-role="live-summary"]');
  var examples = panel.querySelector('[data-role="examples"]');
  var serverErrors = document.getElementById('topics-error');
  // the reader's muted topics (preferences page): marked in the preview, they catch nothing in digests
  var muted = JSON.parse(area.getAttribute('data-muted') || '[]');
  var idleText = statusEl.textContent;
  var timer = 0;
  var controller = null;
  var lastQuery = null;
  var edited = false;

  panel.hidden = false;
  // the newest list's date and size, before anything is typed (a prefilled field previews at once)
  if (area.value.trim() === '') {
    fetch(endpoint + 'topics=', { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && lastQuery === null) showSnapshot(data.snapshot);
      })
      .catch(function () {});
  }

  // an example topic, added as a line of its own
  if (examples) {
    examples.addEventListener('click', function (event) {
      var button = event.target.closest('button[data-example]');
      if (!button) return;
      var topic = button.getAttribute('data-example');
      var current = area.value.replace(/\s+$/, '');
      if (lines().indexOf(topic) < 0) area.value = current ? current + '\n' + topic : topic;
      area.focus();
      window.clearTimeout(timer);
      update();
    });
  }

  area.addEventListener('input', function () {
    if (!edited && serverErrors) {
      // the server's list described what was submitted; the live one takes over
      serverErrors.remove();
      serverErrors = null;
    }
    edited = true;
    window.clearTimeout(timer);
    timer = window.setTimeout(update, DEBOUNCE_MS);
  });
  if (area.value.trim() !== '') update();

  function lines() {
    return area.value.split(/\r\n|\r|\n/).map(function (l) {
      return l.trim();
    });
  }

  function update() {
    var query = lines()
      .filter(function (l) {
        return l !== '';
      })
      .join('\n');
    if (query === lastQuery) return;
    lastQuery = query;
    if (controller) controller.abort();
    controller = null;
    if (examples) examples.hidden = query !== '';
    if (query === '') {
      panel.removeAttribute('aria-busy');
      resultsEl.replaceChildren();
      showLiveErrors([]);
      showSummary('');
      statusEl.textContent = idleText;
      return;
    }
    var mine = new AbortController();
    controller = mine;
    panel.setAttribute('aria-busy', 'true');
    fetch(endpoint + 'topics=' + encodeURIComponent(query), {
      signal: mine.signal,
      headers: { Accept: 'application/json' },
      credentials: 'same-origin',
    })
      .then(function (response) {
        if (response.status === 429) throw new Error('rate');
        if (!response.ok) throw new Error('status ' + response.status);
        return response.json();
      })
      .then(function (data) {
        if (controller !== mine) return; // a newer request is on its way
        render(data);
      })
      .catch(function (error) {
        if (error && error.name === 'AbortError') return;
        if (controller !== mine) return;
        lastQuery = null; // let the next keystroke try again
        statusEl.textContent =
          error && error.message === 'rate'
            ? 'Too many previews in a short time: wait a moment and keep typing.'
            : 'The preview is not available right now. You can still subscribe.';
      })
      .finally(function () {
        if (controller === mine) panel.removeAttribute('aria-busy');
      });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** `text` into `parent`, the [start, end) ranges wrapped in <mark>. */
  function highlighted(parent, text, ranges) {
    var at = 0;
    (ranges || [])
      .slice()
      .sort(function (a, b) {
        return a[0] - b[0];
      })
      .forEach(function (r) {
        var start = Math.max(r[0], at);
        var end = Math.min(r[1], text.length);
        if (end <= start) return;
        if (start > at) parent.appendChild(document.createTextNode(text.slice(at, start)));
        parent.appendChild(el('mark', '', text.slice(start, end)));
        at = end;
      });
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
    return parent;
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  function formatDate(iso) {
    var date = new Date(iso + 'T00:00:00Z');
    if (isNaN(date.getTime())) return iso;
    return date.toLocaleDateString('en', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
  }

  function showSnapshot(snapshot) {
    snapshotEl.textContent = snapshot
      ? 'Hugging Face Daily Papers of ' +
        formatDate(snapshot.capturedAt) +
        ': ' +
        plural(snapshot.papers, 'paper', 'papers') +
        ', ' +
        snapshot.newPapers +
        ' new'
      : 'No Hugging Face Daily Papers listing has been loaded yet, so no paper can match.';
  }

  function render(data) {
    showSnapshot(data.snapshot);

    var sections = [];
    var papers = 0;
    var fresh = 0;
    var broken = [];
    data.topics.forEach(function (t) {
      var section = el('section', 'pv-topic');
      var head = el('div', 'pv-topic-head');
      var h = el('h3');
      h.appendChild(el('span', 'chip', t.topic));
      head.appendChild(h);
      section.appendChild(head);
      if (muted.indexOf(t.topic) >= 0) {
        head.appendChild(el('span', 'pill pill-muted', 'Muted'));
        section.appendChild(el('p', 'pv-none', 'Muted: it catches nothing in your emails and feed until you restore it. What it would catch:'));
      }
      if (t.error) {
        broken.push(t);
        head.appendChild(el('span', 'pv-count', 'needs fixing'));
        var box = el('div', 'pv-error');
        box.appendChild(el('p', '', t.error.message));
        if (typeof t.error.column === 'number' && t.error.column >= 0) {
          var line = el('p', 'pv-line');
          var code = el('code');
          var col = Math.min(t.error.column, t.topic.length);
          code.appendChild(document.createTextNode(t.topic.slice(0, col)));
          code.appendChild(el('span', 'pv-caret', t.topic.slice(col, col + 1) || ' '));
          code.appendChild(document.createTextNode(t.topic.slice(col + 1)));
          line.appendChild(code);
          box.appendChild(line);
        }
        section.appendChild(box);
      } else {
        papers += t.total;
        fresh += t.newTotal;
        head.appendChild(
          el('span', 'pv-count', t.total === 0 ? 'no match' : plural(t.total, 'paper', 'papers') + (t.newTotal ? ', ' + t.newTotal + ' new' : '')),
        );
        if (t.like && !t.like.title) {
          section.appendChild(
            el('p', 'pv-none', 'paperboy has not stored the paper ' + t.like.arxivId + ' yet: this line catches nothing until it appears on the list.'),
          );
        } else if (t.total === 0) {
          section.appendChild(
            el(
              'p',
              'pv-none',
              t.like
                ? 'No paper on the latest list resembles “' + t.like.title + '”. It may catch future ones.'
                : 'No paper on the latest list matches this topic. It may catch future ones.',
            ),
          );
        } else {
          var list = el('ol', 'pv-papers');
          t.papers.forEach(function (p) {
            list.appendChild(paperItem(p, null));
          });
          section.appendChild(list);
          var aside = t.aside || 0;
          var more = t.total - t.papers.length - aside;
          if (more > 0) section.appendChild(el('p', 'pv-more', 'and ' + plural(more, 'more paper', 'more papers')));
          if (aside > 0) section.appendChild(el('p', 'pv-more', plural(aside, 'paper', 'papers') + ' set aside: see “Probably not for you” below'));
        }
      }
      sections.push(section);
    });
    if (data.reader)
      readerGroups(data.reader).forEach(function (group) {
        sections.push(group);
      });
    if (data.overLimit)
      sections.push(el('p', 'pv-note', 'Only the first ' + data.maxTopics + ' topics are shown: a subscription takes up to ' + data.maxTopics + '.'));
    resultsEl.replaceChildren.apply(resultsEl, sections);

    // a paper two topics catch is one paper (as in the digest): the server counts them together
    if (data.caught) {
      papers = data.caught.papers;
      fresh = data.caught['new'];
    }
    var ok = data.topics.length - broken.length;
    var summary =
      ok > 0
        ? plural(ok, 'topic catches', 'topics catch') + ' ' + plural(papers, 'paper', 'papers') + (fresh ? ' (' + fresh + ' new)' : '') + ' on the latest list.'
        : '';
    if (broken.length) summary += (summary ? ' ' : '') + plural(broken.length, 'topic needs', 'topics need') + ' fixing.';
    if (data.reader && ok > 0) summary += ' Ranked for you, from the papers you marked.';
    statusEl.textContent = summary;
    showLiveErrors(broken);
    showSummary(ok > 0 ? plural(papers, 'paper matches', 'papers match') + (fresh ? ' (' + fresh + ' new)' : '') + ': see the preview' : '');
  }

  /** One paper: its title (a link), "new", its reason and its abstract, with their highlights; `topic`: the chip of the topic that caught it. */
  function paperItem(p, topic) {
    var item = el('li', 'pv-paper');
    var link = highlighted(el('a', 'pv-title'), p.title, p.titleRanges);
    link.href = p.url;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    item.appendChild(link);
    if (p.new) {
      var badge = el('span', 'pv-new', 'new');
      badge.title = 'New on the latest list: the kind of paper a digest brings';
      item.appendChild(badge);
    }
    if (topic) {
      var caughtBy = el('p', 'pv-caught-by', 'Caught by ');
      caughtBy.appendChild(el('span', 'chip', topic));
      item.appendChild(caughtBy);
    }
    if (p.reason) item.appendChild(highlighted(el('p', 'pv-reason'), p.reason, p.reasonRanges || []));
    if (p.abstract) item.appendChild(highlighted(el('p', 'pv-abstract'), p.abstract, p.abstractRanges));
    return item;
  }

  /** The preferences page's: what the reader's model sets aside, and what it suggests (the digest's two lines). */
  function readerGroups(reader) {
    var groups = [];
    var group = function (className, heading, note, papers, withTopic) {
      var section = el('section', 'pv-group ' + className);
      var head = el('div', 'pv-topic-head');
      head.appendChild(el('h3', 'pv-group-heading', heading));
      section.appendChild(head);
      section.appendChild(el('p', 'pv-none', note));
      var list = el('ol', 'pv-papers');
      papers.forEach(function (p) {
        list.appendChild(paperItem(p, withTopic ? p.topic : null));
      });
      section.appendChild(list);
      groups.push(section);
      return section;
    };
    if (reader.notForYou && reader.notForYou.total > 0) {
      var aside = group(
        'pv-not-for-you',
        'Probably not for you — like papers you marked not relevant',
        'Your topics catch these, but they resemble papers you marked not relevant: your digest puts them last, under this line.',
        reader.notForYou.papers,
        true,
      );
      var left = reader.notForYou.total - reader.notForYou.papers.length;
      if (left > 0) aside.appendChild(el('p', 'pv-more', 'and ' + plural(left, 'more paper', 'more papers')));
    }
    if (reader.alsoLike && reader.alsoLike.length > 0) {
      group('pv-also-like', 'You may also like', 'No topic catches these, but they resemble papers you marked more like this.', reader.alsoLike, false);
    }
    return groups;
  }

  /** On a phone the preview is below the form: a short line under the field says what it holds. */
  function showSummary(text) {
    if (!liveSummary) return;
    liveSummary.hidden = text === '';
    var link = liveSummary.querySelector('a');
    if (link) link.textContent = text;
  }

  /** Under the field too: "Line 2 "quantum" The quote at column 9 is never closed." */
  function showLiveErrors(broken) {
    if (!liveErrors) return;
    if (!edited && serverErrors) return; // the server's list is still showing
    liveErrors.replaceChildren();
    liveErrors.hidden = broken.length === 0;
    area.setAttribute('aria-invalid', broken.length ? 'true' : 'false');
    if (!broken.length) return;
    var all = lines();
    var list = el('ul', 'line-errors');
    broken.forEach(function (t) {
      var item = el('li');
      var at = all.indexOf(t.topic);
      if (at >= 0) item.appendChild(el('span', 'line-ref', 'Line ' + (at + 1)));
      item.appendChild(document.createTextNode(' '));
      item.appendChild(el('code', '', t.topic));
      item.appendChild(document.createTextNode(' ' + t.error.message));
      list.appendChild(item);
    });
    liveErrors.appendChild(list);
  }
})();
