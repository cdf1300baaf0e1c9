import Crypto
import Foundation
import LibraryDomain
import Mustache
import Replay

/// The HTML report of one cut (docs/reports.md): one self-contained page with the header, the
/// summary, charts over business time drawn as SVG from the activity report, the inventory,
/// loans, anomalies and activity as sortable, filterable tables, and the five JSON reports
/// embedded. Nothing in it points outside the page; the same projection gives the same bytes.
///
/// Page size stays bounded on any log: a table shows its first `tableRows` rows and says how
/// many it left out, and each embedded JSON report holds its list up to `embeddedBytes` bytes
/// of items (the JSON files beside the page have everything).
public struct HTMLReport {
  /// Rows a table shows.
  public static let tableRows = 1_000
  /// Bytes of list items each embedded JSON report may hold.
  public static let embeddedBytes = 3 << 20

  let writer: ReportWriter
  var rows: ReportRows { writer.rows }

  public init(projection: Projection) {
    writer = ReportWriter(projection: projection)
  }

  /// Writes the page.
  public func write(to out: inout some TextOutputStream) {
    out.write(Self.template.render(page()))
  }

  private static let template: MustacheTemplate = {
    do {
      return try MustacheTemplate(string: HTMLTemplate.page)
    } catch {
      preconditionFailure("the HTML template does not parse: \(error)")
    }
  }()

  /// What the template shows, every text still unescaped (the template escapes it).
  struct Page {
    var policy: String
    var version: String
    var at: String
    var knownAt: String
    var loanDays: Int
    var maxLoans: Int
    var head: String
    var every: String
    var style: String
    var script: String
    var summary: [Metric]
    var charts: [Chart]
    var tables: [Table]
    var footer: String
    var data: String
    var leftOut: String?
  }

  struct Metric {
    var name: String
    var value: String
  }

  struct Table {
    struct Column {
      var name: String
      var type: String
    }

    struct Row {
      var anchor: String?
      var cells: [String]
    }

    var id: String
    var title: String
    var count: String
    var columns: [Column]
    var rows: [Row]
  }

  private func page() -> Page {
    let projection = rows.projection
    let (data, leftOut) = embedded()
    let head =
      projection.head.map { "position \($0.position), hash \($0.hash)" } ?? "none (no event)"
    return Page(
      policy: Self.contentSecurityPolicy, version: ShelflogVersion.current, at: rows.at,
      knownAt: rows.knownAt ?? "not given: everything logged", loanDays: projection.policy.loanDays,
      maxLoans: projection.policy.maxLoans, head: head, every: rows.activity.every.rawValue,
      style: HTMLTemplate.style, script: HTMLTemplate.script, summary: summary(),
      charts: charts(), tables: tables(),
      footer: "Made by shelflog \(ShelflogVersion.current) from the event log as of the cut"
        + " above. The JSON reports are embedded in this page (element shelflog-data).",
      data: data, leftOut: leftOut)
  }

  // MARK: - Summary and charts

  private func summary() -> [Metric] {
    let pairs = rows.summary.dropFirst(2) + rows.anomalyCounts.map { ("anomalies: \($0.0)", $0.1) }
    return pairs.map {
      Metric(name: $0.0.replacingOccurrences(of: "_", with: " "), value: $0.1.plain)
    }
  }

  private func charts() -> [Chart] {
    let periods = rows.activity.periods
    guard !periods.isEmpty else { return [] }
    let anomalyTypes = AnomalyType.allCases
    return [
      Chart.lines(
        id: "chart-loans", title: "Copies on loan and open loans at each period's end",
        yLabel: "loans", periods: periods,
        series: [("copies on loan", \.copiesOnLoan), ("open loans", \.openLoans)]),
      Chart.stackedBars(
        id: "chart-events", title: "Events per period, by type", yLabel: "events",
        periods: periods,
        series: [
          ("added", \.added), ("borrowed", \.borrowed), ("returned", \.returned),
          ("removed", \.removed),
        ]),
      Chart.stackedBars(
        id: "chart-anomalies", title: "Anomalies per period, by type", yLabel: "anomalies",
        periods: periods,
        series: anomalyTypes.map { type in (type.rawValue, { $0.anomalies[type] ?? 0 }) }),
    ]
  }

  // MARK: - Tables

  private func tables() -> [Table] {
    let projection = rows.projection
    let numbers = Set(["total", "on_loan", "available", "position"])
    func columns(_ names: [String], numeric: Set<String> = numbers) -> [Table.Column] {
      names.map { Table.Column(name: $0, type: numeric.contains($0) ? "number" : "text") }
    }
    var inventory: [Table.Row] = []
    rows.forEachBook { cells in
      guard inventory.count < Self.tableRows else { return }
      inventory.append(Table.Row(anchor: "isbn-\(cells[0].plain)", cells: cells.map(\.plain)))
    }
    var loans: [Table.Row] = []
    try? rows.forEachUser { user, userLoans in
      for (index, loan) in userLoans.enumerated() {
        guard loans.count < Self.tableRows else { throw TableFull() }
        loans.append(
          Table.Row(
            anchor: index == 0 ? "user-\(user)" : "loan-\(loan.position)",
            cells: [user] + loan.cells.map(\.plain)))
      }
    }
    var anomalies: [Table.Row] = []
    try? rows.forEachAnomaly { cells in
      guard anomalies.count < Self.tableRows else { throw TableFull() }
      anomalies.append(
        Table.Row(anchor: "anomaly-\(cells[2].plain)-\(cells[0].plain)", cells: cells.map(\.plain)))
    }
    var periods: [Table.Row] = []
    rows.forEachPeriod { cells, counts in
      guard periods.count < Self.tableRows else { return }
      periods.append(Table.Row(anchor: nil, cells: (cells + counts.map(\.1)).map(\.plain)))
    }
    let activityColumns = ReportRows.activityColumns + AnomalyType.allCases.sorted().map(\.rawValue)
    return [
      Table(
        id: "inventory", title: "Inventory",
        count: count(inventory.count, of: projection.books.count, "books", file: "inventory.json"),
        columns: columns(ReportRows.inventoryColumns), rows: inventory),
      Table(
        id: "loans", title: "Loans",
        count: count(loans.count, of: projection.loanTotal, "loans", file: "loans.json"),
        columns: columns(["user_id"] + ReportRows.loanColumns), rows: loans),
      Table(
        id: "anomalies", title: "Anomalies",
        count: count(
          anomalies.count, of: projection.anomalyTotal, "anomalies", file: "anomalies.json"),
        columns: columns(ReportRows.anomalyColumns), rows: anomalies),
      Table(
        id: "activity", title: "Activity per \(rows.activity.every.rawValue)",
        count: count(
          periods.count, of: rows.activity.periods.count, "periods", file: "activity.json"),
        columns: columns(activityColumns, numeric: Set(activityColumns.dropFirst(2))), rows: periods
      ),
    ]
  }

  private struct TableFull: Error {}

  private func count(_ shown: Int, of total: Int, _ noun: String, file: String) -> String {
    shown == total
      ? "\(total) \(noun)."
      : "The first \(shown) of \(total) \(noun); \(total - shown) more are left out here (all are in \(file))."
  }

  // MARK: - Embedded JSON

  /// The five JSON reports as one object, escaped for a script element, and what was left out
  /// of them (`{"loans": 1234}`, items per report), nil when nothing was.
  func embedded() -> (String, String?) {
    let projection = rows.projection
    let totals: [ReportName: Int] = [
      .inventory: projection.books.count, .loans: projection.users.count,
      .anomalies: projection.anomalyTotal, .activity: rows.activity.periods.count,
    ]
    var parts: [String] = []
    var leftOut: [(String, Int)] = []
    for name in [ReportName.summary, .inventory, .loans, .activity, .anomalies] {
      var text = ""
      var budget = ListBudget(limit: Self.embeddedBytes)
      writer.writeJSON(name, to: &text, budget: &budget)
      if let total = totals[name], total > budget.items {
        leftOut.append((name.rawValue, total - budget.items))
      }
      if text.hasSuffix("\n") { text.removeLast() }
      parts.append("\(JSONText.string(name.rawValue)): \(text)")
    }
    let object = "{" + parts.joined(separator: ",\n") + "}"
    let note = leftOut.isEmpty ? nil : JSONText.object(leftOut.map { ($0.0, Cell.number($0.1)) })
    return (Self.scriptSafe(object), note)
  }

  /// JSON made safe inside a script element: `<`, `>` and `&` (which appear only inside its
  /// strings) as `\u003c`, `\u003e` and `\u0026`, so no text can close the element.
  static func scriptSafe(_ json: String) -> String {
    guard json.utf8.contains(where: { $0 == 0x3C || $0 == 0x3E || $0 == 0x26 }) else { return json }
    var out = ""
    out.reserveCapacity(json.utf8.count + 64)
    for scalar in json.unicodeScalars {
      switch scalar {
      case "<": out += "\\u003c"
      case ">": out += "\\u003e"
      case "&": out += "\\u0026"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  // MARK: - Content security policy

  /// Nothing may load: no fetch, no font, no frame, no image but `data:`; only this page's own
  /// style and script run (by their SHA-256), so a script slipped into the page would not.
  static let contentSecurityPolicy =
    "default-src 'none'; img-src data:; style-src '\(digest(HTMLTemplate.style))';"
    + " script-src '\(digest(HTMLTemplate.script))'; base-uri 'none'; form-action 'none'"

  private static func digest(_ text: String) -> String {
    "sha256-" + Data(SHA256.hash(data: Data(text.utf8))).base64EncodedString()
  }
}
