// The style and scripts of the web page and the portal embed, compiled in so
// that nothing needs to be installed beside the binary.
#include "api/public_page.h"

namespace danhba::api::page {
namespace {

constexpr std::string_view kAppCss = R"CSS(
:root { --fg: #1a1a1a; --muted: #4a4a4a; --accent: #0b4f8a; --bg: #fff; --line: #d0d7de; --band: #f3f6f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 1; }
header { background: var(--accent); color: #fff; padding: 12px 16px; }
header p { margin: 4px 0 0; font-size: 14px; }
header a { color: #fff; }
.bar { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.brand { font-size: 20px; font-weight: 600; text-decoration: none; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
.search label { display: block; font-weight: 600; margin-bottom: 4px; }
.search .row { display: flex; gap: 8px; }
.search input[type=search] { flex: 1; font-size: 18px; padding: 8px 10px; border: 2px solid var(--muted); border-radius: 4px; min-width: 0; }
.search button { font-size: 16px; padding: 8px 16px; background: var(--accent); color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
.hint { color: var(--muted); font-size: 14px; margin: 4px 0; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--band); }
tbody th { font-weight: 500; }
.tree ul { list-style: none; padding-left: 18px; margin: 0; }
.tree > ul { padding-left: 0; }
.tree li { margin: 3px 0; }
.crumbs ol { list-style: none; padding: 0; margin: 0 0 8px; display: flex; flex-wrap: wrap; gap: 4px; font-size: 14px; }
.crumbs li + li::before { content: "›"; margin-right: 4px; color: var(--muted); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.actions a { margin-right: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 16px; max-width: 560px; }
.card h1 { margin-top: 0; }
.position { color: var(--muted); margin-top: -8px; }
@media (max-width: 640px) {
  thead { display: none; }
  table, tbody, tr, th, td { display: block; width: 100%; }
  tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  th, td { border: 0; padding: 2px 0; }
}
)CSS";

// Search as you type on the home page: the same results as the server-rendered
// form, from the JSON API; without JavaScript the form still works.
constexpr std::string_view kAppJs = R"JS(
(function () {
  'use strict';
  var input = document.getElementById('q');
  var results = document.getElementById('results');
  if (!input || !results) return;
  var en = document.documentElement.lang === 'en';
  var T = en ? { name: 'Name', title: 'Title', agency: 'Agency', email: 'Email', phone: 'Phone',
                 none: 'Nobody found.', results: 'Results for', people: 'people', more: 'More results; type more precisely.' }
             : { name: 'Họ và tên', title: 'Chức vụ', agency: 'Cơ quan', email: 'Thư điện tử', phone: 'Điện thoại',
                 none: 'Không tìm thấy ai.', results: 'Kết quả cho', people: 'người', more: 'Còn nhiều kết quả; hãy gõ cụ thể hơn.' };
  var lang = en ? '?lang=en' : '';
  var timer = null, seq = 0;
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function link(href, text) { return el('a', text, { href: href }); }
  function cell(tag, child) { var c = el(tag); if (child) c.appendChild(typeof child === 'string' ? document.createTextNode(child) : child); return c; }
  function render(q, data) {
    results.textContent = '';
    if (!data.items.length) { results.appendChild(el('p', T.none)); return; }
    var wrap = el('div', null, { 'class': 'table' });
    var table = el('table');
    table.appendChild(el('caption', T.results + ' \u201c' + q + '\u201d: ' + data.total + ' ' + T.people));
    var head = el('thead'), hr = el('tr');
    [T.name, T.title, T.agency, T.email, T.phone].forEach(function (h) { hr.appendChild(el('th', h, { scope: 'col' })); });
    head.appendChild(hr); table.appendChild(head);
    var body = el('tbody');
    data.items.forEach(function (p) {
      var tr = el('tr');
      var th = cell('th', link('/person/' + encodeURIComponent(p.uid) + lang, p.full_name)); th.setAttribute('scope', 'row');
      tr.appendChild(th);
      tr.appendChild(cell('td', p.title || ''));
      tr.appendChild(cell('td', link('/agency/' + encodeURIComponent(p.agency.code) + lang, p.agency.name)));
      tr.appendChild(cell('td', link('mailto:' + p.email, p.email)));
      tr.appendChild(cell('td', p.phone ? link('tel:' + p.phone.replace(/[^0-9+]/g, ''), p.phone) : ''));
      body.appendChild(tr);
    });
    table.appendChild(body); wrap.appendChild(table); results.appendChild(wrap);
    if (data.total > data.items.length) results.appendChild(el('p', T.more, { 'class': 'hint' }));
  }
  function search() {
    var q = input.value.trim();
    var mine = ++seq;
    if (!q) { results.textContent = ''; return; }
    fetch('/api/v1/people?per_page=100&q=' + encodeURIComponent(q))
      .then(function (r) { return r.ok ? r.json() : { items: [], total: 0 }; })
      .then(function (data) {
        if (mine !== seq) return;
        render(q, data);
        var url = new URL(location.href); url.searchParams.set('q', q);
        history.replaceState(null, '', url);
      })
      .catch(function () {});
  }
  input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 150); });
})();
)JS";

// <script src="https://danhba.dongnai.gov.vn/embed.js" data-agency="stttt"></script>
// renders the agency's listing where the tag is, in a shadow root so that the
// portal's CSS and ours do not meet; CSS custom properties on the host
// (--danhba-font, --danhba-accent, ...) style it. Data is inserted as text, never as HTML.
constexpr std::string_view kEmbedJs = R"JS(
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var agency = script.getAttribute('data-agency');
  var withSearch = script.getAttribute('data-search') === 'true';
  var subUnits = script.getAttribute('data-sub-units') === 'true';
  var en = script.getAttribute('data-lang') === 'en';
  var T = en ? { name: 'Name', title: 'Title', email: 'Email', phone: 'Phone', search: 'Search this list',
                 error: 'The directory could not be loaded.', source: 'Source: electronic directory' }
             : { name: 'Họ và tên', title: 'Chức vụ', email: 'Thư điện tử', phone: 'Điện thoại', search: 'Tìm trong danh sách',
                 error: 'Không tải được danh bạ.', source: 'Nguồn: danh bạ điện tử' };
  var host = document.createElement('div');
  host.className = 'danhba-embed';
  var target = script.getAttribute('data-target') && document.getElementById(script.getAttribute('data-target'));
  if (target) target.appendChild(host); else script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: 'open' });
  var style = document.createElement('style');
  style.textContent =
    ':host{display:block;font-family:var(--danhba-font,inherit);color:var(--danhba-color,inherit);font-size:var(--danhba-font-size,inherit)}' +
    'h2{font-size:var(--danhba-title-size,1.25em);color:var(--danhba-accent,#0b4f8a);margin:0 0 .5em}' +
    'a{color:var(--danhba-accent,#0b4f8a)}' +
    'table{border-collapse:collapse;width:100%}' +
    'th,td{text-align:left;padding:var(--danhba-cell-padding,.35em .5em);border-bottom:1px solid var(--danhba-line,#d0d7de);vertical-align:top}' +
    'thead th{background:var(--danhba-head-bg,#f3f6f9)}tbody th{font-weight:500}' +
    'input{font:inherit;padding:.35em .5em;margin:0 0 .5em;width:100%;max-width:24em;box-sizing:border-box}' +
    'label{display:block;font-weight:600}.src{font-size:.85em;opacity:.8}' +
    '@media (max-width:640px){thead{display:none}table,tbody,tr,th,td{display:block;width:100%}th,td{border:0;padding:.1em 0}tr{border-bottom:1px solid var(--danhba-line,#d0d7de);padding:.4em 0}}';
  root.appendChild(style);
  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text != null) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function link(href, text) { return el('a', text, { href: href }); }
  var title = el('h2', agency || '', { part: 'title' });
  root.appendChild(title);
  var input = null;
  if (withSearch) {
    root.appendChild(el('label', T.search, { 'for': 'danhba-q' }));
    input = el('input', null, { id: 'danhba-q', type: 'search', autocomplete: 'off' });
    root.appendChild(input);
  }
  var table = el('table', null, { part: 'table' });
  var head = el('thead'), hr = el('tr');
  [T.name, T.title, T.email, T.phone].forEach(function (h) { hr.appendChild(el('th', h, { scope: 'col' })); });
  head.appendChild(hr); table.appendChild(head);
  var body = el('tbody');
  table.appendChild(body);
  root.appendChild(table);
  var source = el('p', null, { 'class': 'src' });
  source.appendChild(link(base + '/agency/' + encodeURIComponent(agency || '') + (en ? '?lang=en' : ''), T.source));
  root.appendChild(source);
  var people = [];
  function fold(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
  }
  function render() {
    var words = input ? fold(input.value).split(/\s+/).filter(Boolean) : [];
    body.textContent = '';
    people.forEach(function (p) {
      var hay = ' ' + fold(p.full_name + ' ' + (p.title || '') + ' ' + p.email).split(/\s+/).join(' ');
      if (!words.every(function (w) { return hay.indexOf(' ' + w) >= 0; })) return;
      var tr = el('tr');
      tr.appendChild(el('th', p.full_name, { scope: 'row' }));
      tr.appendChild(el('td', p.title || ''));
      var mail = el('td'); mail.appendChild(link('mailto:' + p.email, p.email)); tr.appendChild(mail);
      var phone = el('td');
      if (p.phone) phone.appendChild(link('tel:' + p.phone.replace(/[^0-9+]/g, ''), p.phone));
      tr.appendChild(phone);
      body.appendChild(tr);
    });
  }
  if (input) input.addEventListener('input', render);
  var api = base + '/api/v1/agencies/' + encodeURIComponent(agency || '');
  fetch(api).then(function (r) { if (!r.ok) throw r; return r.json(); })
    .then(function (a) { title.textContent = a.name; });
  fetch(api + '/people?per_page=500' + (subUnits ? '&sub_units=true' : ''))
    .then(function (r) { if (!r.ok) throw r; return r.json(); })
    .then(function (data) { people = data.items; host.setAttribute('data-loaded', String(people.length)); render(); })
    .catch(function () { body.textContent = ''; root.appendChild(el('p', T.error, { role: 'alert' })); host.setAttribute('data-loaded', 'error'); });
})();
)JS";

}  // namespace

http::Response Asset(std::string_view name) {
  if (name == "app.css") return http::Response::Text(200, std::string(kAppCss), "text/css; charset=utf-8");
  if (name == "app.js") return http::Response::Text(200, std::string(kAppJs), "text/javascript; charset=utf-8");
  if (name == "embed.js") {
    auto response = http::Response::Text(200, std::string(kEmbedJs), "text/javascript; charset=utf-8");
    // Portals load it from their own pages: any origin may.
    response.headers.Set("Cross-Origin-Resource-Policy", "cross-origin");
    return response;
  }
  return http::Response::Error(404, "not_found", "no asset '" + std::string(name) + "'");
}

}  // namespace danhba::api::page
