import ArgumentParser
import Reports

/// The `--format` list of `replay` and `audit`: the formats written for every report.
struct FormatOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Comma-separated formats: json, csv, md, html (default all).",
      discussion: "html writes one page, index.html, for the cut.", valueName: "list"))
  var format = "json,csv,md,html"

  func validate() throws {
    if try formats().contains(.table) {
      throw ValidationError("table is for 'shelflog report'; write json, csv, md or html")
    }
  }

  func formats() throws -> [ReportFormat] { try parseFormats(format, as: ReportFormat.self) }
}
