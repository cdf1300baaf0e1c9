/// `check --junit FILE`: the results as JUnit XML, which CI systems show as test results. One
/// `testsuite` per case folder (named after it, with `tests` and `failures`), one `testcase`
/// per expected cut (`T` or `T@K`), and for a cut that differs a `failure` whose message is the
/// first difference and whose text holds them all. A case that could not be checked is a
/// testsuite with one `error`.
public struct JUnitReport: Sendable {
  private var suites: [String] = []
  private var tests = 0
  private var failures = 0
  private var errors = 0

  public init() {}

  /// Adds a checked case.
  public mutating func add(case name: String, _ report: CaseReport) {
    let failed = report.cuts.filter { !$0.differences.isEmpty }.count
    var xml =
      "  <testsuite name=\"\(Self.escape(name))\" tests=\"\(report.cuts.count)\""
      + " failures=\"\(failed)\" errors=\"0\">\n"
    for cut in report.cuts {
      xml += "    <testcase name=\"\(Self.escape(cut.name))\" classname=\"\(Self.escape(name))\""
      guard let first = cut.differences.first else {
        xml += "/>\n"
        continue
      }
      xml += ">\n      <failure message=\"\(Self.escape(first.message))\">"
      xml += cut.differences.map { Self.escape($0.message) }.joined(separator: "\n")
      xml += "</failure>\n    </testcase>\n"
    }
    xml += "  </testsuite>\n"
    suites.append(xml)
    tests += report.cuts.count
    failures += failed
  }

  /// Adds a case that could not be checked.
  public mutating func add(case name: String, error message: String) {
    suites.append(
      "  <testsuite name=\"\(Self.escape(name))\" tests=\"1\" failures=\"0\" errors=\"1\">\n"
        + "    <testcase name=\"(case)\" classname=\"\(Self.escape(name))\">\n"
        + "      <error message=\"\(Self.escape(message))\"/>\n    </testcase>\n  </testsuite>\n")
    tests += 1
    errors += 1
  }

  /// The whole document.
  public var xml: String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      + "<testsuites name=\"shelflog check\" tests=\"\(tests)\" failures=\"\(failures)\""
      + " errors=\"\(errors)\">\n" + suites.joined() + "</testsuites>\n"
  }

  /// Text for an attribute or element: markup characters as entities, and characters XML 1.0
  /// cannot hold (control characters) as U+FFFD.
  static func escape(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      case "\n": out += "&#10;"
      case "\r": out += "&#13;"
      case "\t": out += "&#9;"
      case "\u{0}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
