import ArgumentParser
import EventLog
import LibraryDomain
import Replay

extension Shelflog {
  /// Keeps the current-state tables (`current_books`, `current_loans`, …) up to date.
  struct Project: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Keep the current-state tables in the log's database up to date.",
      discussion: """
        Folds the events appended since the model's checkpoint into current_books, \
        current_loans, current_users and current_anomalies (docs/current-model.md): every \
        event of the log, as the log knows it now. A late batch folds again from the latest \
        snapshot before it (shelflog snapshot), a changed policy or a rewritten log rebuilds \
        the tables; readers see the old tables until the new ones are whole. --status says \
        how far behind the model is, and changes nothing.
        """)

    @OptionGroup var log: LogOptions

    @Flag(help: "Say how far behind the model is; change nothing.")
    var status = false

    @OptionGroup var policy: PolicyArguments

    @Option(help: ArgumentHelp("Seconds to wait for a busy log (default 30).", valueName: "s"))
    var wait: Double = 30

    func validate() throws {
      if wait < 0 || !wait.isFinite { throw ValidationError("--wait takes seconds, 0 or more") }
    }

    func run() throws {
      let policy = try policy.resolved()
      let store = try log.open(status ? .read : .write, wait: wait)
      do {
        if status {
          print(Self.describe(try CurrentModel.status(store, policy: policy), log: store.name))
          return
        }
        print(Self.describe(try Self.refresh(store, policy: policy)))
      } catch {
        throw Failure(replay: error)
      }
    }

    /// Refreshes the model, with progress on a terminal.
    static func refresh(_ store: any EventStore, policy: ReplayPolicy) throws(ReplayError)
      -> ModelRefresh
    {
      defer { Terminal.clearProgress() }
      return try CurrentModel.refresh(store, policy: policy) { count in
        Terminal.progress("model: folded \(count) events")
      }
    }

    /// One line for what a refresh did.
    static func describe(_ refresh: ModelRefresh) -> String {
      let at = "model at position \(refresh.position)"
      return switch refresh.kind {
      case .upToDate: "\(at): up to date"
      case .appended: "\(at): folded the \(refresh.folded) events appended since its checkpoint"
      case .refolded(let from):
        "\(at): a late batch; folded \(refresh.folded) events again from "
          + (from.map { "the snapshot at \($0)" } ?? "the first event")
      case .rebuilt(let reason): "\(at): rebuilt (\(reason)); folded \(refresh.folded) events"
      }
    }

    /// `--status`: where the model stands, and what the next refresh would do.
    static func describe(_ status: ModelStatus, log: String) -> String {
      guard let checkpoint = status.checkpoint else {
        return "no model in \(log) (log end \(status.logEnd)); shelflog project builds it"
      }
      var text =
        "model at position \(checkpoint.position) of \(status.logEnd)"
        + " (\(status.behind) events behind); version \(checkpoint.version),"
        + " max_loans \(checkpoint.maxLoans), loan_days \(checkpoint.loanDays)"
      if let reason = status.rebuildReason { text += "\nthe next project rebuilds it: \(reason)" }
      return text
    }
  }
}
