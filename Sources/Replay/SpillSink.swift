import LibraryDomain

/// A closed loan as the spill file keeps it: fixed size, with the fold's dense indexes.
struct SpilledLoan: BitwiseCopyable {
  var user: Int32
  /// The user's count of loans opened before this one: its place among the user's loans.
  var ordinal: Int32
  var book: Int32
  var counted: Int32
  var position: Int64
  var borrowedAt: Int64
  var returnedAt: Int64
}

/// The replay's sink: anomalies go to one scratch file in replay order, closed loans to another
/// as fixed-size records, so memory holds only the state (books, users, open loans).
struct SpillSink: ReplaySink {
  let anomalies: SpillFile
  let loans: SpillFile
  private(set) var anomalyCounts: [AnomalyType: Int] = [:]
  private(set) var anomalyTotal = 0
  private(set) var failure: ReplayError?

  init() throws(ReplayError) {
    anomalies = try SpillFile()
    loans = try SpillFile()
  }

  mutating func raised(_ anomaly: Anomaly) {
    anomalyCounts[anomaly.type, default: 0] += 1
    anomalyTotal += 1
    anomalies.append(anomaly: anomaly)
    flush(anomalies)
  }

  mutating func closed(_ loan: Loan) {
    preconditionFailure("the fold reports closed loans with their indexes")
  }

  mutating func closed(_ loan: ClosedLoan, userID: () -> String) {
    loans.append(
      record: SpilledLoan(
        user: loan.user, ordinal: loan.ordinal, book: loan.book, counted: loan.counted ? 1 : 0,
        position: loan.position, borrowedAt: loan.borrowedAt.microseconds,
        returnedAt: loan.returnedAt.microseconds))
    flush(loans)
  }

  private mutating func flush(_ file: SpillFile) {
    guard failure == nil else { return }
    do {
      try file.flushIfFull()
    } catch {
      failure = error
    }
  }
}

extension SpillFile {
  /// Appends one anomaly record (read back by `forEachAnomaly`).
  func append(anomaly: Anomaly) {
    append(byte: UInt8(AnomalyType.allCases.firstIndex(of: anomaly.type) ?? 0))
    append(int64: anomaly.occurredAt.microseconds)
    append(int64: anomaly.position)
    append(string: anomaly.isbn.digits)
    append(string: anomaly.commandID)
    append(string: anomaly.userID)
    append(string: anomaly.detail)
  }

  /// Reads the anomaly records in order.
  func forEachAnomaly(_ body: (Anomaly) throws -> Void) rethrows {
    var reader = reader(at: 0, window: 1 << 16)
    while !reader.atEnd {
      let type = AnomalyType.allCases[Int(reader.byte())]
      let occurred = Timestamp(microseconds: reader.int64())
      let position = reader.int64()
      let isbn = ISBN(reader.string() ?? "")
      let commandID = reader.string()
      let userID = reader.string()
      let detail = reader.string() ?? ""
      guard let isbn else { continue }
      try body(
        Anomaly(
          type: type, occurredAt: occurred, position: position, commandID: commandID, isbn: isbn,
          userID: userID, detail: detail))
    }
  }
}
