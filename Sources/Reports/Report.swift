import LibraryDomain
import Replay

/// The five reports (docs/reports.md), in the order `replay` writes them.
public enum ReportName: String, Sendable, CaseIterable {
  case summary, inventory, loans, anomalies, activity
}

/// The formats a report can be written in. `html` is refused until the HTML report lands.
public enum ReportFormat: String, Sendable, CaseIterable {
  case json, csv, md, html, table

  /// The file extension of a report written with `replay --out`.
  public var fileExtension: String { rawValue }
}

/// Narrows loans and anomalies (and the inventory, for an ISBN) to one user or one ISBN.
public struct ReportFilter: Sendable, Equatable {
  public var userID: String?
  public var isbn: ISBN?

  public init(userID: String? = nil, isbn: ISBN? = nil) {
    self.userID = userID
    self.isbn = isbn
  }

  func admits(isbn: ISBN) -> Bool { self.isbn.map { $0 == isbn } ?? true }
  func admits(user: String?) -> Bool { userID.map { $0 == user } ?? true }
}

/// A report cell: typed so that JSON keeps numbers, booleans and null.
enum Cell: Equatable {
  case text(String)
  case number(Int)
  case bool(Bool)
  case null
  /// JSON text written as it is (a nested object or list, for JSON only).
  case raw(String)

  static func optional(_ text: String?) -> Cell { text.map(Cell.text) ?? .null }

  /// The cell as JSON.
  var json: String {
    switch self {
    case .text(let text): JSONText.string(text)
    case .number(let number): String(number)
    case .bool(let flag): flag ? "true" : "false"
    case .null: "null"
    case .raw(let json): json
    }
  }

  /// The cell as plain text (CSV, Markdown, terminal); null is empty.
  var plain: String {
    switch self {
    case .text(let text): text
    case .number(let number): String(number)
    case .bool(let flag): flag ? "true" : "false"
    case .null: ""
    case .raw(let json): json
    }
  }
}

/// JSON text by hand: the reports fix their key order (docs/reports.md), and Foundation's encoder promises none.
public enum JSONText {
  public static func string(_ text: String) -> String {
    let plain = text.utf8.allSatisfy {
      $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 < 0xE2
    }
    if plain { return "\"" + text + "\"" }
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{0}"..."\u{1F}", "\u{2028}", "\u{2029}":
        let digits = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// A string or null.
  public static func string(_ text: String?) -> String { text.map { string($0) } ?? "null" }

  /// A number or null.
  public static func number<N: BinaryInteger>(_ value: N?) -> String {
    value.map { "\($0)" } ?? "null"
  }

  /// A one-line object from keys and values that are JSON text already, in the order given.
  public static func object(_ pairs: KeyValuePairs<String, String>) -> String {
    "{" + pairs.map { "\(string($0.key)):\($0.value)" }.joined(separator: ",") + "}"
  }

  /// A one-line object from keys and cells, in the order given.
  static func object(_ pairs: [(String, Cell)]) -> String {
    "{" + pairs.map { "\(string($0.0)): \($0.1.json)" }.joined(separator: ", ") + "}"
  }
}
