import ArgumentParser
import EventLog
import Foundation

/// The options every subcommand that reads or writes a log shares: `--db` and `--verbose`.
struct LogOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The event log (SQLite file).", discussion: "Default: $SHELFLOG_DB, else shelflog.sqlite.",
      valueName: "path"))
  var db: String?

  @Flag(help: "Print diagnostics (what was opened, timings, snapshots used) to standard error.")
  var verbose = false

  /// The log's path after the environment default.
  var path: String {
    db ?? ProcessInfo.processInfo.environment["SHELFLOG_DB"] ?? "shelflog.sqlite"
  }

  /// Opens the log to read if it exists (an empty file counts as none): what a dry run checks
  /// against.
  func openExisting() throws(Failure) -> (any EventStore)? {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    guard let size, size > 0 else { return nil }
    return try open(.read)
  }

  /// Opens the log: to write (creating it when missing) or to read (never changing it).
  func open(_ access: SQLiteEventStore.Access, wait: Double = 30) throws(Failure)
    -> any EventStore
  {
    Diagnostics.enable(verbose)
    let started = Diagnostics.clock()
    do {
      let store = try SQLiteEventStore(path: path, access: access, wait: wait)
      Diagnostics.debug(
        "opened \(path) for \(access == .write ? "writing" : "reading")"
          + " in \(Diagnostics.since(started))")
      return store
    } catch {
      throw Failure(error)
    }
  }
}
