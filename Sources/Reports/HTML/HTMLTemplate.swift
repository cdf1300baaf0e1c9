/// The HTML report's template (swift-mustache), its style sheet and its script: the page's
/// markup in one place. `{{name}}` is escaped for HTML (text and attribute values alike);
/// `{{{name}}}` is inserted as is and is used only for the style, the script and the embedded
/// JSON, which shelflog escapes itself (`HTMLReport.embedded`).
enum HTMLTemplate {
  static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta http-equiv="Content-Security-Policy" content="{{policy}}">
    <meta name="generator" content="shelflog {{version}}">
    <link rel="icon" href="data:,">
    <title>Library report at {{at}}</title>
    <style>{{{style}}}</style>
    </head>
    <body>
    <header>
    <h1>Library report at {{at}}</h1>
    <dl class="cut">
    <dt>At</dt><dd>{{at}}</dd>
    <dt>Known at</dt><dd>{{knownAt}}</dd>
    <dt>Policy</dt><dd>{{loanDays}} loan days, at most {{maxLoans}} open loans a user</dd>
    <dt>Log head</dt><dd>{{head}}</dd>
    <dt>Made by</dt><dd>shelflog {{version}}</dd>
    </dl>
    <nav><a href="#summary">Summary</a> <a href="#charts">Charts</a> <a href="#inventory">Inventory</a> <a href="#loans">Loans</a> <a href="#anomalies">Anomalies</a> <a href="#activity">Activity</a></nav>
    </header>
    <main>
    <section id="summary">
    <h2>Summary</h2>
    <table class="summary">
    {{#summary}}<tr><th scope="row">{{name}}</th><td class="number">{{value}}</td></tr>
    {{/summary}}</table>
    </section>
    <section id="charts">
    <h2>Over business time ({{every}})</h2>
    {{^charts}}<p>No period to chart: no event was applied by this cut.</p>{{/charts}}
    {{#charts}}<figure>
    <svg id="{{id}}" role="img" aria-labelledby="{{id}}-title {{id}}-desc" viewBox="0 0 720 290" width="720" height="290" xmlns="http://www.w3.org/2000/svg">
    <title id="{{id}}-title">{{title}}</title>
    <desc id="{{id}}-desc">{{description}}</desc>
    <text class="chart-title" x="72" y="14">{{title}}</text>
    {{#legend}}<rect x="{{x}}" y="{{y}}" width="10" height="10" fill="{{color}}"/><text class="legend" x="{{x}}" y="{{baseline}}" dx="14">{{name}}</text>
    {{/legend}}{{#frame}}<line class="axis" x1="{{left}}" y1="{{bottom}}" x2="{{right}}" y2="{{bottom}}"/>
    <line class="axis" x1="{{left}}" y1="{{top}}" x2="{{left}}" y2="{{bottom}}"/>
    {{/frame}}{{#yTicks}}<text class="tick" x="{{x}}" y="{{y}}" text-anchor="end">{{label}}</text>
    {{/yTicks}}{{#xTicks}}<text class="tick" x="{{x}}" y="{{y}}" text-anchor="middle">{{label}}</text>
    {{/xTicks}}{{#frame}}<text class="axis-label" x="{{yLabelX}}" y="{{yLabelY}}" transform="rotate(-90 {{yLabelX}} {{yLabelY}})" text-anchor="middle">{{/frame}}{{yLabel}}</text>
    {{#frame}}<text class="axis-label" x="{{xLabelX}}" y="{{xLabelY}}" text-anchor="middle">period start</text>
    {{/frame}}{{#bars}}<rect x="{{x}}" y="{{y}}" width="{{width}}" height="{{height}}" fill="{{color}}"><title>{{label}}</title></rect>
    {{/bars}}{{#lines}}<polyline points="{{points}}" fill="none" stroke="{{color}}" stroke-width="2"><title>{{name}}</title></polyline>
    {{/lines}}</svg>
    </figure>
    {{/charts}}</section>
    {{#tables}}<section id="{{id}}">
    <h2>{{title}}</h2>
    <p class="count">{{count}}</p>
    <input type="search" class="filter" data-table="{{id}}-table" placeholder="Filter these rows" aria-label="Filter the {{id}} rows" hidden>
    <div class="scroll"><table id="{{id}}-table" class="data sortable">
    <thead><tr>{{#columns}}<th scope="col" data-type="{{type}}">{{name}}</th>{{/columns}}</tr></thead>
    <tbody>
    {{#rows}}<tr{{#anchor}} id="{{.}}"{{/anchor}}>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/rows}}</tbody>
    </table></div>
    </section>
    {{/tables}}</main>
    <footer><p>{{footer}}</p></footer>
    <script type="application/json" id="shelflog-data"{{#leftOut}} data-left-out="{{.}}"{{/leftOut}}>{{{data}}}</script>
    <script>{{{script}}}</script>
    </body>
    </html>

    """

  static let style = """
    :root { color-scheme: light; --ink: #1d2327; --muted: #5f6b73; --rule: #d7dde1; --band: #f4f6f8; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
    h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
    h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--rule); padding-bottom: .25rem; }
    dl.cut { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
    dl.cut dt { color: var(--muted); }
    dl.cut dd { margin: 0; overflow-wrap: anywhere; }
    nav a { margin-right: .9rem; }
    table { border-collapse: collapse; }
    table.summary th { text-align: left; font-weight: normal; color: var(--muted); padding: .15rem 1.5rem .15rem 0; }
    td.number, table.summary td { font-variant-numeric: tabular-nums; text-align: right; }
    .scroll { overflow-x: auto; }
    table.data { width: 100%; font-size: .9rem; }
    table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: .25rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
    table.data thead th { position: sticky; top: 0; background: var(--band); cursor: pointer; white-space: nowrap; }
    table.data th[aria-sort=ascending]::after { content: " \\25B2"; }
    table.data th[aria-sort=descending]::after { content: " \\25BC"; }
    table.data tbody tr:nth-child(even) { background: var(--band); }
    input.filter { margin: 0 0 .5rem; padding: .3rem .5rem; width: min(24rem, 100%); }
    p.count, footer { color: var(--muted); }
    figure { margin: 0 0 1rem; }
    svg { max-width: 100%; height: auto; }
    svg text { font: 11px system-ui, sans-serif; fill: var(--ink); }
    svg .chart-title { font-size: 13px; font-weight: 600; }
    svg .axis { stroke: var(--muted); }
    code { font-size: .85rem; }
    @media print {
      body { max-width: none; padding: 0; font-size: 10pt; }
      nav, input.filter { display: none; }
      .scroll { overflow: visible; }
      table.data thead th { position: static; }
      tr, figure { break-inside: avoid; }
      h2 { break-after: avoid; }
      a { color: inherit; text-decoration: none; }
    }
    """

  static let script = """
    (function () {
      "use strict";
      function value(row, index, numeric) {
        var text = row.cells[index].textContent;
        return numeric ? (text === "" ? -Infinity : Number(text)) : text;
      }
      Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
        var body = table.tBodies[0];
        var heads = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads, function (head, index) {
          head.tabIndex = 0;
          head.setAttribute("aria-sort", "none");
          function sort() {
            var ascending = head.getAttribute("aria-sort") !== "ascending";
            var numeric = head.getAttribute("data-type") === "number";
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = value(a, index, numeric), y = value(b, index, numeric);
              var order = x < y ? -1 : x > y ? 1 : 0;
              return ascending ? order : -order;
            });
            Array.prototype.forEach.call(heads, function (other) { other.setAttribute("aria-sort", "none"); });
            head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
            rows.forEach(function (row) { body.appendChild(row); });
          }
          head.addEventListener("click", sort);
          head.addEventListener("keydown", function (event) {
            if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
          });
        });
      });
      Array.prototype.forEach.call(document.querySelectorAll("input.filter"), function (input) {
        var table = document.getElementById(input.getAttribute("data-table"));
        input.hidden = false;
        input.addEventListener("input", function () {
          var needle = input.value.toLowerCase();
          Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
            row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
          });
        });
      });
    })();
    """
}
