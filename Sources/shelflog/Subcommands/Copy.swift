import ArgumentParser
import EventLog
import Replay

extension Shelflog {
  /// Copies a log between backends, positions and hashes kept, then verifies the copy.
  struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Copy a log into an empty one (SQLite and PostgreSQL either way), then verify it.",
      discussion: """
        Every batch and event is copied exactly as stored: positions, hashes, recorded times. \
        The target is created when missing and must hold no batch (exit 73 otherwise). The \
        copy is then verified like `shelflog verify`: exit 0 with its head hash, 1 when the \
        copy does not verify.
        """)

    @Option(help: ArgumentHelp("The log to copy from.", valueName: "path-or-url"))
    var from: String

    @Option(help: ArgumentHelp("The log to copy into.", valueName: "path-or-url"))
    var to: String

    @Option(help: "Seconds to wait for another import into the target.")
    var wait: Double = 30

    @Flag(help: "Print diagnostics (what was opened, timings) to standard error.")
    var verbose = false

    func run() throws {
      Diagnostics.enable(verbose)
      let source = try LogOptions.open(from, option: "--from", .read)
      let target = try LogOptions.open(to, option: "--to", .write, wait: wait)
      var copied: Int64 = 0
      let batches: [StoredBatch]
      do {
        batches = try source.batches()
        try target.copyIn(batches: batches) { write in
          try source.events(matching: EventFilter()) { event in
            try write(event)
            copied += 1
            if copied & 0xFFFF == 0 { Terminal.progress("copied \(copied) events") }
          }
        }
      } catch let error as EventLogError {
        Terminal.clearProgress()
        throw Failure(error)
      }
      Terminal.clearProgress()
      let report = try Verify.walk(
        target, thorough: false,
        context: "copied \(copied) events in \(batches.count) batches to \(target.name)")
      print(
        "copied \(copied) events in \(batches.count) batches from \(source.name) to"
          + " \(target.name); verify ok, head \(report.head ?? "none")")
    }
  }
}
