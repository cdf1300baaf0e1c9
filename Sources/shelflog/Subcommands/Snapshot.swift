import ArgumentParser
import EventLog
import LibraryDomain
import Replay

extension Shelflog {
  /// Builds or refreshes projection snapshots, so point-in-time reports replay only the tail.
  struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Store projection snapshots so that point-in-time reports replay only the tail.",
      discussion: """
        Run it after imports (the nightly job: import, then snapshot). It resumes from the \
        latest snapshot that is still exact and replays only the events after it. Snapshots \
        are a cache: `report summary` and `report inventory` use one when it gives exactly the \
        result of a full replay (a late batch that lands before a snapshot's time makes that \
        snapshot unusable for cuts that know the batch), and `report --no-snapshots` never \
        does. They are made for one --max-loans (the only policy value the fold depends on).
        """)

    @OptionGroup var log: LogOptions

    @Option(
      help: ArgumentHelp(
        "Events between two snapshots (default 131072, or a 48th of a log of more than"
          + " 6M events).", valueName: "events"))
    var every: Int?

    @Option(
      help: ArgumentHelp(
        "Open loans per user before loan_limit_exceeded (default 5, or the policy file's).",
        valueName: "count"))
    var maxLoans: Int?

    @Option(help: ArgumentHelp("A JSON policy file, as for replay.", valueName: "file"))
    var policy: String?

    @Flag(help: "Delete this policy's snapshots first and build them again from the start.")
    var rebuild = false

    @Option(help: ArgumentHelp("Seconds to wait for a busy log (default 30).", valueName: "s"))
    var wait: Double = 30

    func validate() throws {
      if let every, every < 1 { throw ValidationError("--every takes 1 or more") }
      if let maxLoans, maxLoans < 0 { throw ValidationError("--max-loans takes 0 or more") }
      if wait < 0 || !wait.isFinite { throw ValidationError("--wait takes seconds, 0 or more") }
    }

    func run() throws {
      let policy = try ReplayArguments.policy(file: policy, loanDays: nil, maxLoans: maxLoans)
      let refresh: SnapshotRefresh
      let writer = try log.open(.write, wait: wait)
      let reader = try log.open(.read, wait: wait)
      do {
        if rebuild { try writer.deleteSnapshots(maxLoans: policy.maxLoans) }
        refresh = try SnapshotBuilder.refresh(
          writer: writer, reader: reader, policy: policy, interval: every
        ) { count in Terminal.progress("replayed \(count) events") }
      } catch let error as EventLogError {
        throw Failure(error)
      } catch let error as ReplayError {
        throw Failure(replay: error)
      }
      Terminal.clearProgress()
      let from = refresh.resumedFrom.map { "from the snapshot at \($0)" } ?? "from the start"
      print(
        "snapshots: \(refresh.stored) stored for max_loans \(policy.maxLoans); replayed"
          + " \(refresh.replayed) events \(from); log end \(refresh.logEnd)")
    }
  }
}
