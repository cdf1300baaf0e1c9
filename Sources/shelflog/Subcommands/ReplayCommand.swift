import ArgumentParser
import Reports

extension Shelflog {
  /// Writes the four reports of one point in time.
  struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replay the log at a point in time and write its reports.",
      discussion: """
        Writes summary, inventory, loans, anomalies and activity in each --format to --out \
        (default: the current folder), as NAME.FORMAT, and with html the page index.html. Same \
        log and flags, same bytes.
        """)

    @OptionGroup var log: LogOptions
    @OptionGroup var cut: ReplayArguments

    @Option(help: ArgumentHelp("Folder for the reports.", valueName: "dir"))
    var out = "."

    @OptionGroup var formats: FormatOptions

    func run() throws {
      let projection = try ReplayJob.project(
        log: log, cut: cut.cut(now: .now()), policy: try cut.resolvedPolicy(),
        activity: cut.activity)
      try ReplayJob.write(
        projection, formats: try formats.formats(), activity: cut.activity, to: out)
    }
  }
}
