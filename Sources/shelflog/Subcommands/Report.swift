import ArgumentParser
import LibraryDomain
import Reports

extension Shelflog {
  /// One report to standard output.
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Print one report (summary, inventory, loans, anomalies, activity) to standard output.",
      discussion: """
        --user and --isbn narrow loans and anomalies (and, for --isbn, the inventory).
        """)

    @OptionGroup var log: LogOptions

    @Argument(help: "summary, inventory, loans, anomalies or activity.")
    var name: String

    @OptionGroup var cut: ReplayArguments

    @Option(help: "Only this user's loans and anomalies.")
    var user: String?

    @Option(help: "Only this ISBN (ISBN-10 or ISBN-13).")
    var isbn: String?

    @Option(help: "table, json, csv or md.")
    var format = "table"

    @OptionGroup var table: TableOptions

    @Flag(
      help: """
        Replay from the first event even when a stored snapshot would do (summary and \
        inventory use one by default; see `shelflog snapshot`).
        """)
    var noSnapshots = false

    func validate() throws {
      guard let report = ReportName(rawValue: name) else {
        throw ValidationError(
          "unknown report \(name); expected summary, inventory, loans, anomalies or activity")
      }
      if report == .activity, user != nil || isbn != nil {
        throw ValidationError("--user and --isbn do not apply to the activity report")
      }
      if report != .activity, cut.asksForActivity {
        throw ValidationError("--every and --from apply to the activity report only")
      }
      if let isbn, ISBN(isbn) == nil { throw ValidationError("--isbn \(isbn) is not a valid ISBN") }
      let formats = try parseFormats(format, as: ReportFormat.self)
      guard formats.count == 1 else { throw ValidationError("--format takes one format here") }
      if formats.contains(.html) {
        throw ValidationError("html is a page of all reports: write it with 'shelflog replay'")
      }
    }

    func run() throws {
      guard let report = ReportName(rawValue: name),
        let format = try parseFormats(format, as: ReportFormat.self).first
      else { return }
      let projection = try ReplayJob.project(
        log: log, cut: cut.cut(now: .now()), policy: try cut.resolvedPolicy(),
        resume: !noSnapshots && (report == .summary || report == .inventory),
        activity: report == .activity ? cut.activity : nil)
      let writer = ReportWriter(
        projection: projection, filter: ReportFilter(userID: user, isbn: isbn.flatMap { ISBN($0) }),
        layout: table.layout)
      let output = Output()
      var stream = StandardOutput(output: output)
      writer.write(report, as: format, to: &stream)
      output.flush()
    }
  }
}
