import EventLog
import LibraryDomain

/// The state a projection snapshot stores: the fold's state and the anomaly counts so far.
public struct SnapshotContent: Sendable, Equatable {
  public var state: LibraryState
  public var anomalyCounts: [AnomalyType: Int]

  public init(state: LibraryState, anomalyCounts: [AnomalyType: Int]) {
    self.state = state
    self.anomalyCounts = anomalyCounts
  }
}

/// The snapshot's bytes: a version byte, then little-endian integers and length-prefixed UTF-8.
/// Deterministic: the same state gives the same bytes.
enum SnapshotCodec {
  static let format = 1

  static func encode(_ content: SnapshotContent) -> [UInt8] {
    var out: [UInt8] = [UInt8(format)]
    let state = content.state
    put(Int64(state.eventCount), &out)
    for type in AnomalyType.allCases { put(Int64(content.anomalyCounts[type, default: 0]), &out) }
    put(Int64(state.books.count), &out)
    for book in state.books {
      put(book.isbn.digits, &out)
      put(book.title, &out)
      put(book.author, &out)
      put(Int64(book.total), &out)
      put(Int64(book.onLoan), &out)
      out.append(book.status == .active ? 1 : 0)
    }
    put(Int64(state.openLoans.count), &out)
    for loan in state.openLoans {
      put(loan.isbn.digits, &out)
      put(loan.userID, &out)
      put(loan.position, &out)
      put(loan.borrowedAt.microseconds, &out)
      out.append(loan.counted ? 1 : 0)
    }
    return out
  }

  /// Nil when the bytes are not a snapshot of this format.
  static func decode(_ bytes: [UInt8]) -> SnapshotContent? {
    bytes.withUnsafeBufferPointer { buffer -> SnapshotContent? in
      var reader = Reader(bytes: buffer)
      guard reader.byte() == UInt8(format), let events = reader.int64(), events >= 0 else {
        return nil
      }
      var counts: [AnomalyType: Int] = [:]
      for type in AnomalyType.allCases {
        guard let count = reader.int64(), count >= 0 else { return nil }
        if count > 0 { counts[type] = Int(count) }
      }
      guard let bookCount = reader.count() else { return nil }
      var books: [Book] = []
      books.reserveCapacity(bookCount)
      for _ in 0..<bookCount {
        guard let isbn = reader.isbn(), let title = reader.string(), let author = reader.string(),
          let total = reader.int64(), let onLoan = reader.int64(), let status = reader.byte()
        else { return nil }
        books.append(
          Book(
            isbn: isbn, title: title, author: author, total: Int(total), onLoan: Int(onLoan),
            status: status == 1 ? .active : .removed))
      }
      guard let loanCount = reader.count() else { return nil }
      var loans: [Loan] = []
      loans.reserveCapacity(loanCount)
      for _ in 0..<loanCount {
        guard let isbn = reader.isbn(), let user = reader.string(), let position = reader.int64(),
          let borrowed = reader.int64(), let counted = reader.byte()
        else { return nil }
        loans.append(
          Loan(
            isbn: isbn, userID: user, position: position,
            borrowedAt: Timestamp(microseconds: borrowed), returnedAt: nil, counted: counted == 1))
      }
      guard reader.atEnd else { return nil }
      return SnapshotContent(
        state: LibraryState(books: books, openLoans: loans, eventCount: Int(events)),
        anomalyCounts: counts)
    }
  }

  private static func put(_ value: Int64, _ out: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
  }

  private static func put(_ text: String, _ out: inout [UInt8]) {
    put(Int64(text.utf8.count), &out)
    out.append(contentsOf: text.utf8)
  }

  /// Reads the fields back; every read is bounds-checked (a stored blob may be damaged).
  private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    mutating func byte() -> UInt8? {
      guard offset < bytes.count else { return nil }
      defer { offset += 1 }
      return bytes[offset]
    }

    mutating func int64() -> Int64? {
      guard bytes.count - offset >= 8 else { return nil }
      var value: Int64 = 0
      for index in (0..<8).reversed() { value = value << 8 | Int64(bytes[offset + index]) }
      offset += 8
      return value
    }

    /// A list length: each element takes at least one byte of what is left.
    mutating func count() -> Int? {
      guard let value = int64(), value >= 0, value <= Int64(bytes.count - offset) else {
        return nil
      }
      return Int(value)
    }

    mutating func string() -> String? {
      guard let length = int64(), length >= 0, length <= Int64(bytes.count - offset) else {
        return nil
      }
      let slice = UnsafeBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
      offset += Int(length)
      return String(validating: slice, as: UTF8.self)
    }

    mutating func isbn() -> ISBN? {
      guard let length = int64(), length == 13, bytes.count - offset >= 13 else { return nil }
      defer { offset += 13 }
      return ISBN.parse(UnsafeBufferPointer(rebasing: bytes[offset..<offset + 13]))
    }
  }
}

extension SnapshotContent {
  /// Decodes a stored snapshot; a snapshot this shelflog cannot read is a log fault.
  init(_ snapshot: StoredSnapshot, path: String) throws(EventLogError) {
    guard snapshot.format == SnapshotCodec.format,
      let content = SnapshotCodec.decode(snapshot.state)
    else {
      throw .database(
        path: path,
        detail: "snapshot \(snapshot.id) cannot be read; run shelflog snapshot --rebuild")
    }
    self = content
  }
}
