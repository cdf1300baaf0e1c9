import ArgumentParser
import EventLog
import Replay

extension Shelflog {
  /// Re-computes the hash chain and checks the database's integrity.
  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the hash chain, every stored field, and the database's integrity.",
      discussion: """
        Prints the head hash when the log is sound (exit 0); otherwise the first bad position \
        and what is wrong there (exit 1). Compare the head with one you noted earlier to detect \
        a rewritten chain. The database file is checked alongside, on a second thread.
        """)

    @OptionGroup var log: LogOptions

    @Flag(
      help: """
        Also run SQLite's full integrity_check (every page, and every index entry matched \
        against its row); by default the indexes are only counted. Slower on a large log.
        """)
    var thorough = false

    func run() throws {
      let store = try log.open(.read)
      let started = Diagnostics.clock()
      let report = try Self.walk(store, thorough: thorough)
      Diagnostics.debug("verified \(report.events) events in \(Diagnostics.since(started))")
      let snapshots: [SnapshotCheck]
      do {
        snapshots = try store.snapshotChecks()
      } catch {
        throw Failure(error)
      }
      if let damaged = snapshots.first(where: { !$0.intact }) {
        print(
          "FAILED at snapshot \(damaged.id): its state does not match its checksum (reports"
            + " skip it; `shelflog snapshot --rebuild` replaces it)")
        throw ExitCode(Failure.verifyFault)
      }
      print(
        "ok: \(report.events) events in \(report.batches) batches; chain and"
          + " \(thorough ? "integrity" : "index") check pass;"
          + " head \(report.head ?? "none")")
    }

    /// Walks the chain and checks the storage, with progress on a terminal. A fault is printed
    /// as `FAILED at …` (after `context`, when given) and ends the command with exit 1.
    static func walk(_ store: any EventStore, thorough: Bool, context: String? = nil) throws
      -> VerifyReport
    {
      let report: VerifyReport
      do {
        report = try LogVerifier.verify(store, thorough: thorough) { count in
          Terminal.progress("verified \(count) events")
        }
      } catch {
        Terminal.clearProgress()
        throw Failure(error)
      }
      Terminal.clearProgress()
      if let fault = report.fault {
        if let context { print(context) }
        let place = fault.position.map { "position \($0)" } ?? "log"
        print("FAILED at \(place): \(fault.message)")
        throw ExitCode(Failure.verifyFault)
      }
      return report
    }
  }
}
