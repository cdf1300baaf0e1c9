import Foundation
import GRDB
import Ingest

/// The SQLite event log: owns the connection and its migrator. Knows SQL; nothing else does.
public final class EventLogStore: Sendable {
  public let path: String
  let pool: DatabasePool
  let wait: Double

  /// How the log is opened.
  public enum Access: Sendable {
    /// Create the log when missing and migrate it (import).
    case write
    /// Never create or change anything (log, verify, replay).
    case read
  }

  /// Opens the log at `path`; `wait` is how long a write waits for another writer (seconds).
  public init(path: String, access: Access, wait: Double = 30) throws(EventLogError) {
    self.path = path
    self.wait = wait
    let exists = FileManager.default.fileExists(atPath: path)
    if access == .read && !exists { throw .notFound(path: path) }
    var config = Configuration()
    config.busyMode = .timeout(wait)
    config.readonly = access == .read
    config.label = "shelflog"
    config.prepareDatabase { db in
      // 16 MiB of page cache: the command-key index is probed in random order; measured on
      // 1M rows, 2 MiB took 15 s and 16 MiB 10 s, with little gain beyond.
      try db.execute(sql: "PRAGMA cache_size = -16384")
    }
    do {
      pool = try DatabasePool(path: path, configuration: config)
      try Self.checkSchema(pool, path: path, access: access)
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  private static func checkSchema(_ pool: DatabasePool, path: String, access: Access) throws {
    let migrator = Schema.migrator()
    let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
    if superseded { throw EventLogError.newerSchema(path: path) }
    if access == .read {
      let complete = try pool.read { db in try migrator.hasCompletedMigrations(db) }
      if !complete {
        let hasTables = try pool.read { db in try db.tableExists("events") }
        throw EventLogError.notALog(
          path: path,
          detail: hasTables
            ? "its schema is older than this shelflog; the next import upgrades it"
            : "no events table")
      }
      return
    }
    // Two first imports may race to create the schema: the loser's migration fails on the
    // existing table; it then finds the schema complete and goes on.
    for attempt in 1...3 {
      do {
        try migrator.migrate(pool)
        return
      } catch {
        let complete = try pool.read { db in try migrator.hasCompletedMigrations(db) }
        if complete { return }
        if attempt == 3 { throw error }
      }
    }
  }

  /// Runs `body` in one IMMEDIATE transaction, mapping SQLite faults to log faults (an
  /// `IngestError` passes through as it is).
  func writeTransaction<T>(_ body: (Database) throws -> (T, commit: Bool)) throws -> T {
    do {
      return try pool.writeWithoutTransaction { db in
        var result: T?
        try db.inTransaction(.immediate) {
          let (value, commit) = try body(db)
          result = value
          return commit ? .commit : .rollback
        }
        guard let result else { throw EventLogError.database(path: path, detail: "no result") }
        return result
      }
    } catch let error as IngestError {
      throw error
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// Runs `body` on a read snapshot, mapping SQLite faults to log faults.
  func read<T>(_ body: (Database) throws -> T) throws(EventLogError) -> T {
    do {
      return try pool.read(body)
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }
}
