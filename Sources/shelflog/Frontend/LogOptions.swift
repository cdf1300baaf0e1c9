import ArgumentParser
import EventLog
import Foundation

/// The options every subcommand that reads or writes a log shares: `--db` and `--verbose`.
struct LogOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The event log: a SQLite file, or postgresql://user@host:port/dbname.",
      discussion: "Default: $SHELFLOG_DB, else shelflog.sqlite.", valueName: "path-or-url"))
  var db: String?

  @Flag(help: "Print diagnostics (what was opened, timings, snapshots used) to standard error.")
  var verbose = false

  /// The log's path after the environment default.
  var path: String {
    db ?? ProcessInfo.processInfo.environment["SHELFLOG_DB"] ?? "shelflog.sqlite"
  }

  /// How messages name the log: its path, or its URL without the password.
  var name: String {
    guard PostgresLocation.isURL(path) else { return path }
    return (try? PostgresLocation(url: path).name) ?? "postgresql://"
  }

  /// Opens the log to read if it exists (an empty file counts as none): what a dry run checks
  /// against.
  func openExisting() throws(Failure) -> (any EventStore)? {
    if PostgresLocation.isURL(path) {
      let location = try Self.location(path, option: "--db")
      do {
        return try PostgresEventStore(location: location, access: .read)
      } catch {
        if case .notFound = error { return nil }
        throw Failure(error)
      }
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    guard let size, size > 0 else { return nil }
    return try open(.read)
  }

  /// Opens the log: to write (creating it when missing) or to read (never changing it).
  func open(_ access: SQLiteEventStore.Access, wait: Double = 30) throws(Failure)
    -> any EventStore
  {
    Diagnostics.enable(verbose)
    return try Self.open(path, option: "--db", access, wait: wait)
  }

  /// Opens the log at a path or PostgreSQL URL given with `option`.
  static func open(
    _ path: String, option: String, _ access: SQLiteEventStore.Access, wait: Double = 30
  ) throws(Failure) -> any EventStore {
    let started = Diagnostics.clock()
    let location = PostgresLocation.isURL(path) ? try location(path, option: option) : nil
    do {
      let store: any EventStore =
        if let location {
          try PostgresEventStore(location: location, access: access, wait: wait)
        } else {
          try SQLiteEventStore(path: path, access: access, wait: wait)
        }
      Diagnostics.debug(
        "opened \(store.name) for \(access == .write ? "writing" : "reading")"
          + " in \(Diagnostics.since(started))")
      return store
    } catch {
      throw Failure(error)
    }
  }

  /// The PostgreSQL log a URL names; a malformed URL is a usage error.
  private static func location(_ url: String, option: String) throws(Failure)
    -> PostgresLocation
  {
    do {
      return try PostgresLocation(url: url)
    } catch {
      throw Failure(code: Failure.usage, message: "\(option): \(error.message)")
    }
  }
}
