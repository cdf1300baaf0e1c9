import GRDB
import GRDBSQLite
import LibraryDomain

/// Verify's hot loop: walks the events in position order through the C API, re-computing the
/// chain from the stored bytes and checking every stored field, without a String per event.
/// Messages (the slow path) are made only for the first fault.
struct ChainWalk: Sendable {
  /// The columns the walk reads, in its order, for the positions in `?1 <.. ?2`.
  static let sql = """
    SELECT position, type, command_id, isbn, title, author, quantity, user_id, occurred_at,
      recorded_at, batch, hash, occurred_us, recorded_us, command_key
    FROM events WHERE position > ?1 AND position <= ?2 ORDER BY position
    """

  private(set) var chain: HashChain
  private(set) var events: Int64 = 0
  /// Events with a command id: each has one row in `command_keys`.
  private(set) var keyed: Int64 = 0
  /// Events per batch, with their first and last positions.
  private(set) var seen: [String: (count: Int64, first: Int64, last: Int64)] = [:]
  private let knownBatches: Set<String>
  private var lastPosition: Int64 = 0
  private var lastRecorded = Int64.min
  private var canonical = CanonicalEvent()
  private var scratch: [UInt8] = []
  /// The batch of the events being walked (a batch's events are contiguous), and its tally.
  private var batch: [UInt8] = []
  private var batchName = ""
  private var batchKnown = false

  /// The last position checked (where the walk started, before any).
  var position: Int64 { lastPosition }

  /// A walk from the first event, or one that goes on after event `position`, whose stored
  /// hash and recorded time are given (a second walker: the first one checks that hash).
  init(
    knownBatches: Set<String>, after position: Int64 = 0, head: [UInt8]? = nil,
    recorded: Int64 = Int64.min
  ) {
    self.knownBatches = knownBatches
    chain = head.map { HashChain(head: $0) } ?? HashChain()
    lastPosition = position
    lastRecorded = recorded
    scratch.reserveCapacity(64)
  }

  /// Checks the current row of `handle` (selected with `sql`); a description of its first
  /// problem, nil when it is sound.
  mutating func check(_ handle: OpaquePointer) -> String? {
    let position = sqlite3_column_int64(handle, 0)
    canonical.reset()
    canonical.append(number: position)
    for column: Int32 in 1...5 { canonical.append(raw(handle, column)) }
    let quantity: Int64? =
      sqlite3_column_type(handle, 6) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 6)
    canonical.append(number: quantity)
    for column: Int32 in 7...10 { canonical.append(raw(handle, column)) }
    let computed = canonical.bytes.withUnsafeBytes { chain.append(canonical: $0) }
    scratch.removeAll(keepingCapacity: true)
    appendLowerHex(computed, to: &scratch)
    let stored = raw(handle, 11)
    guard stored.elementsEqual(scratch) else {
      return "hash does not match the event's fields and the chain before it"
        + " (stored \(text(stored)), computed \(hex(computed)))"
    }
    if position != lastPosition + 1 {
      return "position follows \(lastPosition): positions must run 1, 2, 3 … without gaps"
    }
    lastPosition = position
    events += 1
    tallyBatch(raw(handle, 10), position: position)
    if let problem = fieldProblem(handle, quantity: quantity) { return problem }
    let recorded = sqlite3_column_int64(handle, 13)
    if recorded < lastRecorded { return "recorded_at \(text(raw(handle, 9))) runs backwards" }
    lastRecorded = recorded
    return nil
  }

  /// Ends the walk: the last batch's tally is stored.
  mutating func finish() {
    tallyBatch(UnsafeRawBufferPointer(start: nil, count: 0), position: nil)
  }

  private mutating func tallyBatch(_ bytes: UnsafeRawBufferPointer, position: Int64?) {
    if let position, bytes.elementsEqual(batch), !batchName.isEmpty {
      seen[batchName]?.count += 1
      seen[batchName]?.last = position
      return
    }
    guard let position else { return }
    batch = Array(bytes)
    batchName = text(bytes)
    batchKnown = knownBatches.contains(batchName)
    let tally = seen[batchName]
    seen[batchName] = ((tally?.count ?? 0) + 1, tally?.first ?? position, position)
  }

  private mutating func fieldProblem(_ handle: OpaquePointer, quantity: Int64?) -> String? {
    let typeBytes = raw(handle, 1)
    guard let type = EventType(rawValue: text(typeBytes)) else {
      return "unknown type \(text(typeBytes))"
    }
    let isbn = raw(handle, 3)
    let normalised =
      isbn.count == 13 && isbn.allSatisfy { (0x30...0x39).contains($0) }
      && ISBN.parse(typed(isbn)) != nil
    if !normalised { return "isbn \(text(isbn)) is not normalised" }
    for (name, column, micros) in [("occurred_at", 8, 12), ("recorded_at", 9, 13)]
      as [(String, Int32, Int32)]
    {
      let bytes = raw(handle, column)
      guard let time = Timestamp.parse(typed(bytes))
      else { return "\(name) \(text(bytes)) is not a normalised time" }
      scratch.removeAll(keepingCapacity: true)
      time.appendText(to: &scratch)
      if !bytes.elementsEqual(scratch) { return "\(name) \(text(bytes)) is not a normalised time" }
      if time.microseconds != sqlite3_column_int64(handle, micros) {
        return "\(name) does not match its numeric column"
      }
    }
    if !batchKnown { return "batch \(batchName) is not in the batches table" }
    let commandID = raw(handle, 2)
    let storedKey: Int64? =
      sqlite3_column_type(handle, 14) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 14)
    if storedKey != (commandID.isEmpty ? nil : commandKey(bytes: commandID)) {
      return "command_key does not match command_id"
    }
    if storedKey != nil { keyed += 1 }
    let isAdd = type == .bookAdded
    if isAdd != (quantity != nil) || (isAdd && raw(handle, 4).isEmpty) {
      return "fields do not fit a \(type.rawValue) event"
    }
    let hasUser = type == .bookBorrowed || type == .bookReturned
    if hasUser == raw(handle, 7).isEmpty { return "user_id does not fit a \(type.rawValue) event" }
    return nil
  }
}

/// A column's stored bytes (the blob form of a text value: no NUL-terminated copy), valid until
/// the next step.
private func raw(_ handle: OpaquePointer, _ column: Int32) -> UnsafeRawBufferPointer {
  let start = sqlite3_column_blob(handle, column)
  return UnsafeRawBufferPointer(
    start: start, count: start == nil ? 0 : Int(sqlite3_column_bytes(handle, column)))
}

private func typed(_ bytes: UnsafeRawBufferPointer) -> UnsafeBufferPointer<UInt8> {
  UnsafeBufferPointer(
    start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
}

private func text(_ bytes: UnsafeRawBufferPointer) -> String {
  String(decoding: bytes, as: UTF8.self)
}

private let lowerHexDigits = Array("0123456789abcdef".utf8)

private func appendLowerHex(_ bytes: [UInt8], to out: inout [UInt8]) {
  for byte in bytes {
    out.append(lowerHexDigits[Int(byte >> 4)])
    out.append(lowerHexDigits[Int(byte & 0x0F)])
  }
}

/// `commandKey(_:)` over raw bytes.
func commandKey(bytes: UnsafeRawBufferPointer) -> Int64 {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325
  for byte in bytes {
    hash ^= UInt64(byte)
    hash = hash &* 0x0000_0100_0000_01B3
  }
  return Int64(bitPattern: hash)
}
