import GRDB
import GRDBSQLite
import Ingest
import LibraryDomain

/// What a chunk did, for the batch summary; rejects go to the observer as they are reached.
struct AppendTally {
  var accepted = 0
  var rejected = 0
  var skipped = 0
  /// The earliest business time of the appended events.
  var earliest = Int64.max
}

/// The import hot loop's writer. Rows are staged in a bounded chunk (their canonical bytes in
/// one arena, no per-row objects kept); a full chunk looks its command ids up in sorted key
/// order (`group` keys per lookup), appends its events in file order (positions and the hash
/// chain follow the file) with multi-row inserts, and keeps its new keys in a bounded sorted
/// buffer that goes into `command_keys` in one sorted pass when full and at the end of the
/// batch. Memory stays bounded by the chunk and that buffer, whatever the batch size.
struct EventAppender {
  /// A chunk ends at this many staged rows or bytes (canonical fields, raw text, rejects).
  static let chunkRows = 8_192
  static let chunkBytes = 2 << 20

  /// Rows per multi-row INSERT: one statement step per group keeps SQLite's cursor on the page
  /// it writes, instead of a descent from the root (and a statement set-up) per row.
  static let group = 64

  /// Inserts of `group` rows and of one row (for the rest of a chunk).
  private let insertEvents: (group: Statement, one: Statement)
  private let insertKeys: (group: Statement, one: Statement)
  private let lookup: Statement
  private let eventAt: Statement
  private let recordedMicroseconds: Int64
  /// The netstrings of recorded_at and batch, the same for every event of the batch.
  private let suffix: [UInt8]
  private(set) var chain: HashChain
  private(set) var position: Int64

  /// Canonical netstrings of each staged row's fields from type to occurred_at, then (for a row
  /// with a command id) its raw record text.
  private let arena = ByteBuffer()
  /// One event's full canonical bytes; the statement binds its fields without copies.
  private let canonical = ByteBuffer()
  /// The hex of the event's hash, bound without a copy.
  private let hashHex = ByteBuffer()
  private var staged: [StagedRow] = []
  /// Validation rejects, each after the staged row count at its time (file order).
  private var pendingRejects: [(before: Int, reject: Reject)] = []
  private var pendingBytes = 0
  /// Staged rows with a command id, sorted by key then file order when the chunk is flushed.
  private var keyed: [(key: Int64, row: Int32)] = []
  private var timeText: [UInt8] = []
  /// Payload offset and length of each canonical field of each event of a group.
  private var spans = [Int](repeating: 0, count: 2 * Self.fieldCount * Self.group)
  /// Staged rows appended but not yet inserted (at most a group).
  private var unwritten: [Int] = []
  /// Keys of appended rows not yet in `command_keys`, sorted (key, then position). They are
  /// written when `pendingKeyLimit` is reached and at the end of the batch: each write is one
  /// sorted pass over the key table, and fewer passes keep its pages from being spilled and
  /// read back again and again while event pages stream through the page cache.
  private var pendingKeys: [(key: Int64, position: Int64)] = []
  static let pendingKeyLimit = 1 << 18
  private var chunkKeys: [(key: Int64, position: Int64)] = []
  /// Whether `command_keys` has any row; while it has none, lookups are skipped (a first
  /// import).
  private var keysLogged: Bool
  /// The chunk's keys found in `command_keys`, with their events.
  private var hits: [(key: Int64, event: LoggedEvent)] = []

  init(db: Database, batch: String, recordedAt: Timestamp) throws {
    // OR FAIL: no statement journal per step. A failing insert (a fault, never data) throws,
    // and the batch's transaction rolls back whole.
    func eventInsert(rows: Int) throws -> Statement {
      try db.makeStatement(
        sql: """
          INSERT OR FAIL INTO events (position, type, command_id, isbn, title, author, quantity,
            user_id, occurred_at, recorded_at, batch, hash, occurred_us, recorded_us, command_key)
          VALUES \(repeatElement("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", count: rows).joined(separator: ","))
          """)
    }
    func keyInsert(rows: Int) throws -> Statement {
      try db.makeStatement(
        sql: """
          INSERT OR FAIL INTO command_keys (key, position)
          VALUES \(repeatElement("(?,?)", count: rows).joined(separator: ","))
          """)
    }
    insertEvents = (try eventInsert(rows: Self.group), try eventInsert(rows: 1))
    insertKeys = (try keyInsert(rows: Self.group), try keyInsert(rows: 1))
    lookup = try db.makeStatement(
      sql: """
        SELECT e.position, e.command_id, e.type, e.isbn, e.title, e.author, e.quantity,
          e.user_id, e.occurred_us, k.key
        FROM command_keys AS k JOIN events AS e ON e.position = k.position
        WHERE k.key IN (\(repeatElement("?", count: Self.group).joined(separator: ",")))
        """)
    eventAt = try db.makeStatement(
      sql: """
        SELECT position, command_id, type, isbn, title, author, quantity, user_id, occurred_us
        FROM events WHERE position = ?1
        """)
    keysLogged = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM command_keys)") ?? true
    let head = try Row.fetchOne(
      db, sql: "SELECT position, hash FROM events ORDER BY position DESC LIMIT 1")
    position = head?["position"] ?? 0
    let headHash: String? = head?["hash"]
    chain = HashChain(head: headHash.flatMap(unhex) ?? [UInt8](repeating: 0, count: 32))
    recordedMicroseconds = recordedAt.microseconds
    var text: [UInt8] = []
    recordedAt.appendText(to: &text)
    var suffix: [UInt8] = []
    appendNetstring(text, to: &suffix)
    appendNetstring(Array(batch.utf8), to: &suffix)
    self.suffix = suffix
    staged.reserveCapacity(Self.chunkRows)
    keyed.reserveCapacity(Self.chunkRows)
    unwritten.reserveCapacity(Self.group)
    pendingKeys.reserveCapacity(Self.pendingKeyLimit + Self.chunkRows)
  }

  /// Whether the chunk should be flushed before more rows are staged.
  var isFull: Bool {
    staged.count >= Self.chunkRows || arena.count + pendingBytes >= Self.chunkBytes
  }

  /// Stages a valid row; `raw` is its record text, kept for a duplicate_command_id reject.
  mutating func stage(_ row: ValidatedRow, raw: [UInt8]) {
    let added: BookAdded? = if case .bookAdded(let event) = row.event { event } else { nil }
    let start = arena.count
    arena.appendNetstring(row.event.type.rawValue)
    arena.appendNetstring(row.commandID)
    arena.appendNetstring(row.event.isbn.digits)
    arena.appendNetstring(added?.title ?? "")
    arena.appendNetstring(added?.author ?? "")
    arena.appendNetstring(number: added.map { Int64($0.quantity) })
    arena.appendNetstring(row.event.userID ?? "")
    timeText.removeAll(keepingCapacity: true)
    row.occurredAt.appendText(to: &timeText)
    timeText.withUnsafeBytes { arena.appendNetstring($0) }
    let end = arena.count
    var key: Int64 = 0
    if !row.commandID.isEmpty {
      key = commandKey(row.commandID)
      keyed.append((key, Int32(staged.count)))
      raw.withUnsafeBytes { arena.append($0) }
    }
    staged.append(
      StagedRow(
        start: start, end: end, rawEnd: arena.count, line: row.line,
        hasKey: !row.commandID.isEmpty, key: key, occurredMicroseconds: row.occurredAt.microseconds,
        quantity: added.map { Int64($0.quantity) }, commandIDColumn: row.commandIDColumn))
  }

  /// Keeps a row's validation rejects in file order with the staged rows.
  mutating func stage(rejects: [Reject]) {
    for reject in rejects {
      pendingRejects.append((staged.count, reject))
      pendingBytes += reject.raw.utf8.count + reject.message.utf8.count + 64
    }
  }

  /// Flushes the last chunk and writes the keys still pending.
  mutating func finish(_ tally: inout AppendTally, reject: (Reject) -> Void) throws {
    try flush(&tally, reject: reject)
    try writeKeys()
  }

  /// Resolves the chunk's command ids, appends its events and keys, and reports its rejects in
  /// file order.
  mutating func flush(_ tally: inout AppendTally, reject: (Reject) -> Void) throws {
    try resolve()
    var nextReject = 0
    for index in staged.indices {
      while nextReject < pendingRejects.count, pendingRejects[nextReject].before <= index {
        reject(pendingRejects[nextReject].reject)
        nextReject += 1
      }
      switch staged[index].outcome {
      case .appended:
        position += 1
        staged[index].position = position
        unwritten.append(index)
        if unwritten.count == Self.group { try writeEvents() }
        tally.accepted += 1
        tally.earliest = min(tally.earliest, staged[index].occurredMicroseconds)
      case .duplicate:
        tally.skipped += 1
      case .conflict(let position):
        tally.rejected += 1
        reject(conflictReject(index, position: position))
      case .conflictWithRow(let earlier):
        tally.rejected += 1
        reject(conflictReject(index, position: staged[earlier].position))
      }
    }
    while nextReject < pendingRejects.count {
      reject(pendingRejects[nextReject].reject)
      nextReject += 1
    }
    try writeEvents()
    mergeNewKeys()
    if pendingKeys.count >= Self.pendingKeyLimit { try writeKeys() }
    staged.removeAll(keepingCapacity: true)
    keyed.removeAll(keepingCapacity: true)
    pendingRejects.removeAll(keepingCapacity: true)
    pendingBytes = 0
    arena.removeAll()
  }

  // MARK: - Command ids

  /// Decides each keyed row's outcome, probing the log in sorted key order. A row whose id is
  /// logged (before this chunk, or by an earlier row of it) is a duplicate when its content is
  /// the same and a conflict otherwise; the first row of an id is appended.
  private mutating func resolve() throws {
    keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.row < $1.row }
    try probe()
    var hit = 0
    var pending = 0
    var start = 0
    while start < keyed.count {
      let key = keyed[start].key
      var end = start + 1
      while end < keyed.count, keyed[end].key == key { end += 1 }
      // Events logged under the key: listed in `command_keys`, then pending (all later).
      var logged: [LoggedEvent] = []
      while hit < hits.count, hits[hit].key < key { hit += 1 }
      while hit < hits.count, hits[hit].key == key {
        logged.append(hits[hit].event)
        hit += 1
      }
      while pending < pendingKeys.count, pendingKeys[pending].key < key { pending += 1 }
      while pending < pendingKeys.count, pendingKeys[pending].key == key {
        try collect(eventAt.sqliteStatement, argument: pendingKeys[pending].position, into: &logged)
        pending += 1
      }
      if logged.isEmpty && end - start == 1 {
        start = end
        continue
      }
      var firsts: [Int] = []
      for entry in keyed[start..<end] {
        let row = Int(entry.row)
        let id = text(row, .commandID)
        if let event = logged.first(where: { $0.commandID == id }) {
          staged[row].outcome =
            event.content == content(row) ? .duplicate : .conflict(position: event.position)
        } else if let earlier = firsts.first(where: { text($0, .commandID) == id }) {
          staged[row].outcome =
            content(earlier) == content(row) ? .duplicate : .conflictWithRow(earlier)
        } else {
          firsts.append(row)
        }
      }
      start = end
    }
  }

  /// Looks the chunk's distinct keys up in `command_keys`, `group` keys per statement step;
  /// fills `hits`, sorted by key and position.
  private mutating func probe() throws {
    hits.removeAll(keepingCapacity: true)
    guard keysLogged else { return }
    var batch: [Int64] = []
    batch.reserveCapacity(Self.group)
    for (index, entry) in keyed.enumerated() where index == 0 || entry.key != keyed[index - 1].key {
      batch.append(entry.key)
      if batch.count == Self.group {
        try probe(batch)
        batch.removeAll(keepingCapacity: true)
      }
    }
    if !batch.isEmpty { try probe(batch) }
    hits.sort { $0.key != $1.key ? $0.key < $1.key : $0.event.position < $1.event.position }
  }

  private mutating func probe(_ batch: [Int64]) throws {
    let statement = lookup.sqliteStatement
    for parameter in 0..<Self.group {
      // Unused parameters repeat a key (an IN list ignores repeats).
      sqlite3_bind_int64(statement, Int32(parameter + 1), batch[min(parameter, batch.count - 1)])
    }
    var found: [LoggedEvent] = []
    var keys: [Int64]? = []
    try collect(statement, keys: &keys, into: &found)
    for (key, event) in zip(keys ?? [], found) { hits.append((key, event)) }
  }

  /// Steps a statement selecting events (position, command_id, type, isbn, title, author,
  /// quantity, user_id, occurred_us) with one integer argument.
  private func collect(
    _ statement: OpaquePointer, argument: Int64, into events: inout [LoggedEvent]
  ) throws {
    sqlite3_bind_int64(statement, 1, argument)
    var keys: [Int64]? = nil
    try collect(statement, keys: &keys, into: &events)
  }

  /// Steps a bound statement selecting events, as above, with their key after them when `keys`
  /// is given; resets it.
  private func collect(
    _ statement: OpaquePointer, keys: inout [Int64]?, into events: inout [LoggedEvent]
  ) throws {
    defer { sqlite3_reset(statement) }
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else {
        try step(statement, expecting: SQLITE_ROW, code: code)
        return
      }
      keys?.append(sqlite3_column_int64(statement, 9))
      events.append(
        LoggedEvent(
          position: sqlite3_column_int64(statement, 0),
          commandID: columnText(statement, 1),
          content: Content(
            type: columnText(statement, 2), isbn: columnText(statement, 3),
            title: columnText(statement, 4), author: columnText(statement, 5),
            quantity: sqlite3_column_type(statement, 6) == SQLITE_NULL
              ? nil : sqlite3_column_int64(statement, 6),
            userID: columnText(statement, 7),
            occurredMicroseconds: sqlite3_column_int64(statement, 8))))
    }
  }

  /// A staged row's content as the duplicate check compares it (as `String`s, like before).
  private func content(_ row: Int) -> Content {
    Content(
      type: text(row, .type), isbn: text(row, .isbn), title: text(row, .title),
      author: text(row, .author), quantity: staged[row].quantity, userID: text(row, .userID),
      occurredMicroseconds: staged[row].occurredMicroseconds)
  }

  /// One canonical field of a staged row as text.
  private func text(_ row: Int, _ field: CanonicalEvent.Field) -> String {
    var offset = staged[row].start
    var remaining = field.rawValue - CanonicalEvent.Field.type.rawValue
    while true {
      let (payload, next) = arena.netstring(at: offset)
      if remaining == 0 { return String(decoding: payload, as: UTF8.self) }
      remaining -= 1
      offset = next
    }
  }

  private func conflictReject(_ row: Int, position: Int64) -> Reject {
    let id = text(row, .commandID)
    let raw = arena.bytes(staged[row].end..<staged[row].rawEnd)
    return Reject(
      line: staged[row].line, column: staged[row].commandIDColumn, code: .duplicateCommandID,
      message: "command_id \"\(id)\" is already logged at position \(position) with other content",
      raw: String(decoding: raw, as: UTF8.self))
  }

  /// Merges the chunk's appended keys (sorted) into the pending ones, from the back.
  private mutating func mergeNewKeys() {
    chunkKeys.removeAll(keepingCapacity: true)
    for entry in keyed {
      let row = Int(entry.row)
      guard case .appended = staged[row].outcome else { continue }
      chunkKeys.append((entry.key, staged[row].position))
    }
    guard !chunkKeys.isEmpty else { return }
    var old = pendingKeys.count - 1
    var new = chunkKeys.count - 1
    pendingKeys.append(contentsOf: chunkKeys)
    var target = pendingKeys.count - 1
    // Positions grow through the batch: with equal keys, the chunk's come after.
    while new >= 0 {
      if old >= 0, pendingKeys[old].key > chunkKeys[new].key {
        pendingKeys[target] = pendingKeys[old]
        old -= 1
      } else {
        pendingKeys[target] = chunkKeys[new]
        new -= 1
      }
      target -= 1
    }
  }

  /// Adds the pending keys to `command_keys`, in sorted order.
  private mutating func writeKeys() throws {
    if !pendingKeys.isEmpty { keysLogged = true }
    var next = 0
    while next < pendingKeys.count {
      let count = pendingKeys.count - next >= Self.group ? Self.group : 1
      let statement = (count == 1 ? insertKeys.one : insertKeys.group).sqliteStatement
      for offset in 0..<count {
        let parameter = Int32(2 * offset)
        sqlite3_bind_int64(statement, parameter + 1, pendingKeys[next + offset].key)
        sqlite3_bind_int64(statement, parameter + 2, pendingKeys[next + offset].position)
      }
      try step(statement, expecting: SQLITE_DONE)
      sqlite3_reset(statement)
      next += count
    }
    pendingKeys.removeAll(keepingCapacity: true)
  }

  // MARK: - Events

  /// Inserts the appended rows not yet written: canonical bytes and hash of each, in position
  /// order, then one multi-row insert (single-row inserts for a short rest).
  private mutating func writeEvents() throws {
    guard !unwritten.isEmpty else { return }
    if unwritten.count < Self.group {
      let rest = unwritten
      for index in rest {
        unwritten = [index]
        try writeEvents(insertEvents.one)
      }
    } else {
      try writeEvents(insertEvents.group)
    }
    unwritten.removeAll(keepingCapacity: true)
  }

  private mutating func writeEvents(_ insert: Statement) throws {
    canonical.removeAll()
    hashHex.removeAll()
    for (slot, index) in unwritten.enumerated() {
      let row = staged[index]
      let rowStart = canonical.count
      canonical.appendNetstring(number: row.position)
      arena.withBytes(row.start..<row.end) { canonical.append($0) }
      suffix.withUnsafeBytes { canonical.append($0) }
      canonical.withBytes(rowStart..<canonical.count) { bytes in
        chain.append(canonical: bytes, hex: hashHex)
      }
      // Field payload spans, read back from the netstrings.
      var offset = rowStart
      for field in 0..<Self.fieldCount {
        let (start, count, next) = canonical.netstringSpan(at: offset)
        spans[2 * (slot * Self.fieldCount + field)] = start
        spans[2 * (slot * Self.fieldCount + field) + 1] = count
        offset = next
      }
    }
    // Bound only now: the buffers no longer move until the step.
    let statement = insert.sqliteStatement
    for (slot, index) in unwritten.enumerated() {
      let row = staged[index]
      let base = Int32(slot * 15)
      sqlite3_bind_int64(statement, base + 1, row.position)
      for (parameter, field) in Self.textColumns {
        let span = 2 * (slot * Self.fieldCount + field.rawValue)
        bindStatic(statement, base + parameter, canonical.pointer(at: spans[span]), spans[span + 1])
      }
      if let quantity = row.quantity {
        sqlite3_bind_int64(statement, base + 7, quantity)
      } else {
        sqlite3_bind_null(statement, base + 7)
      }
      bindStatic(statement, base + 12, hashHex.pointer(at: 64 * slot), 64)
      sqlite3_bind_int64(statement, base + 13, row.occurredMicroseconds)
      sqlite3_bind_int64(statement, base + 14, recordedMicroseconds)
      if row.hasKey {
        sqlite3_bind_int64(statement, base + 15, row.key)
      } else {
        sqlite3_bind_null(statement, base + 15)
      }
    }
    try step(statement, expecting: SQLITE_DONE)
    sqlite3_reset(statement)
  }

  private static let fieldCount = CanonicalEvent.Field.allCases.count

  /// Insert parameter numbers of the text fields, taken from the canonical bytes.
  private static let textColumns: [(Int32, CanonicalEvent.Field)] = [
    (2, .type), (3, .commandID), (4, .isbn), (5, .title), (6, .author), (8, .userID),
    (9, .occurredAt), (10, .recordedAt), (11, .batch),
  ]
}

/// One staged row: where its bytes are in the arena and what the log needs beside them.
private struct StagedRow {
  var start: Int
  var end: Int
  var rawEnd: Int
  var line: Int
  var hasKey: Bool
  var key: Int64
  var occurredMicroseconds: Int64
  var quantity: Int64?
  var commandIDColumn: Int?
  var outcome = Outcome.appended
  var position: Int64 = 0
}

private enum Outcome {
  case appended
  /// Same command id, same content: already logged, skipped.
  case duplicate
  /// Same command id as a logged event, other content: rejected.
  case conflict(position: Int64)
  /// Same command id as an earlier row of the chunk, other content: rejected.
  case conflictWithRow(Int)
}

/// The fields the duplicate check compares.
private struct Content: Equatable {
  var type: String
  var isbn: String
  var title: String
  var author: String
  var quantity: Int64?
  var userID: String
  var occurredMicroseconds: Int64
}

private struct LoggedEvent {
  var position: Int64
  var commandID: String
  var content: Content
}

/// A growable byte buffer at a stable address between mutations, so SQLite can bind its bytes
/// with `SQLITE_STATIC` until the next statement step.
final class ByteBuffer {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int = 4_096) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  func removeAll() { count = 0 }

  private func reserve(_ extra: Int) {
    guard count + extra > capacity else { return }
    var newCapacity = capacity * 2
    while newCapacity < count + extra { newCapacity *= 2 }
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  func append(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    reserve(bytes.count)
    (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    count += bytes.count
  }

  func append(byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  /// Appends `<length>:<bytes>,`.
  func appendNetstring(_ bytes: UnsafeRawBufferPointer) {
    appendDecimal(bytes.count)
    append(byte: UInt8(ascii: ":"))
    append(bytes)
    append(byte: UInt8(ascii: ","))
  }

  func appendNetstring(_ text: String) {
    var text = text
    text.withUTF8 { appendNetstring(UnsafeRawBufferPointer($0)) }
  }

  /// A decimal number's netstring, or the empty one for nil.
  func appendNetstring(number: Int64?) {
    guard let number else {
      appendNetstring(UnsafeRawBufferPointer(start: nil, count: 0))
      return
    }
    let magnitude = number.magnitude
    let length = decimalDigits(magnitude) + (number < 0 ? 1 : 0)
    appendDecimal(UInt64(length))
    append(byte: UInt8(ascii: ":"))
    if number < 0 { append(byte: UInt8(ascii: "-")) }
    appendDecimal(magnitude)
    append(byte: UInt8(ascii: ","))
  }

  private func appendDecimal(_ value: Int) {
    appendDecimal(UInt64(value))
  }

  private func appendDecimal(_ value: UInt64) {
    let digits = decimalDigits(value)
    reserve(digits)
    var rest = value
    for place in stride(from: digits - 1, through: 0, by: -1) {
      base[count + place] = UInt8(ascii: "0") + UInt8(rest % 10)
      rest /= 10
    }
    count += digits
  }

  func pointer(at offset: Int) -> UnsafeMutablePointer<UInt8> { base + offset }

  func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows
    -> R
  {
    try body(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
  }

  func bytes(_ range: Range<Int>) -> [UInt8] {
    Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
  }

  /// The netstring at `offset`: its payload's start and length, and the next netstring's offset.
  func netstringSpan(at offset: Int) -> (start: Int, count: Int, next: Int) {
    var index = offset
    var length = 0
    while base[index] != UInt8(ascii: ":") {
      length = length * 10 + Int(base[index] - UInt8(ascii: "0"))
      index += 1
    }
    return (index + 1, length, index + 1 + length + 1)
  }

  /// The netstring at `offset`: its payload and the next netstring's offset.
  func netstring(at offset: Int) -> (UnsafeBufferPointer<UInt8>, next: Int) {
    let (start, count, next) = netstringSpan(at: offset)
    return (UnsafeBufferPointer(start: base + start, count: count), next)
  }
}

private func decimalDigits(_ value: UInt64) -> Int {
  var digits = 1
  var rest = value
  while rest >= 10 {
    digits += 1
    rest /= 10
  }
  return digits
}

private let hexDigits = Array("0123456789abcdef".utf8)

extension HashChain {
  /// Hashes one event's canonical bytes, advances the head, and appends the new hash's lowercase
  /// hex to `hex`, without allocating.
  mutating func append(canonical: UnsafeRawBufferPointer, hex: ByteBuffer) {
    advance(canonical: canonical) { digest in
      for byte in digest {
        hex.append(byte: hexDigits[Int(byte >> 4)])
        hex.append(byte: hexDigits[Int(byte & 0x0F)])
      }
    }
  }
}

private func appendNetstring(_ payload: [UInt8], to bytes: inout [UInt8]) {
  appendDigits(Int64(payload.count), to: &bytes)
  bytes.append(UInt8(ascii: ":"))
  bytes.append(contentsOf: payload)
  bytes.append(UInt8(ascii: ","))
}

/// Binds text that stays at its address until the statement has stepped.
private func bindStatic(
  _ statement: OpaquePointer, _ index: Int32, _ start: UnsafeMutablePointer<UInt8>, _ count: Int
) {
  // An empty field is the empty string (a null pointer would bind NULL).
  let text = count == 0 ? UnsafeRawPointer(emptyText.utf8Start) : UnsafeRawPointer(start)
  sqlite3_bind_text(
    statement, index, text.assumingMemoryBound(to: CChar.self), Int32(count), nil)
}

private let emptyText: StaticString = ""

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
