import LibraryDomain

/// What a copy keeps while the events stream in: each batch's number in the target (the
/// source's batch order) and its earliest business time, and each event in the stored form,
/// checked before it is written.
struct CopyTally {
  /// The batches with their numbers in the target.
  let numbered: [(number: Int64, batch: StoredBatch)]
  private(set) var earliest: [Int64: Int64] = [:]
  private let numbers: [String: Int64]
  private let name: String

  init(_ batches: [StoredBatch], name: String) {
    numbered = batches.enumerated().map { (Int64($0.offset + 1), $0.element) }
    numbers = Dictionary(
      numbered.map { ($0.batch.sha256, $0.number) }, uniquingKeysWith: { first, _ in first })
    self.name = name
  }

  /// The event in the stored form; notes its batch's earliest time.
  mutating func take(_ event: StoredEvent) throws -> CopiedEvent {
    let copied = try CopiedEvent(event, numbers: numbers, name: name)
    earliest[copied.batch] = min(earliest[copied.batch] ?? .max, event.occurredMicroseconds)
    return copied
  }
}

/// An event of another log in this log's stored form: what a copy checks before it writes.
struct CopiedEvent {
  let typeCode: Int64
  let isbn: Int64
  let batch: Int64
  let hash: [UInt8]

  init(_ event: StoredEvent, numbers: [String: Int64], name: String) throws {
    guard let type = EventType(rawValue: event.type),
      let isbn = Int64(event.isbn), event.isbn.utf8.count == 13,
      let batch = numbers[event.batch],
      let hash = Hex.bytes(event.hash), hash.count == 32
    else {
      throw EventLogError.database(
        path: name,
        detail: "event at position \(event.position) of the source cannot be stored as it is;"
          + " run shelflog verify on the source")
    }
    typeCode = CompactForm.code(type)
    self.isbn = isbn
    self.batch = batch
    self.hash = hash
  }
}
