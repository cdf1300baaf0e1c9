import LibraryDomain
import Replay

/// Writes the reports of one projection. Same projection and flags, same bytes: nothing here
/// reads a clock.
public struct ReportWriter {
  let rows: ReportRows
  /// How `table` output fits a terminal.
  let layout: TerminalLayout

  public init(
    projection: Projection, filter: ReportFilter = ReportFilter(),
    layout: TerminalLayout = TerminalLayout()
  ) {
    rows = ReportRows(projection: projection, filter: filter)
    self.layout = layout
  }

  /// Writes one report in one format. `html` is not written here (see the executable).
  public func write(
    _ name: ReportName, as format: ReportFormat, to out: inout some TextOutputStream
  ) {
    switch format {
    case .json: writeJSON(name, to: &out)
    case .csv: writeTable(name, style: .csv, to: &out)
    case .md: writeTable(name, style: .markdown, to: &out)
    case .table: writeTable(name, style: .terminal, to: &out)
    case .html: out.write("")
    }
  }

  // MARK: - Tables

  private func writeTable(
    _ name: ReportName, style: TableStyle, to out: inout some TextOutputStream
  ) {
    var table = TableWriter(style: style, title: title(name))
    table.layout = layout
    switch name {
    case .summary:
      let pairs =
        rows.summary + rows.anomalyCounts.map { ("anomalies.\($0.0)", $0.1) } + [
          ("log_head", rows.logHead)
        ]
      if style == .csv {
        // CSV consumers get one wide row under a header of metric names.
        table.begin(pairs.map(\.0), to: &out)
        table.row(pairs.map(\.1), to: &out)
      } else {
        table.begin(["metric", "value"], to: &out)
        for (key, value) in pairs { table.row([.text(key), value], to: &out) }
      }
    case .inventory:
      table.begin(ReportRows.inventoryColumns, to: &out)
      rows.forEachBook { table.row($0, to: &out) }
    case .loans:
      table.begin(["user_id"] + ReportRows.loanColumns, to: &out)
      rows.forEachUser { user, loans in
        for loan in loans { table.row([.text(user)] + loan.cells, to: &out) }
      }
    case .anomalies:
      table.begin(ReportRows.anomalyColumns, to: &out)
      rows.forEachAnomaly { table.row($0, to: &out) }
    case .activity:
      let types = AnomalyType.allCases.sorted().map { "anomalies.\($0.rawValue)" }
      table.begin(ReportRows.activityColumns + types, to: &out)
      rows.forEachPeriod { cells, anomalies in table.row(cells + anomalies.map(\.1), to: &out) }
    }
    table.end(to: &out)
  }

  private func title(_ name: ReportName) -> String {
    let known = rows.knownAt.map { ", as known at \($0)" } ?? ""
    return "\(name.rawValue) at \(rows.at)\(known)"
  }
}
