import EventLog
import Foundation
import GRDB
import Importer
import Ingest
import LibraryDomain

/// A log in a fresh temporary folder (SQLite) or a fresh database (PostgreSQL), removed when
/// the test ends.
public final class TestLog {
  public let folder: URL
  /// The SQLite file's path, or the PostgreSQL database's URL (with its password).
  public let path: String
  public let backend: Backend
  public let store: any EventStore
  /// The PostgreSQL database, nil on SQLite.
  public let database: TestDatabase?
  public private(set) var rejects: [Reject] = []
  public private(set) var warnings: [String] = []

  public init(_ backend: Backend = .sqlite) throws {
    self.backend = backend
    folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "shelflog-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    switch backend {
    case .sqlite:
      database = nil
      path = folder.appendingPathComponent("log.sqlite").path
      store = try SQLiteEventStore(path: path, access: .write, wait: 5)
    case .postgres:
      let database = try TestDatabase()
      self.database = database
      path = database.url
      store = try PostgresEventStore(location: database.location, access: .write, wait: 5)
    }
  }

  /// A second store on the same log, opened to read (as read commands open it).
  public func reader() throws -> any EventStore {
    switch backend {
    case .sqlite: try SQLiteEventStore(path: path, access: .read)
    case .postgres: try PostgresEventStore(location: try PostgresLocation(url: path), access: .read)
    }
  }

  deinit {
    try? FileManager.default.removeItem(at: folder)
  }

  public static let header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

  /// Imports CSV rows (under the full header) as one batch, recorded at `recordedAt` seconds
  /// past 2000-01-01T00:00:00Z; through `store` when given (the same log opened otherwise, as
  /// another role), else through this log's own.
  @discardableResult
  public func importBatch(
    _ body: String, file: String = "batch.csv", recordedAt: Int64? = 0, allowPartial: Bool = false,
    now: Int64 = 0, into store: (any EventStore)? = nil
  ) throws -> BatchSummary {
    try importBytes(
      Array((Self.header + body).utf8), file: file, recordedAt: recordedAt.map(Self.time),
      allowPartial: allowPartial, now: Self.time(now), into: store)
  }

  /// Imports exact bytes as one batch.
  @discardableResult
  public func importBytes(
    _ bytes: [UInt8], file: String, recordedAt: Timestamp?, allowPartial: Bool = false,
    now: Timestamp = TestLog.time(0), into store: (any EventStore)? = nil
  ) throws -> BatchSummary {
    var options = ImportOptions(now: now)
    options.allowPartial = allowPartial
    options.recordedAt = recordedAt
    let observer = ImportObserver(
      reject: { self.rejects.append($0) }, warning: { self.warnings.append($0) }, progress: { _ in }
    )
    return try Importer.importBatch(
      BytesSource(bytes), file: file, sha256: sha256Hex(bytes), into: store ?? self.store,
      options: options,
      observer: observer)
  }

  /// Imports a fixture case folder per docs/check.md: `batches/*.csv` in name order, batch i
  /// recorded at line i+1 of `recorded_at`, or 2000-01-01T00:00:00Z plus i seconds.
  public func importCase(_ folder: URL) throws {
    let batches = folder.appendingPathComponent("batches")
    let names = try FileManager.default.contentsOfDirectory(atPath: batches.path)
      .filter { $0.hasSuffix(".csv") }.sorted()
    let timesFile = folder.appendingPathComponent("recorded_at")
    let lines =
      (try? String(contentsOf: timesFile, encoding: .utf8))?.split(whereSeparator: \.isNewline)
      .map(String.init) ?? []
    for (index, name) in names.enumerated() {
      let time = index < lines.count ? Timestamp(rfc3339: lines[index]) : Self.time(Int64(index))
      let bytes = try [UInt8](Data(contentsOf: batches.appendingPathComponent(name)))
      try importBytes(bytes, file: "batches/\(name)", recordedAt: time)
    }
  }

  /// All events, in position order.
  public func events() throws -> [StoredEvent] {
    var events: [StoredEvent] = []
    try store.events { events.append($0) }
    return events
  }

  /// Runs SQL on the log behind the store's back, as an auditor (or a tamperer) would.
  public func tamper(_ sql: String) throws {
    if let database { return try database.execute(sql) }
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
  }

  /// The SQL that creates the triggers `dropTriggers` drops, to put them back.
  public func triggerDefinitions() throws -> [String] {
    switch backend {
    case .sqlite:
      try query(
        """
        SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN
          ('events_append_only_update', 'events_append_only_delete',
           'batches_append_only_update', 'batches_append_only_delete')
        """)
    case .postgres:
      try query(
        """
        SELECT pg_get_triggerdef(oid) FROM pg_trigger
        WHERE tgname IN ('events_append_only', 'batches_append_only')
        """)
    }
  }

  /// Runs a query behind shelflog's back; each row as its values joined by `|` (NULL as "",
  /// integers in decimal). PostgreSQL is asked through `psql`.
  public func query(_ sql: String) throws -> [String] {
    guard backend == .postgres else { return try Self.query(sql, sqlite: path) }
    let psql = Process()
    psql.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    psql.arguments = [
      "psql", "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1", "-c", sql, path,
    ]
    let output = Pipe()
    psql.standardOutput = output
    try psql.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    psql.waitUntilExit()
    guard psql.terminationStatus == 0 else { throw QueryFailed(sql: sql) }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  /// `query` on the SQLite file at `path`, read-only.
  public static func query(_ sql: String, sqlite path: String) throws -> [String] {
    var config = Configuration()
    config.readonly = true
    let queue = try DatabaseQueue(path: path, configuration: config)
    return try queue.read { db in
      try Row.fetchAll(db, sql: sql).map { row in
        row.databaseValues.map { value in
          switch value.storage {
          case .int64(let number): String(number)
          case .string(let text): text
          case .null: ""
          default: value.description
          }
        }.joined(separator: "|")
      }
    }
  }

  struct QueryFailed: Error {
    var sql: String
  }

  /// Drops the triggers that keep the stored tables append-only (a tamperer's first step).
  public func dropTriggers() throws {
    switch backend {
    case .sqlite:
      try tamper(
        """
        DROP TRIGGER events_append_only_update; DROP TRIGGER events_append_only_delete;
        DROP TRIGGER batches_append_only_update; DROP TRIGGER batches_append_only_delete;
        """)
    case .postgres:
      try tamper(
        """
        DROP TRIGGER events_append_only ON log_events;
        DROP TRIGGER batches_append_only ON log_batches
        """)
    }
  }

  /// SQL for 32 zero bytes (a hash a tamperer writes).
  public var zeroHash: String {
    backend == .sqlite ? "zeroblob(32)" : "decode(repeat('00', 32), 'hex')"
  }

  /// 2000-01-01T00:00:00Z plus seconds.
  public static func time(_ seconds: Int64) -> Timestamp {
    Timestamp(microseconds: 946_684_800_000_000 + seconds * 1_000_000)
  }
}

/// The repository's root folder (the one holding Package.swift), found from this file.
public func repositoryRoot(_ file: String = #filePath) -> URL {
  var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
  while folder.path != "/" {
    if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
      return folder
    }
    folder = folder.deletingLastPathComponent()
  }
  return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
}
