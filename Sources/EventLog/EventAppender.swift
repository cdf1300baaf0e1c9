import GRDB
import GRDBSQLite
import Ingest
import LibraryDomain

/// What became of one validated row.
enum AppendOutcome {
  case appended
  /// Same command id, same content: already logged, skipped.
  case duplicate
  /// Same command id, other content: rejected.
  case conflict(position: Int64)
}

/// The import hot loop's writer: binds through the C API on reused statements, extends the hash
/// chain, and checks command ids against an integer index.
struct EventAppender {
  private let insert: Statement
  private let lookup: Statement
  private let batch: String
  private let recordedAt: Timestamp
  private let recordedText: [UInt8]
  private(set) var chain: HashChain
  private(set) var position: Int64
  private var canonical = CanonicalEvent()
  private var scratch: [UInt8] = []

  /// Insert parameter numbers of the text fields, taken from the canonical bytes.
  private static let textColumns: [(Int32, CanonicalEvent.Field)] = [
    (2, .type), (3, .commandID), (4, .isbn), (5, .title), (6, .author), (8, .userID),
    (9, .occurredAt), (10, .recordedAt), (11, .batch),
  ]

  init(db: Database, batch: String, recordedAt: Timestamp) throws {
    insert = try db.makeStatement(
      sql: """
        INSERT INTO events (position, type, command_id, isbn, title, author, quantity, user_id,
          occurred_at, recorded_at, batch, hash, occurred_us, recorded_us, command_key)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
        """)
    lookup = try db.makeStatement(
      sql: """
        SELECT position, command_id, type, isbn, title, author, quantity, user_id, occurred_us
        FROM events WHERE command_key = ?1
        """)
    let head = try Row.fetchOne(
      db, sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
    position = head?["position"] ?? 0
    let headHash: String? = head?["hash"]
    chain = HashChain(head: headHash.flatMap(unhex) ?? [UInt8](repeating: 0, count: 32))
    self.batch = batch
    self.recordedAt = recordedAt
    var text: [UInt8] = []
    recordedAt.appendText(to: &text)
    recordedText = text
  }

  /// Appends a row as the next event, unless its command id says it is logged already.
  mutating func append(_ row: ValidatedRow) throws -> AppendOutcome {
    let key: Int64? = row.commandID.isEmpty ? nil : commandKey(row.commandID)
    if let key, let outcome = try existing(row, key: key) { return outcome }
    position += 1
    let added: BookAdded? = if case .bookAdded(let event) = row.event { event } else { nil }
    canonical.reset()
    canonical.append(number: position)
    canonical.append(row.event.type.rawValue)
    canonical.append(row.commandID)
    canonical.append(row.event.isbn.digits)
    canonical.append(added?.title ?? "")
    canonical.append(added?.author ?? "")
    canonical.append(number: added.map { Int64($0.quantity) })
    canonical.append(row.event.userID ?? "")
    scratch.removeAll(keepingCapacity: true)
    row.occurredAt.appendText(to: &scratch)
    scratch.withUnsafeBytes { canonical.append($0) }
    recordedText.withUnsafeBytes { canonical.append($0) }
    canonical.append(batch)
    let hash = canonical.bytes.withUnsafeBytes { chain.append(canonical: $0) }

    let statement = insert.sqliteStatement
    sqlite3_bind_int64(statement, 1, position)
    for (index, field) in Self.textColumns {
      canonical.withField(field) { bindText(statement, index, $0) }
    }
    if let added {
      sqlite3_bind_int64(statement, 7, Int64(added.quantity))
    } else {
      sqlite3_bind_null(statement, 7)
    }
    scratch.removeAll(keepingCapacity: true)
    appendHex(hash, to: &scratch)
    scratch.withUnsafeBytes { bindText(statement, 12, $0) }
    sqlite3_bind_int64(statement, 13, row.occurredAt.microseconds)
    sqlite3_bind_int64(statement, 14, recordedAt.microseconds)
    if let key { sqlite3_bind_int64(statement, 15, key) } else { sqlite3_bind_null(statement, 15) }
    try step(statement, expecting: SQLITE_DONE)
    sqlite3_reset(statement)
    return .appended
  }

  /// Looks the command id up; nil when it is new.
  private func existing(_ row: ValidatedRow, key: Int64) throws -> AppendOutcome? {
    let statement = lookup.sqliteStatement
    defer { sqlite3_reset(statement) }
    sqlite3_bind_int64(statement, 1, key)
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { return nil }
      guard code == SQLITE_ROW else {
        try step(statement, expecting: SQLITE_ROW, code: code)
        return nil
      }
      guard columnText(statement, 1) == row.commandID else { continue }
      let added: BookAdded? = if case .bookAdded(let event) = row.event { event } else { nil }
      let same =
        columnText(statement, 2) == row.event.type.rawValue
        && columnText(statement, 3) == row.event.isbn.digits
        && columnText(statement, 4) == (added?.title ?? "")
        && columnText(statement, 5) == (added?.author ?? "")
        && (sqlite3_column_type(statement, 6) == SQLITE_NULL
          ? added == nil : sqlite3_column_int64(statement, 6) == Int64(added?.quantity ?? -1))
        && columnText(statement, 7) == (row.event.userID ?? "")
        && sqlite3_column_int64(statement, 8) == row.occurredAt.microseconds
      return same ? .duplicate : .conflict(position: sqlite3_column_int64(statement, 0))
    }
  }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

private func bindText(_ statement: OpaquePointer, _ index: Int32, _ bytes: UnsafeRawBufferPointer) {
  guard let start = bytes.baseAddress, !bytes.isEmpty else {
    // A null pointer would bind NULL; an empty field is the empty string.
    sqlite3_bind_text(statement, index, "", 0, transient)
    return
  }
  sqlite3_bind_text(
    statement, index, start.assumingMemoryBound(to: CChar.self), Int32(bytes.count), transient)
}

private func columnText(_ statement: OpaquePointer, _ index: Int32) -> String {
  guard let text = sqlite3_column_text(statement, index) else { return "" }
  let count = Int(sqlite3_column_bytes(statement, index))
  return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
}

private func step(_ statement: OpaquePointer, expecting: Int32, code: Int32? = nil) throws {
  let code = code ?? sqlite3_step(statement)
  guard code != expecting else { return }
  let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(statement)))
  sqlite3_reset(statement)
  throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
}

private let hexDigits = Array("0123456789abcdef".utf8)

private func appendHex(_ bytes: [UInt8], to out: inout [UInt8]) {
  for byte in bytes {
    out.append(hexDigits[Int(byte >> 4)])
    out.append(hexDigits[Int(byte & 0x0F)])
  }
}
