import Replay

/// The files `replay --out` writes, by name (`summary.json` … `activity.md`, `index.html`): the
/// one mapping from a file name to what writes it, for `replay` and `reproduce` alike.
public enum ReportFiles {
  /// The files written for these formats, in the order they are written.
  public static func names(for formats: [ReportFormat]) -> [String] {
    var names: [String] = []
    for name in ReportName.allCases {
      for format in formats where format != .html && format != .table {
        names.append("\(name.rawValue).\(format.fileExtension)")
      }
    }
    if formats.contains(.html) { names.append(page) }
    return names
  }

  /// The HTML page's name.
  public static let page = "index.html"

  /// Every name a manifest may list.
  public static let all = Set(names(for: [.json, .csv, .md, .html]))

  /// Writes the file `name` of a projection; false for a name shelflog does not write.
  @discardableResult
  public static func write(
    _ name: String, of projection: Projection, to out: inout some TextOutputStream
  ) -> Bool {
    if name == page {
      HTMLReport(projection: projection).write(to: &out)
      return true
    }
    let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
    guard parts.count == 2, let report = ReportName(rawValue: parts[0]),
      let format = ReportFormat(rawValue: parts[1]), format != .html, format != .table
    else { return false }
    ReportWriter(projection: projection).write(report, as: format, to: &out)
    return true
  }
}
