import Crypto
import Foundation
import LibraryDomain
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// The event log in a PostgreSQL database (docs/postgresql.md), shared by many importers: the
/// same contract as `SQLiteEventStore`, the same hash chain. One head row (`log_head`), locked
/// by each append transaction, serialises appenders, so positions are gap-free in commit order.
/// Reads run in one REPEATABLE READ transaction (one snapshot) and stream in pages.
public final class PostgresEventStore: EventStore, @unchecked Sendable {
  public let location: PostgresLocation
  public var name: String { location.name }
  let access: SQLiteEventStore.Access
  /// How long an append waits for another appender (seconds).
  let wait: Double
  let session: PostgresSession
  /// Held by work that runs on `session` from another thread because the server would not
  /// open a connection of its own for it (verify's walkers and storage check).
  let sharedConnection = NIOLock()

  /// Rows per page of a streamed read.
  static let pageSize = 8_192

  /// Connects; for writing, creates the schema when the database has none. A database with a
  /// newer schema is refused; for reading, one without a log is `notFound`.
  public init(
    location: PostgresLocation, access: SQLiteEventStore.Access, wait: Double = 30
  ) throws(EventLogError) {
    self.location = location
    self.access = access
    self.wait = wait
    session = try PostgresSession(location)
    let version = try Self.schemaVersion(session)
    if let version, version > PostgresSchema.version { throw .newerSchema(path: location.name) }
    if version == nil {
      if access == .read { throw .notFound(path: location.name) }
      try createSchema()
    }
  }

  /// The schema version of the database, nil when it holds no shelflog log.
  private static func schemaVersion(_ session: PostgresSession) throws(EventLogError) -> Int? {
    // The table is named in a query only once it is known to exist (it is resolved when the
    // query is parsed).
    let exists = try session.query("SELECT (to_regclass('shelflog_schema') IS NOT NULL)::int")
    guard exists.first?.first.flatMap(PostgresCells.int) == 1 else { return nil }
    let rows = try session.query("SELECT max(version) FROM shelflog_schema")
    return rows.first.flatMap { row in row.first.flatMap(PostgresCells.int) }.map { Int($0) }
  }

  /// Creates the schema in one transaction under an advisory lock: two first imports racing
  /// create it once. The lock is taken before the transaction begins: a transaction sees other
  /// sessions' new tables only from its start (the catalog caches are refreshed then), so the
  /// loser must begin after the winner committed.
  private func createSchema() throws(EventLogError) {
    try session.query("SELECT pg_advisory_lock(\(Self.schemaLock))")
    defer { _ = try? session.query("SELECT pg_advisory_unlock(\(Self.schemaLock))") }
    try transaction(readOnly: false) { () throws(EventLogError) in
      guard try Self.schemaVersion(session) == nil else { return }
      for statement in PostgresSchema.create { try session.query(statement) }
    }
  }

  /// The advisory lock key that guards schema creation.
  private static let schemaLock: Int64 = 0x7368_656c_666c_6f67

  // MARK: - Transactions

  /// Runs `body` in one transaction: REPEATABLE READ (one snapshot) for reads; committed when
  /// it returns, rolled back when it throws.
  func transaction<T>(readOnly: Bool = true, _ body: () throws -> T) throws -> T {
    try session.query(
      readOnly
        ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN ISOLATION LEVEL READ COMMITTED"
    )
    do {
      let value = try body()
      try session.query("COMMIT")
      return value
    } catch {
      _ = try? session.query("ROLLBACK")
      throw error
    }
  }

  /// `transaction` for bodies that throw log faults only.
  func transaction<T>(readOnly: Bool = true, _ body: () throws(EventLogError) -> T)
    throws(EventLogError) -> T
  {
    do {
      return try transaction(readOnly: readOnly) { () throws -> T in try body() }
    } catch let fault as EventLogError {
      throw fault
    } catch {
      throw PostgresSession.fault(error, location: location, wait: wait)
    }
  }

  public func appendTransaction<Result>(
    _ body: (any BatchWriter) throws -> (Result, commit: Bool)
  ) throws -> Result {
    try holdingHead { head in
      try body(
        PostgresBatchWriter(
          store: self, position: PostgresCells.int(head[0]) ?? 0,
          hash: PostgresCells.bytes(head[1]), recorded: PostgresCells.int(head[2]),
          batches: PostgresCells.int(head[3]) ?? 0))
    }
  }

  /// Runs `body` in a write transaction holding the append lock, with the head row (position,
  /// hash, recorded_us, batches); commits when it returns `commit: true`, rolls back when it
  /// returns false or throws.
  func holdingHead<Result>(_ body: ([PostgresCell]) throws -> (Result, commit: Bool)) throws
    -> Result
  {
    guard access == .write else {
      throw EventLogError.readOnly(path: name, detail: "opened for reading")
    }
    do {
      let (result, commit) = try body(try beginAppend())
      try session.query(commit ? "COMMIT" : "ROLLBACK")
      return result
    } catch {
      _ = try? session.query("ROLLBACK")
      throw error
    }
  }

  /// Moves the head row to the log's new last event (inside `holdingHead`); the latest
  /// recorded time never goes back.
  static func moveHead(
    _ session: PostgresSession, position: Int64, hash: [UInt8], recorded: Int64?, batches: Int64
  ) throws(EventLogError) {
    var binds = PostgresBindings()
    binds.append(position)
    binds.append(NIOCore.ByteBuffer(bytes: hash))
    binds.append(recorded)
    binds.append(batches)
    try session.query(
      """
      UPDATE log_head SET position = $1, hash = $2, recorded_us = greatest(recorded_us, $3),
        batches = $4
      """, binds)
  }

  /// Begins a write transaction and takes the append lock: the head row (position, hash,
  /// recorded_us, batches), which whoever holds it appends after. `--wait` bounds how long
  /// another appender may hold it (a timeout is SQLSTATE 55P03: busy, exit 75).
  private func beginAppend() throws -> [PostgresCell] {
    try session.query("BEGIN ISOLATION LEVEL READ COMMITTED")
    try session.query("SET LOCAL lock_timeout = '\(Int((wait * 1000).rounded()))ms'")
    let head = try session.query(
      "SELECT position, hash, recorded_us, batches FROM log_head FOR UPDATE", wait: wait)
    try session.query("SET LOCAL lock_timeout = 0")
    guard let row = head.first.map(PostgresCells.cells) else {
      throw EventLogError.notALog(path: name, detail: "the head row is missing")
    }
    return row
  }

  public func hasBatch(sha256: String) throws(EventLogError) -> Bool {
    guard let bytes = Hex.bytes(sha256) else { return false }
    var binds = PostgresBindings()
    binds.append(NIOCore.ByteBuffer(bytes: bytes))
    return try !session.query("SELECT 1 FROM log_batches WHERE sha256 = $1", binds).isEmpty
  }

  public func loggedCommands(
    keys: [Int64]
  ) throws(EventLogError) -> [(key: Int64, event: LoggedCommand)] {
    try Self.loggedCommands(keys: keys, session)
  }

  /// The columns `loggedCommand` reads.
  static let loggedColumns = """
    position, command_id, type, isbn, title, author, quantity, user_id, occurred_us, command_key
    """

  /// A row of `loggedColumns` as the duplicate check compares it, with its key.
  static func loggedCommand(_ row: PostgresRow) -> (key: Int64, event: LoggedCommand) {
    let cells = Array(row)
    let isbn = PostgresCells.int(cells[3]) ?? 0
    return (
      PostgresCells.int(cells[9]) ?? 0,
      LoggedCommand(
        position: PostgresCells.int(cells[0]) ?? 0,
        commandID: PostgresCells.string(cells[1]),
        content: CommandContent(
          type: PostgresCells.int(cells[2]).flatMap(CompactForm.type(code:))?.rawValue ?? "",
          isbn: ISBN.digits(of: isbn), title: PostgresCells.string(cells[4]),
          author: PostgresCells.string(cells[5]), quantity: PostgresCells.int(cells[6]),
          userID: PostgresCells.string(cells[7]),
          occurredMicroseconds: PostgresCells.int(cells[8]) ?? 0))
    )
  }

  /// The events logged under `keys` through position `last` (read in the caller's transaction),
  /// unsorted.
  static func loggedCommands(
    keys: [Int64], through last: Int64 = Int64.max, _ session: PostgresSession
  ) throws(EventLogError) -> [(key: Int64, event: LoggedCommand)] {
    guard !keys.isEmpty else { return [] }
    var binds = PostgresBindings()
    binds.append(Array(Set(keys)))
    binds.append(last)
    return try session.query(
      "SELECT \(loggedColumns) FROM log_events WHERE command_key = ANY($1) AND position <= $2",
      binds
    ).map(loggedCommand)
  }
}

extension PostgresEventStore {
  /// Runs SQL statements, one at a time and each on its own, on the database at `location`
  /// without opening it as a log: what tests and tools use to create a database, or to play a
  /// tamperer behind shelflog's back.
  public static func execute(_ statements: [String], at location: PostgresLocation)
    throws(EventLogError)
  {
    let session = try PostgresSession(location)
    for statement in statements { try session.query(statement) }
  }
}
