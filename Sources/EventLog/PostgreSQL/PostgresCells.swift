import NIOCore
import PostgresNIO

/// Reads the cells of a result row (PostgresNIO asks for every result column in binary form)
/// as the columns shelflog stores: integers, text and bytes, without PostgresNIO's generic
/// decoding per cell. A row's cells are read in order (`Array(row)`): a random-access row
/// builds a table of column names for every row.
enum PostgresCells {
  /// A row's cells, in order.
  static func cells(_ row: PostgresRow) -> [PostgresCell] { Array(row) }

  /// An integer column (smallint, integer or bigint); nil for NULL.
  static func int(_ cell: PostgresCell) -> Int64? {
    guard var buffer = cell.bytes else { return nil }
    switch buffer.readableBytes {
    case 8: return buffer.readInteger(as: Int64.self)
    case 4: return buffer.readInteger(as: Int32.self).map(Int64.init)
    case 2: return buffer.readInteger(as: Int16.self).map(Int64.init)
    default: return nil
    }
  }

  /// A text column ("" for NULL).
  static func string(_ cell: PostgresCell) -> String {
    cell.bytes.map { String(buffer: $0) } ?? ""
  }

  /// A bytea column's bytes (empty for NULL).
  static func bytes(_ cell: PostgresCell) -> [UInt8] {
    cell.bytes.map { Array($0.readableBytesView) } ?? []
  }

  /// Hands the bytes of a text or bytea column to `body` without a copy.
  static func withBytes<T>(_ cell: PostgresCell, _ body: (UnsafeRawBufferPointer) throws -> T)
    rethrows -> T
  {
    guard let buffer = cell.bytes else {
      return try body(UnsafeRawBufferPointer(start: nil, count: 0))
    }
    return try buffer.withUnsafeReadableBytes(body)
  }
}

/// Rows for `log_events` gathered column by column, then inserted with one statement: the
/// columns go as arrays (binary) and `unnest` turns them back into rows. One round trip per
/// block of events, synchronous (PostgresNIO's COPY is async only, and a blocking bridge to it
/// starves Swift's concurrency pool when the caller is itself on it, as tests are).
struct EventInsert {
  private(set) var count = 0
  private var positions: [Int64] = []
  private var types: [Int64] = []
  private var commandIDs: [String] = []
  private var keys: [Int64] = []
  private var isbns: [Int64] = []
  private var titles: [String] = []
  private var authors: [String] = []
  private var quantities: [Int64] = []
  private var hasQuantity: [Bool] = []
  private var users: [String] = []
  private var occurred: [Int64] = []
  private var batches: [Int64] = []
  private var hashes: [NIOCore.ByteBuffer] = []

  /// Adds one event in the stored form (`PostgresSchema`).
  mutating func append(
    position: Int64, type: Int64, commandID: String, isbn: Int64, title: String,
    author: String, quantity: Int64?, userID: String, occurredMicroseconds: Int64,
    batch: Int64, hash: some Sequence<UInt8>
  ) {
    count += 1
    positions.append(position)
    types.append(type)
    commandIDs.append(commandID)
    keys.append(commandID.isEmpty ? 0 : CommandKey.of(commandID))
    isbns.append(isbn)
    titles.append(title)
    authors.append(author)
    quantities.append(quantity ?? 0)
    hasQuantity.append(quantity != nil)
    users.append(userID)
    occurred.append(occurredMicroseconds)
    batches.append(batch)
    hashes.append(NIOCore.ByteBuffer(bytes: hash))
  }

  /// Inserts the gathered rows (in the caller's transaction) and empties the insert.
  mutating func flush(_ session: PostgresSession) throws(EventLogError) {
    if let sent = send(session) { _ = try session.wait(for: sent) }
  }

  /// Sends the insert of the gathered rows without waiting for it, and empties the insert; nil
  /// when there was nothing to insert.
  mutating func send(_ session: PostgresSession) -> PostgresSession.Sent? {
    guard count > 0 else { return nil }
    var binds = PostgresBindings(capacity: 13)
    binds.append(positions)
    binds.append(types)
    binds.append(commandIDs)
    binds.append(keys)
    binds.append(isbns)
    binds.append(titles)
    binds.append(authors)
    binds.append(quantities)
    binds.append(hasQuantity)
    binds.append(users)
    binds.append(occurred)
    binds.append(batches)
    binds.append(hashes)
    self = EventInsert()
    return session.send(Self.sql, binds)
  }

  private static let sql = """
    INSERT INTO log_events (position, type, command_id, command_key, isbn, title, author,
      quantity, user_id, occurred_us, batch, hash)
    SELECT p, t, c, CASE WHEN c <> '' THEN k END, i, ti, au, CASE WHEN hq THEN q END, u, o, b, h
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
      $7::text[], $8::bigint[], $9::boolean[], $10::text[], $11::bigint[], $12::bigint[],
      $13::bytea[]) AS r(p, t, c, k, i, ti, au, q, hq, u, o, b, h)
    """
}
