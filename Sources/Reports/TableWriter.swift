/// How a table is laid out.
enum TableStyle {
  /// RFC 4180, with a header row.
  case csv
  /// A GitHub-flavoured Markdown table under a heading, to paste into a ticket.
  case markdown
  /// Aligned columns for a terminal.
  case terminal
}

/// How a terminal table fits its width.
public struct TerminalLayout: Sendable, Equatable {
  /// The width to fit, in columns; nil for no limit (output to a pipe or file).
  public var width: Int?
  /// Show long cells whole, whatever the width.
  public var wide: Bool

  public init(width: Int? = nil, wide: Bool = false) {
    self.width = width
    self.wide = wide
  }

  /// Columns whose long cells are cut with `…` to fit the width; no other column is cut.
  static let cuttable: Set<String> = ["title", "author"]
  /// A cut column keeps at least this many columns.
  public static let minimumWidth = 8
}

/// Writes rows of cells as CSV or Markdown as they come; terminal tables wait for all rows to
/// align their columns.
struct TableWriter {
  let style: TableStyle
  let title: String?
  var layout = TerminalLayout()
  /// For a terminal table: print every this many rows (widths then only grow), instead of
  /// holding every row until the end. Nil: align all rows at once.
  var streamRows: Int?
  private var columns: [String] = []
  private var pending: [[String]] = []
  private var buffer = ""
  /// Terminal: the widths printed so far, and whether anything was printed.
  private var widths: [Int] = []
  private var printedRows = 0

  init(style: TableStyle, title: String?) {
    self.style = style
    self.title = title
  }

  mutating func begin(_ columns: [String], to out: inout some TextOutputStream) {
    self.columns = columns
    switch style {
    case .csv:
      out.write(columns.map(CSVText.field).joined(separator: ",") + "\r\n")
    case .markdown:
      if let title { out.write("## \(title)\n\n") }
      out.write("| " + columns.map(TableCell.markdown).joined(separator: " | ") + " |\n")
      out.write("|" + String(repeating: " --- |", count: columns.count) + "\n")
    case .terminal:
      pending = [columns]
    }
  }

  mutating func row(_ cells: [Cell], to out: inout some TextOutputStream) {
    switch style {
    case .csv:
      buffer += cells.map { CSVText.field($0.plain) }.joined(separator: ",") + "\r\n"
    case .markdown:
      buffer += "| " + cells.map { TableCell.markdown($0.plain) }.joined(separator: " | ") + " |\n"
    case .terminal:
      pending.append(cells.map { $0 == .null ? "-" : TableCell.terminal($0.plain) })
      if let streamRows, pending.count >= streamRows { printPending(to: &out) }
    }
    if buffer.utf8.count >= 1 << 16 {
      out.write(buffer)
      buffer = ""
    }
  }

  mutating func end(to out: inout some TextOutputStream) {
    out.write(buffer)
    buffer = ""
    guard style == .terminal else { return }
    printPending(to: &out)
    if printedRows == 1 { out.write("(none)\n") }
  }

  /// Prints the rows held so far (the header first, with the title), aligned to the widths
  /// printed before them and their own.
  private mutating func printPending(to out: inout some TextOutputStream) {
    if printedRows == 0, let title { out.write(title + "\n\n") }
    let fitted = fittedWidths()
    widths = widths.isEmpty ? fitted : zip(widths, fitted).map { max($0, $1) }
    for row in pending {
      let cells = row.enumerated().map { index, cell in
        let cut = DisplayWidth.truncate(cell, to: widths[index])
        return index == row.count - 1 ? cut : DisplayWidth.pad(cut, to: widths[index])
      }
      out.write(cells.joined(separator: "  ") + "\n")
    }
    printedRows += pending.count
    pending.removeAll(keepingCapacity: true)
  }

  /// Each column's width over the rows held: its widest cell, with the cuttable columns narrowed (widest first,
  /// down to `TerminalLayout.minimumWidth`) until the table fits the layout's width.
  private func fittedWidths() -> [Int] {
    var widths = [Int](repeating: 0, count: columns.count)
    for row in pending {
      for (index, cell) in row.enumerated() {
        widths[index] = max(widths[index], DisplayWidth.of(cell))
      }
    }
    guard let limit = layout.width, !layout.wide else { return widths }
    let cuttable = columns.indices.filter { TerminalLayout.cuttable.contains(columns[$0]) }
    var total = widths.reduce(0, +) + 2 * (columns.count - 1)
    while total > limit {
      guard
        let widest = cuttable.filter({ widths[$0] > TerminalLayout.minimumWidth })
          .max(by: { widths[$0] < widths[$1] })
      else { break }
      widths[widest] -= 1
      total -= 1
    }
    return widths
  }
}

/// A terminal table for the executable's own listings (`shelflog log`): rows of text, printed
/// every thousand rows, fitted like the reports' tables.
public struct TerminalTable {
  private var writer: TableWriter

  public init(columns: [String], layout: TerminalLayout, to out: inout some TextOutputStream) {
    writer = TableWriter(style: .terminal, title: nil)
    writer.layout = layout
    writer.streamRows = 1_000
    writer.begin(columns, to: &out)
  }

  /// One row; nil cells show as `-`.
  public mutating func row(_ cells: [String?], to out: inout some TextOutputStream) {
    writer.row(cells.map { $0.map(Cell.text) ?? .null }, to: &out)
  }

  public mutating func end(to out: inout some TextOutputStream) {
    writer.end(to: &out)
  }
}
