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
      let report: VerifyReport
      let snapshots: [SnapshotCheck]
      let store = try log.open(.read)
      let started = Diagnostics.clock()
      do {
        report = try LogVerifier.verify(store, thorough: thorough) { count in
          Terminal.progress("verified \(count) events")
        }
        snapshots = try store.snapshotChecks()
      } catch {
        throw Failure(error)
      }
      Terminal.clearProgress()
      Diagnostics.debug("verified \(report.events) events in \(Diagnostics.since(started))")
      if let fault = report.fault {
        let place = fault.position.map { "position \($0)" } ?? "log"
        print("FAILED at \(place): \(fault.message)")
        throw ExitCode(Failure.verifyFault)
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
  }
}
