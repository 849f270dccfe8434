import { createHash } from 'node:crypto';

/**
 * The operator page's style. Colour pairs are Bootstrap's alert pairs (text
 * on background at 7:1 or more), every status shows its word as well as its
 * colour, and the keyboard focus ring is 3 px and never removed.
 */
const STYLE = `
:root { color-scheme: light; --fg: #1b1f23; --bg: #ffffff; --line: #c6ccd2; --head: #eef1f4; --focus: #0b57d0; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: 8px; }
a.skip:focus { left: 8px; z-index: 10; }
header { padding: 12px 20px; background: #1b2a3a; color: #ffffff; display: flex; flex-wrap: wrap; gap: 6px 24px; align-items: baseline; }
header h1 { font-size: 20px; margin: 0; }
header .meta { color: #e3e8ee; }
header a { color: #ffffff; }
nav { padding: 6px 20px; border-bottom: 1px solid var(--line); }
nav a { margin-right: 16px; color: #0b4fb3; }
main { padding: 8px 20px 40px; }
#banner { margin: 10px 0; padding: 10px 14px; border-radius: 4px; display: none; font-weight: 600; }
#banner.show { display: block; }
#banner.lost { background: #f8d7da; color: #842029; }
#banner.restarted { background: #cff4fc; color: #055160; }
#banner.error { background: #fff3cd; color: #664d03; }
.stale table { opacity: 0.6; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); border-radius: 4px; padding: 6px 12px; }
.summary b { display: block; font-size: 18px; }
section { margin-top: 18px; }
section h2 { font-size: 17px; margin: 0 0 4px; }
section p { margin: 0 0 6px; color: #3d444b; }
.scroll { max-height: 60vh; overflow: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e1e5e9; text-align: left; white-space: nowrap; }
th { position: sticky; top: 0; background: var(--head); font-weight: 600; }
td.num { text-align: right; }
tbody tr:hover { background: #f3f6f9; }
tbody tr:focus { outline: 3px solid var(--focus); outline-offset: -3px; background: #e8f0fe; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-weight: 600; font-size: 13px; }
.tone-ok { background: #d1e7dd; color: #0f5132; }
.tone-info { background: #cff4fc; color: #055160; }
.tone-warn { background: #fff3cd; color: #664d03; }
.tone-bad { background: #f8d7da; color: #842029; }
.tone-muted { background: #e2e3e5; color: #41464b; }
caption.visually-hidden { position: absolute; left: -9999px; }
.empty { color: #3d444b; padding: 8px; }
`;

/**
 * The page's script: connects to the event stream, renders each section as
 * a table with textContent only (values from the job never become markup),
 * keeps keyboard focus on the same row across updates, moves it with the
 * arrow keys, and says when the connection is lost or the job restarted.
 */
const SCRIPT = `
(function () {
  'use strict';
  var cfg = JSON.parse(document.getElementById('twinflow-config').textContent);
  var main = document.getElementById('sections');
  var banner = document.getElementById('banner');
  var instanceId = null, lastOk = null, lastDoc = null;

  function setBanner(kind, text) {
    banner.className = kind ? 'show ' + kind : '';
    banner.textContent = text || '';
  }
  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function utc(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1) + '-' + pad(d.getUTCDate()) + ' ' + pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ' UTC';
  }
  function duration(ms) {
    var s = Math.round(ms / 1000);
    if (s < 120) return s + ' s';
    if (s < 7200) return Math.round(s / 60) + ' min';
    return (s / 3600).toFixed(1) + ' h';
  }
  function format(col, v) {
    if (v === null || v === undefined || v === '') return '\\u2014';
    var digits = col.digits === undefined ? 1 : col.digits;
    switch (col.kind) {
      case 'number': return typeof v === 'number' ? v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : String(v);
      case 'ratio': return typeof v === 'number' ? (100 * v).toFixed(digits) + ' %' : String(v);
      case 'eventTime': return typeof v === 'number' ? utc(v) : String(v);
      case 'durationMs': return typeof v === 'number' ? duration(v) : String(v);
      default: return String(v);
    }
  }
  function cell(col, v) {
    var td = document.createElement('td');
    td.setAttribute('data-col', col.key);
    if (col.kind === 'status' && v !== null && v !== undefined && v !== '') {
      var span = document.createElement('span');
      span.className = 'badge tone-' + ((col.tones && col.tones[v]) || 'muted');
      span.textContent = String(v);
      td.appendChild(span);
    } else {
      td.textContent = format(col, v);
      if (col.kind === 'number' || col.kind === 'ratio' || col.kind === 'durationMs') td.className = 'num';
    }
    return td;
  }
  function sectionElement(s) {
    var el = document.getElementById('section-' + s.id);
    if (el) return el;
    el = document.createElement('section');
    el.id = 'section-' + s.id;
    el.setAttribute('aria-labelledby', 'title-' + s.id);
    var h2 = document.createElement('h2');
    h2.id = 'title-' + s.id;
    h2.tabIndex = -1;
    el.appendChild(h2);
    var p = document.createElement('p');
    el.appendChild(p);
    var scroll = document.createElement('div');
    scroll.className = 'scroll';
    var table = document.createElement('table');
    table.id = 'table-' + s.id;
    var caption = document.createElement('caption');
    caption.className = 'visually-hidden';
    table.appendChild(caption);
    table.appendChild(document.createElement('thead'));
    table.appendChild(document.createElement('tbody'));
    table.addEventListener('keydown', onKey);
    scroll.appendChild(table);
    el.appendChild(scroll);
    main.appendChild(el);
    var link = document.createElement('a');
    link.href = '#title-' + s.id;
    link.textContent = s.title;
    document.getElementById('toc').appendChild(link);
    return el;
  }
  function onKey(e) {
    var row = e.target.closest && e.target.closest('tbody tr');
    if (!row) return;
    var rows = Array.prototype.slice.call(row.parentNode.children);
    var i = rows.indexOf(row), next = null;
    if (e.key === 'ArrowDown') next = rows[i + 1];
    else if (e.key === 'ArrowUp') next = rows[i - 1];
    else if (e.key === 'Home') next = rows[0];
    else if (e.key === 'End') next = rows[rows.length - 1];
    else if (e.key === 'PageDown') next = rows[Math.min(rows.length - 1, i + 10)];
    else if (e.key === 'PageUp') next = rows[Math.max(0, i - 10)];
    if (!next) return;
    e.preventDefault();
    row.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
  function renderSection(s) {
    var el = sectionElement(s);
    el.querySelector('h2').textContent = s.title + ' (' + s.rows.length + ')';
    el.querySelector('p').textContent = s.description || '';
    var table = el.querySelector('table');
    table.querySelector('caption').textContent = s.title;
    var thead = table.querySelector('thead');
    if (!thead.firstChild) {
      var hr = document.createElement('tr');
      s.columns.forEach(function (c) {
        var th = document.createElement('th');
        th.scope = 'col';
        th.textContent = c.label;
        hr.appendChild(th);
      });
      thead.appendChild(hr);
    }
    var tbody = table.querySelector('tbody');
    var focused = document.activeElement && document.activeElement.parentNode === tbody ? document.activeElement.getAttribute('data-key') : null;
    var current = tbody.querySelector('tr[tabindex="0"]');
    var currentKey = current ? current.getAttribute('data-key') : null;
    var frag = document.createDocumentFragment();
    var restore = null, anyTabbable = false;
    s.rows.forEach(function (r) {
      var tr = document.createElement('tr');
      var key = String(r[s.rowKey]);
      tr.setAttribute('data-key', key);
      tr.tabIndex = key === currentKey ? 0 : -1;
      if (key === currentKey) anyTabbable = true;
      s.columns.forEach(function (c) { tr.appendChild(cell(c, r[c.key])); });
      if (key === focused) restore = tr;
      frag.appendChild(tr);
    });
    if (!anyTabbable && frag.firstChild) frag.firstChild.tabIndex = 0;
    tbody.replaceChildren(frag);
    if (s.rows.length === 0) {
      var tr = document.createElement('tr');
      var td = document.createElement('td');
      td.colSpan = s.columns.length;
      td.className = 'empty';
      td.textContent = 'none yet';
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    if (restore) restore.focus();
  }
  function render(doc) {
    lastDoc = doc;
    document.getElementById('status').textContent = doc.status;
    document.getElementById('event-time').textContent = doc.eventTime === null ? 'no data yet' : utc(doc.eventTime);
    document.getElementById('updated').textContent = new Date(doc.generatedAt).toLocaleTimeString();
    var summary = document.getElementById('summary');
    var items = document.createDocumentFragment();
    (doc.summary || []).forEach(function (s) {
      var li = document.createElement('li');
      li.textContent = s.label;
      var b = document.createElement('b');
      b.textContent = s.value;
      li.appendChild(b);
      items.appendChild(li);
    });
    summary.replaceChildren(items);
    doc.sections.forEach(renderSection);
  }
  function onView(e) {
    var doc = JSON.parse(e.data);
    document.body.classList.remove('stale');
    if (instanceId !== null && doc.instance.id !== instanceId) {
      setBanner('restarted', 'The job restarted at ' + doc.instance.startedAt + '. The figures below are from the new run, which started empty.');
      main.replaceChildren();
      document.getElementById('toc').replaceChildren();
    } else if (banner.className.indexOf('lost') >= 0 || banner.className.indexOf('error') >= 0) {
      setBanner('', '');
    }
    instanceId = doc.instance.id;
    lastOk = Date.now();
    render(doc);
  }
  var source = new EventSource(cfg.events);
  source.addEventListener('view', onView);
  source.addEventListener('view-error', function (e) {
    setBanner('error', 'The job could not make its view: ' + JSON.parse(e.data).message);
  });
  source.onerror = function () {
    document.body.classList.add('stale');
    var since = lastOk === null ? 'before any data arrived' : 'the figures below are as of ' + new Date(lastOk).toLocaleTimeString();
    var ended = lastDoc && lastDoc.status === 'finished' ? 'The run finished and its server stopped' : 'Connection to the job lost';
    setBanner('lost', ended + '; retrying every 2 s (' + since + ').');
  };
})();
`;

/** The page and the Content-Security-Policy that allows exactly its inline script and style. */
export interface LiveViewPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside a script element: `<` escaped so no value can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * The live operator page: one HTML document, its style and script inline,
 * that reads the job's event stream and draws its sections as tables. The
 * CSP allows only that script and style (by hash) and connections to this
 * server: no CDN, nothing from elsewhere, no form to submit.
 *
 * @example
 * const page = liveViewPage({ title: 'machine-health', paths: { events: '/api/v1/events', view: '/api/v1/view' } });
 * res.setHeader('Content-Security-Policy', page.contentSecurityPolicy); res.end(page.html);
 */
export function liveViewPage(options: {
  readonly title: string;
  readonly paths: { readonly events: string; readonly view: string };
}): LiveViewPage {
  const title = escapeHtml(options.title);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — twinflow live view</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#sections">Skip to the tables</a>
<header>
<h1>${title}</h1>
<span class="meta">status: <span id="status">connecting</span></span>
<span class="meta">event time: <span id="event-time">—</span></span>
<span class="meta">updated: <span id="updated">—</span></span>
<span class="meta">read-only · <a href="${escapeHtml(options.paths.view)}">JSON</a></span>
</header>
<nav id="toc" aria-label="Sections"></nav>
<main>
<div id="banner" role="status" aria-live="polite"></div>
<ul class="summary" id="summary" aria-label="Summary"></ul>
<div id="sections"></div>
</main>
<script type="application/json" id="twinflow-config">${scriptJson({ events: options.paths.events })}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
