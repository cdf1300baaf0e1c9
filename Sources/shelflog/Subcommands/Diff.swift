import ArgumentParser
import LibraryDomain
import Replay
import Reports

extension Shelflog {
  /// What changed between the reports of two cuts, and which batches changed it.
  struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Compare the reports of two cuts: what changed between them and why.",
      discussion: """
        A cut is T or T@K (a time or a date, and what the log knew at K), as in fixture \
        folders: 'diff 2024-03-31@2024-04-01 2024-03-31' shows how March as reported on April \
        1 has been restated since; 'diff 2024-03-31 2024-04-30' shows what April changed. \
        Lists the summary metrics, inventory rows, loans and anomalies that differ, and the \
        batches that caused it. Exit 0 when the reports are equal, 1 when they differ.
        """)

    @OptionGroup var log: LogOptions

    @Argument(help: ArgumentHelp("The first cut, T or T@K.", valueName: "cut-a"))
    var cutA: String

    @Argument(help: ArgumentHelp("The second cut, T or T@K.", valueName: "cut-b"))
    var cutB: String

    @OptionGroup var policyOptions: PolicyArguments

    @Option(help: "table, json or md.")
    var format = "table"

    @OptionGroup var table: TableOptions

    func validate() throws {
      for (name, value) in [("cut-a", cutA), ("cut-b", cutB)]
      where ReplayCut(notation: value) == nil {
        throw ValidationError(
          "\(name) \(value) is not T or T@K (times such as 2024-03-01T09:30:00Z, or dates)")
      }
      guard let format = ReportFormat(rawValue: format), [.table, .json, .md].contains(format)
      else { throw ValidationError("--format \(format) is not table, json or md") }
    }

    func run() throws {
      guard let first = ReplayCut(notation: cutA), let second = ReplayCut(notation: cutB) else {
        return
      }
      let policy = try policyOptions.resolved()
      let store = try log.open(.read)
      let diff: Restatement
      do {
        diff = try Restatement.compare(store, first, second, policy: policy)
      } catch {
        throw Failure(replay: error)
      }
      let output = Output()
      var stream = StandardOutput(output: output)
      DiffWriter(diff, layout: table.layout).write(
        as: ReportFormat(rawValue: format) ?? .table, to: &stream)
      output.flush()
      if !diff.isEmpty { throw ExitCode(Failure.verifyFault) }
    }
  }
}
