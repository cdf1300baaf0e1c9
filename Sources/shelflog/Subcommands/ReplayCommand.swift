import ArgumentParser
import Reports

extension Shelflog {
  /// Writes the four reports of one point in time.
  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replay the log at a point in time and write its reports.",
      discussion: """
        Writes summary, inventory, loans and anomalies in each --format to --out (default: the \
        current folder), as NAME.FORMAT. Same log and flags, same bytes.
        """)

    @OptionGroup var log: LogOptions
    @OptionGroup var cut: ReplayArguments

    @Option(help: ArgumentHelp("Folder for the reports.", valueName: "dir"))
    var out = "."

    @Option(help: ArgumentHelp("Comma-separated formats: json, csv, md.", valueName: "list"))
    var format = "json,csv,md"

    func validate() throws {
      try ReplayJob.refuseHTML(try formats())
      if try formats().contains(.table) {
        throw ValidationError("table is for 'shelflog report'; replay writes json, csv, md")
      }
    }

    func formats() throws -> [ReportFormat] { try parseFormats(format, as: ReportFormat.self) }

    func run() throws {
      let projection = try ReplayJob.project(
        log: log, cut: cut.cut(now: .now()), policy: try cut.resolvedPolicy())
      try ReplayJob.write(projection, formats: try formats(), to: out)
    }
  }
}
