/// How a table is laid out.
enum TableStyle {
  /// RFC 4180, with a header row.
  case csv
  /// A GitHub-flavoured Markdown table under a heading, to paste into a ticket.
  case markdown
  /// Aligned columns for a terminal.
  case terminal
}

/// Writes rows of cells as CSV or Markdown as they come; terminal tables wait for all rows to
/// align their columns.
struct TableWriter {
  let style: TableStyle
  let title: String?
  private var columns: [String] = []
  private var pending: [[String]] = []
  private var buffer = ""

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
      out.write("| " + columns.map(Self.markdownCell).joined(separator: " | ") + " |\n")
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
      buffer += "| " + cells.map { Self.markdownCell($0.plain) }.joined(separator: " | ") + " |\n"
    case .terminal:
      pending.append(cells.map { $0 == .null ? "-" : Self.terminalCell($0.plain) })
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
    if let title { out.write(title + "\n\n") }
    var widths = [Int](repeating: 0, count: columns.count)
    for row in pending {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
    }
    for row in pending {
      let cells = row.enumerated().map { index, cell in
        index == row.count - 1
          ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
      }
      out.write(cells.joined(separator: "  ") + "\n")
    }
    if pending.count == 1 { out.write("(none)\n") }
  }

  /// HTML and pipes escaped and line breaks turned into `<br>`, so a cell stays in its cell
  /// and a title holding markup shows as text.
  static func markdownCell(_ text: String) -> String {
    let special: (UInt8) -> Bool = {
      $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">")
        || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "|") || $0 == 0x0A || $0 == 0x0D
    }
    guard text.utf8.contains(where: special) else { return text }
    var out = ""
    var previous: Unicode.Scalar?
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\\": out += "\\\\"
      case "|": out += "\\|"
      case "\n" where previous == "\r": break
      case "\n", "\r": out += "<br>"
      default: out.unicodeScalars.append(scalar)
      }
      previous = scalar
    }
    return out
  }

  /// Control characters and bidirectional overrides shown as spaces, so a hostile title can
  /// neither move the cursor nor reorder the rest of its line.
  static func terminalCell(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        text.unicodeScalars.map { scalar in
          let bidi =
            (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
          return scalar.properties.generalCategory == .control || bidi ? " " : scalar
        }))
  }
}

/// CSV text.
public enum CSVText {
  /// One field with RFC 4180 quoting: quoted when it holds a comma, a quote or a line break.
  public static func field(_ text: String) -> String {
    guard
      text.utf8.contains(where: {
        $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
      })
    else { return text }
    return "\"" + text.replacing("\"", with: "\"\"") + "\""
  }
}
