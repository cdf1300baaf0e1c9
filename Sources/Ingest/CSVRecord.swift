/// One record, reused between calls to avoid per-row allocation.
///
/// Field bytes live back to back in one array; `next(into:)` empties it while keeping its
/// capacity, so a steady stream of records allocates nothing after the first few.
public struct CSVRecord {
  /// Unescaped bytes of the stored fields, back to back.
  var fieldBytes: [UInt8] = []
  /// End offset in `fieldBytes` of each stored field.
  var fieldEnds: [Int] = []

  /// Physical line where the record starts; the header is line 1.
  public internal(set) var line = 0
  /// Faults in order of detection, at most one per kind (the first); empty when clean.
  public internal(set) var faults: [CSVFault] = []
  /// The original record text, terminator excluded, capped at the reader's `rawLimit` bytes.
  public internal(set) var raw: [UInt8] = []
  /// Whether `raw` was cut at the reader's `rawLimit`.
  public internal(set) var rawTruncated = false

  /// Makes an empty record to pass to `CSVReader.next(into:)`.
  public init() {}

  /// Number of stored fields (at most the reader's `maxFields`).
  public var count: Int { fieldEnds.count }

  /// Unescaped bytes of field `i` (0-based); empty for a too-long field or an index out of range.
  public func field(_ i: Int) -> ArraySlice<UInt8> {
    let range = byteRange(of: i)
    return fieldBytes[range]
  }

  /// Field `i` as a `String`; call it only when the record has no `badEncoding` fault.
  public func string(_ i: Int) -> String {
    String(decoding: field(i), as: UTF8.self)
  }

  /// Calls `body` with the unescaped bytes of field `i`, without copying them.
  public func withFieldBytes<R>(
    _ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R
  ) rethrows -> R {
    let range = byteRange(of: i)
    return try fieldBytes.withUnsafeBufferPointer { all in
      try body(UnsafeBufferPointer(rebasing: all[range]))
    }
  }

  private func byteRange(of i: Int) -> Range<Int> {
    guard i >= 0, i < fieldEnds.count else { return 0..<0 }
    let start = i == 0 ? 0 : fieldEnds[i - 1]
    return start..<fieldEnds[i]
  }

  // MARK: - Building (used by CSVReader)

  /// Empties the record for the next one, keeping every array's capacity.
  mutating func clearForReuse() {
    fieldBytes.removeAll(keepingCapacity: true)
    fieldEnds.removeAll(keepingCapacity: true)
    if !faults.isEmpty { faults.removeAll(keepingCapacity: true) }
    raw.removeAll(keepingCapacity: true)
    rawTruncated = false
    line = 0
  }

  /// Adds a fault unless one of the same kind is already recorded.
  mutating func noteFault(_ kind: CSVFaultKind, column: Int) {
    for fault in faults where fault.kind.isSameCase(as: kind) { return }
    faults.append(CSVFault(kind: kind, column: column))
  }
}
