import LibraryDomain

/// One stored event as a chain walk reads it: the canonical fields as text, the stored hash (32
/// bytes), and what the store decoded on the way (the fields of a compact log are stored as
/// numbers and codes, `CompactForm`). Bytes valid only during the call.
public struct StoredEventBytes {
  public var fields: EventFields
  public var hash: UnsafeRawBufferPointer
  /// The event type of the stored code; nil when the code is not one.
  public var type: EventType?
  /// Whether the stored ISBN is a valid ISBN-13.
  public var isbnIsValid: Bool
  public var recordedMicroseconds: Int64

  public init(
    fields: EventFields, hash: UnsafeRawBufferPointer, type: EventType?, isbnIsValid: Bool,
    recordedMicroseconds: Int64
  ) {
    self.fields = fields
    self.hash = hash
    self.type = type
    self.isbnIsValid = isbnIsValid
    self.recordedMicroseconds = recordedMicroseconds
  }
}

/// Verify's hot loop, whatever the store: re-computes the chain from the stored fields and
/// checks every stored field against the rules of docs/log-format.md, without a String per event.
/// Messages (the slow path) are made only for the first fault.
public final class ChainWalk {
  public private(set) var chain: HashChain
  /// Events walked.
  public private(set) var events: Int64 = 0
  /// Events with a command id.
  public private(set) var keyed: Int64 = 0
  /// Events per batch, with their first and last positions.
  public private(set) var seen: [String: BatchTally] = [:]
  private let knownBatches: Set<String>
  private var lastPosition: Int64
  private var lastRecorded: Int64
  private let canonical = ByteBuffer(capacity: 1 << 12)
  /// The batch of the events being walked (a batch's events are contiguous), where its bytes
  /// were last seen (a store hands the same bytes at the same address for a whole batch), and
  /// its tally so far, added to `seen` when the batch ends.
  private var batch: [UInt8] = []
  private var batchAddress: UnsafeRawPointer?
  private var batchName = ""
  private var batchKnown = false
  private var current: BatchTally?

  /// What a walk saw of one batch.
  public struct BatchTally: Sendable, Equatable {
    public var count: Int64
    public var first: Int64
    public var last: Int64
  }

  /// The last position checked (where the walk started, before any).
  public var position: Int64 { lastPosition }

  /// A walk from the first event, or one that goes on after event `position`, whose stored
  /// hash and recorded time are given (a second walker: the first one checks that hash).
  public init(
    knownBatches: Set<String>, after position: Int64 = 0, head: [UInt8]? = nil,
    recorded: Int64 = Int64.min
  ) {
    self.knownBatches = knownBatches
    chain = head.map { HashChain(head: $0) } ?? HashChain()
    lastPosition = position
    lastRecorded = recorded
  }

  /// The fault of a walk that stopped short of `end` (positions missing at the end of its
  /// range), nil when it reached it.
  public func gap(before end: Int64) -> VerifyFault? {
    guard lastPosition != end else { return nil }
    return VerifyFault(
      position: lastPosition + 1,
      message: "position \(lastPosition + 1) is missing: positions must run 1, 2, 3 … without gaps")
  }

  /// Checks one stored event; a description of its first problem, nil when it is sound.
  public func check(_ event: StoredEventBytes) -> String? {
    let fields = event.fields
    canonical.removeAll()
    CanonicalEvent.write(fields, to: canonical)
    guard chain.advance(canonical: canonical.bytes(0..<canonical.count), matches: event.hash)
    else {
      return "hash does not match the event's fields and the chain before it"
        + " (stored \(Hex.string(event.hash)), computed \(chain.headHex))"
    }
    if fields.position != lastPosition + 1 {
      return "position follows \(lastPosition): positions must run 1, 2, 3 … without gaps"
    }
    lastPosition = fields.position
    events += 1
    tallyBatch(fields.batch, position: fields.position)
    if let problem = fieldProblem(event) { return problem }
    if event.recordedMicroseconds < lastRecorded {
      return "recorded_at \(text(fields.recordedAt)) runs backwards"
    }
    lastRecorded = event.recordedMicroseconds
    return nil
  }

  /// Ends the walk: the last batch's tally is complete.
  public func finish() {
    closeBatch()
    batch = []
    batchAddress = nil
    batchName = ""
  }

  /// Adds another walk's tallies (the second half of a split walk) to this one's.
  public func merge(_ other: ChainWalk) {
    events += other.events
    keyed += other.keyed
    chain = other.chain
    lastPosition = other.lastPosition
    for (sha, tally) in other.seen {
      let mine = seen[sha]
      seen[sha] = BatchTally(
        count: (mine?.count ?? 0) + tally.count,
        first: min(mine?.first ?? tally.first, tally.first),
        last: max(mine?.last ?? tally.last, tally.last))
    }
  }

  private func tallyBatch(_ bytes: UnsafeRawBufferPointer, position: Int64) {
    if current != nil,
      bytes.baseAddress == batchAddress && bytes.count == batch.count
        || bytes.elementsEqual(batch)
    {
      current?.count += 1
      current?.last = position
      batchAddress = bytes.baseAddress
      return
    }
    closeBatch()
    batch = Array(bytes)
    batchAddress = bytes.baseAddress
    batchName = text(bytes)
    batchKnown = knownBatches.contains(batchName)
    current = BatchTally(count: 1, first: position, last: position)
  }

  /// Adds the tally of the batch being walked to `seen`.
  private func closeBatch() {
    guard let tally = current else { return }
    current = nil
    let earlier = seen[batchName]
    seen[batchName] = BatchTally(
      count: (earlier?.count ?? 0) + tally.count, first: earlier?.first ?? tally.first,
      last: tally.last)
  }

  private func fieldProblem(_ event: StoredEventBytes) -> String? {
    let fields = event.fields
    guard let type = event.type else { return "unknown type \(text(fields.type))" }
    if !event.isbnIsValid { return "isbn \(text(fields.isbn)) is not a valid ISBN-13" }
    if !batchKnown { return "batch \(batchName) is not in the batches table" }
    if !fields.commandID.isEmpty { keyed += 1 }
    let isAdd = type == .bookAdded
    if isAdd != (fields.quantity != nil) || (isAdd && fields.title.isEmpty) {
      return "fields do not fit a \(type.rawValue) event"
    }
    let hasUser = type == .bookBorrowed || type == .bookReturned
    if hasUser == fields.userID.isEmpty { return "user_id does not fit a \(type.rawValue) event" }
    return nil
  }
}

private func text(_ bytes: UnsafeRawBufferPointer) -> String {
  String(decoding: bytes, as: UTF8.self)
}
