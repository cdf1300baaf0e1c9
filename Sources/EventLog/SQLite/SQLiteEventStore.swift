import Foundation
import GRDB

/// The event log in a SQLite file: owns the connection and its migrator. Knows SQL; nothing
/// outside the `SQLite` folder does.
public final class SQLiteEventStore: EventStore {
  public let path: String
  public var name: String { path }
  /// The writer pool (import), or nil for a read-only store.
  private let pool: DatabasePool?
  /// The read-only connection of a read store.
  private let reader: DatabaseQueue?
  let wait: Double

  /// How the log is opened.
  public enum Access: Sendable {
    /// Create the log when missing and migrate it (import).
    case write
    /// Never create or change anything (log, verify, replay).
    case read
  }

  /// Opens the log at `path`; `wait` is how long a write waits for another writer (seconds).
  ///
  /// An existing file is first inspected through a read-only connection, so that a file shelflog
  /// refuses (another program's database, a newer schema) is never changed.
  public init(path: String, access: Access, wait: Double = 30) throws(EventLogError) {
    self.path = path
    self.wait = wait
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    if access == .read && size == nil { throw .notFound(path: path) }
    if access == .read && size == 0 { throw .notALog(path: path, detail: "an empty file") }
    let deadline = Date().addingTimeInterval(wait)
    var attempt = 0
    while true {
      attempt += 1
      do {
        (pool, reader) = try Self.open(path: path, access: access, wait: wait)
        return
      } catch let error as DatabaseError where Self.isContention(error) && Date() < deadline {
        // While a concurrent first import creates the file (rollback mode, then the switch to
        // WAL), SQLite reports SQLITE_BUSY without calling the busy handler: wait and retry.
        Thread.sleep(forTimeInterval: min(0.05, 0.005 * Double(attempt)))
      } catch {
        throw EventLogError.from(error, path: path, wait: wait)
      }
    }
  }

  private static func isContention(_ error: DatabaseError) -> Bool {
    error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
  }

  /// Opens the log once: inspects an existing file read-only, then (for writing) opens the pool
  /// and migrates. Returns the writer pool or the reader.
  private static func open(path: String, access: Access, wait: Double) throws -> (
    DatabasePool?, DatabaseQueue?
  ) {
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    var inspected: DatabaseQueue?
    if let size, size > 0 {
      let queue = try openReader(path: path, wait: wait)
      try inspect(queue, path: path, access: access)
      inspected = queue
    }
    if access == .read { return (nil, inspected) }
    inspected = nil
    var config = configuration(wait: wait)
    config.prepareDatabase { db in
      // 16 MiB of page cache: the command-key index is probed in random order; measured on
      // 1M rows, 2 MiB took 15 s and 16 MiB 10 s, with little gain beyond.
      try db.execute(sql: "PRAGMA cache_size = \(writerCacheSize)")
    }
    let pool = try DatabasePool(path: path, configuration: config)
    do {
      try migrate(pool)
    } catch let refused as Schema.MigrationRefused {
      throw EventLogError.database(path: path, detail: refused.detail)
    }
    return (pool, nil)
  }

  /// The writer's page cache, in SQLite's negative-KiB form (16 MiB).
  static let writerCacheSize = -16384

  private static func configuration(wait: Double) -> Configuration {
    var config = Configuration()
    config.busyMode = .timeout(wait)
    config.label = "shelflog"
    return config
  }

  /// A read-only connection; on read-only media (no `-shm` can be made) the file is opened as
  /// immutable, which SQLite then reads without locks.
  static func openReader(path: String, wait: Double) throws -> DatabaseQueue {
    var config = configuration(wait: wait)
    config.readonly = true
    do {
      return try DatabaseQueue(path: path, configuration: config)
    } catch let error as DatabaseError
      where error.resultCode == .SQLITE_CANTOPEN || error.resultCode == .SQLITE_READONLY
    {
      let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
      return try DatabaseQueue(path: "file:\(encoded)?immutable=1", configuration: config)
    }
  }

  /// Refuses a file that is not a shelflog log, or whose schema this shelflog cannot use.
  private static func inspect(_ queue: DatabaseQueue, path: String, access: Access) throws {
    let migrator = Schema.migrator()
    try queue.inDatabase { db in
      let tables = try String.fetchAll(
        db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      // `grdb_migrations` marks a shelflog log, also one whose first import is still creating
      // the schema (a concurrent first import must not take it for a foreign database).
      let ours = tables.contains("grdb_migrations")
      if !ours {
        if tables.isEmpty && access == .write { return }
        throw EventLogError.notALog(
          path: path,
          detail: tables.isEmpty
            ? "no events table"
            : "an SQLite database of another program (tables: \(tables.prefix(5).joined(separator: ", ")))"
        )
      }
      if try migrator.hasBeenSuperseded(db) { throw EventLogError.newerSchema(path: path) }
      if access == .read, !tables.contains("events"), !tables.contains("log_events") {
        throw EventLogError.notALog(path: path, detail: "no events table")
      }
      // The read side needs the events and the replay index; later migrations add caches a
      // reader can do without (a log from an earlier shelflog stays readable, even read-only).
      if access == .read, try !migrator.appliedIdentifiers(db).contains(Schema.readable) {
        throw EventLogError.notALog(
          path: path,
          detail:
            "its schema is older than this shelflog; `shelflog snapshot` or the next import upgrades it"
        )
      }
    }
  }

  /// Two first imports may race to create the schema: the loser's migration fails on the
  /// existing table; it then finds the schema complete and goes on.
  private static func migrate(_ pool: DatabasePool) throws {
    let migrator = Schema.migrator()
    for attempt in 1...3 {
      do {
        try migrator.migrate(pool)
        return
      } catch let refused as Schema.MigrationRefused {
        throw refused
      } catch {
        let complete = try pool.read { db in try migrator.hasCompletedMigrations(db) }
        if complete { return }
        if attempt == 3 { throw error }
      }
    }
  }

  /// Runs `body` in one IMMEDIATE transaction, mapping SQLite faults to log faults; any other
  /// error passes through as it is.
  func writeTransaction<T>(_ body: (Database) throws -> (T, commit: Bool)) throws -> T {
    guard let pool else { throw EventLogError.readOnly(path: path, detail: "opened for reading") }
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
    } catch let error as DatabaseError {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// Runs `body` on one read snapshot (one transaction), mapping SQLite faults to log faults.
  func read<T>(_ body: (Database) throws -> T) throws(EventLogError) -> T {
    do {
      return try readPassingErrors(body)
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// `read`, mapping only SQLite faults: other errors thrown by `body` pass through.
  func readPassingErrors<T>(_ body: (Database) throws -> T) throws -> T {
    do {
      if let pool { return try pool.read(body) }
      guard let reader else { throw EventLogError.notFound(path: path) }
      return try reader.inDatabase { db in
        var result: T?
        try db.inTransaction(.deferred) {
          result = try body(db)
          return .commit
        }
        guard let result else { throw EventLogError.database(path: path, detail: "no result") }
        return result
      }
    } catch let error as DatabaseError {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }

  /// Runs `body` on a read-only connection of its own, in one read transaction: for work on
  /// another thread beside this store's reads (verify's second walker, the file check).
  func readOnOwnConnection<T>(_ body: (Database) throws -> T) throws(EventLogError) -> T {
    do {
      let queue = try Self.openReader(path: path, wait: wait)
      return try queue.inDatabase { db in
        var value: T?
        try db.inTransaction(.deferred) {
          value = try body(db)
          return .commit
        }
        guard let value else { throw EventLogError.database(path: path, detail: "no result") }
        return value
      }
    } catch {
      throw EventLogError.from(error, path: path, wait: wait)
    }
  }
}
