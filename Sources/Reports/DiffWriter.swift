import LibraryDomain
import Replay

/// Writes a restatement (`shelflog diff`) as JSON, Markdown or terminal tables; keys and order
/// as docs/reports.md gives them.
public struct DiffWriter: DocumentWriter {
  let diff: Restatement
  let layout: TerminalLayout

  public init(_ diff: Restatement, layout: TerminalLayout = TerminalLayout()) {
    self.diff = diff
    self.layout = layout
  }

  /// Writes it in `json`, `md` or `table` (any other format is not written).
  public func write(as format: ReportFormat, to out: inout some TextOutputStream) {
    writeDocument(as: format, to: &out)
  }

  // MARK: - Rows

  private static let bookColumns = ["total", "on_loan", "available", "status"]

  private func side(_ side: Restatement.Side) -> [(String, Cell)] {
    [
      ("at", .text(side.cut.at.description)),
      ("known_at", .optional(side.cut.knownAt?.description)),
      ("log_head", .optional(side.logHead)),
    ]
  }

  private func figures(_ figures: Restatement.BookFigures?) -> [Cell] {
    guard let figures else { return Self.bookColumns.map { _ in .null } }
    return [
      .number(figures.total), .number(figures.onLoan), .number(figures.available),
      .text(figures.status.rawValue),
    ]
  }

  private func loanState(_ state: Restatement.LoanState?) -> [Cell] {
    guard let state else { return [.null, .null] }
    return [.optional(state.returnedAt?.description), .bool(state.overdue)]
  }

  private func object(_ names: [String], _ cells: [Cell]) -> Cell {
    cells.allSatisfy { $0 == .null } ? .null : .raw(JSONText.object(Array(zip(names, cells))))
  }

  private var summaryRows: [[Cell]] {
    diff.summary.map { [.text($0.name), .number($0.a), .number($0.b)] }
  }

  private var inventoryRows: [(cells: [Cell], a: [Cell], b: [Cell])] {
    diff.inventory.map {
      (
        [.text($0.isbn.digits), .text($0.title), .text($0.change.rawValue)], figures($0.a),
        figures($0.b)
      )
    }
  }

  private var loanRows: [(cells: [Cell], a: [Cell], b: [Cell])] {
    diff.loans.map {
      (
        [
          .number(Int($0.position)), .text($0.userID), .text($0.isbn.digits),
          .text($0.borrowedAt.description), .text($0.change.rawValue),
        ], loanState($0.a), loanState($0.b)
      )
    }
  }

  private var anomalyRows: [[Cell]] {
    diff.anomalies.map {
      [
        .text($0.change.rawValue), .text($0.anomaly.type.rawValue),
        .number(Int($0.anomaly.position)), .text($0.anomaly.occurredAt.description),
        .text($0.anomaly.isbn.digits), .optional($0.anomaly.userID),
      ]
    }
  }

  private var causeRows: [[Cell]] {
    diff.causes.map { [.text($0.batch), .text($0.file), .text($0.recordedAt), .number($0.events)] }
  }

  // MARK: - JSON

  func writeJSON(to out: inout some TextOutputStream) {
    out.write("{\n")
    out.write("  \"a\": \(JSONText.object(side(diff.a))),\n")
    out.write("  \"b\": \(JSONText.object(side(diff.b))),\n")
    list("summary", summaryRows.map { Array(zip(["metric", "a", "b"], $0)) }, to: &out)
    list(
      "inventory",
      inventoryRows.map {
        Array(zip(["isbn", "title", "change"], $0.cells))
          + [("a", object(Self.bookColumns, $0.a)), ("b", object(Self.bookColumns, $0.b))]
      }, to: &out)
    list(
      "loans",
      loanRows.map {
        Array(zip(["position", "user_id", "isbn", "borrowed_at", "change"], $0.cells))
          + [
            ("a", object(["returned_at", "overdue"], $0.a)),
            ("b", object(["returned_at", "overdue"], $0.b)),
          ]
      }, to: &out)
    list(
      "anomalies",
      anomalyRows.map {
        Array(zip(["change", "type", "position", "occurred_at", "isbn", "user_id"], $0))
      }, to: &out)
    list(
      "causes", causeRows.map { Array(zip(["batch", "file", "recorded_at", "events"], $0)) },
      last: true, to: &out)
    out.write("}\n")
  }

  private func list(
    _ key: String, _ items: [[(String, Cell)]], last: Bool = false,
    to out: inout some TextOutputStream
  ) {
    out.write("  \(JSONText.string(key)): [")
    if !items.isEmpty {
      out.write("\n    " + items.map { JSONText.object($0) }.joined(separator: ",\n    ") + "\n  ")
    }
    out.write(last ? "]\n" : "],\n")
  }

  // MARK: - Tables

  func writeTables(style: TableStyle, to out: inout some TextOutputStream) {
    func cut(_ side: Restatement.Side) -> String {
      side.cut.at.description + (side.cut.knownAt.map { " as known at \($0)" } ?? "")
    }
    let intro = "diff of A (\(cut(diff.a))) and B (\(cut(diff.b)))"
    out.write(style == .markdown ? "## \(intro)\n\n" : "\(intro)\n\n")
    if diff.isEmpty {
      out.write("The reports of the two cuts are equal.\n")
      return
    }
    let sections: [(String, [String], [[Cell]])] = [
      ("summary", ["metric", "a", "b"], summaryRows),
      (
        "inventory",
        ["isbn", "title", "change"] + Self.bookColumns.map { "a." + $0 }
          + Self.bookColumns.map { "b." + $0 }, inventoryRows.map { $0.cells + $0.a + $0.b }
      ),
      (
        "loans",
        [
          "position", "user_id", "isbn", "borrowed_at", "change", "a.returned_at", "a.overdue",
          "b.returned_at", "b.overdue",
        ], loanRows.map { $0.cells + $0.a + $0.b }
      ),
      ("anomalies", ["change", "type", "position", "occurred_at", "isbn", "user_id"], anomalyRows),
      ("causes", ["batch", "file", "recorded_at", "events"], causeRows),
    ]
    for (name, columns, rows) in sections where !rows.isEmpty {
      var table = TableWriter(style: style, title: style == .markdown ? nil : name)
      table.layout = layout
      if style == .markdown { out.write("### \(name)\n\n") }
      table.begin(columns, to: &out)
      for row in rows { table.row(row, to: &out) }
      table.end(to: &out)
      out.write("\n")
    }
  }
}
