/// How one cell's text from a batch is shown: escaped for Markdown, made harmless for a
/// terminal, quoted for CSV.
public enum TableCell {
  /// HTML and pipes escaped and line breaks turned into `<br>`, so a cell stays in its cell
  /// and a title holding markup shows as text.
  public static func markdown(_ text: String) -> String {
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
  public static func terminal(_ text: String) -> String {
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
