import LibraryDomain

/// The replay's sink: anomalies go to one scratch file in replay order, closed loans to another
/// as a backward chain per user, so memory holds only the state (books, users, open loans).
struct SpillSink: ReplaySink {
  let anomalies: SpillFile
  let loans: SpillFile
  private(set) var anomalyCounts: [AnomalyType: Int] = [:]
  private(set) var anomalyTotal = 0
  /// The offset of each user's latest closed loan.
  private(set) var lastLoan: [String: Int64] = [:]
  private(set) var failure: ReplayError?

  init() throws(ReplayError) {
    anomalies = try SpillFile()
    loans = try SpillFile()
  }

  mutating func raised(_ anomaly: Anomaly) {
    anomalyCounts[anomaly.type, default: 0] += 1
    anomalyTotal += 1
    anomalies.append(byte: UInt8(AnomalyType.allCases.firstIndex(of: anomaly.type) ?? 0))
    anomalies.append(int64: anomaly.occurredAt.microseconds)
    anomalies.append(int64: anomaly.position)
    anomalies.append(string: anomaly.isbn.digits)
    anomalies.append(string: anomaly.commandID)
    anomalies.append(string: anomaly.userID)
    anomalies.append(string: anomaly.detail)
    flush(anomalies)
  }

  mutating func closed(_ loan: Loan) {
    let offset = loans.size
    loans.append(int64: lastLoan[loan.userID] ?? -1)
    loans.append(int64: loan.position)
    loans.append(int64: loan.borrowedAt.microseconds)
    loans.append(int64: loan.returnedAt?.microseconds ?? Int64.min)
    loans.append(byte: loan.counted ? 1 : 0)
    loans.append(string: loan.isbn.digits)
    lastLoan[loan.userID] = offset
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

  /// Reads one user's closed loans by walking the chain back from `offset`.
  func closedLoans(of user: String, from offset: Int64?, into loans: inout [Loan]) {
    var next = offset ?? -1
    while next >= 0 {
      var reader = reader(at: next, window: 128)
      next = reader.int64()
      let position = reader.int64()
      let borrowed = reader.int64()
      let returned = reader.int64()
      let counted = reader.byte() == 1
      guard let isbn = ISBN(reader.string() ?? "") else { continue }
      loans.append(
        Loan(
          isbn: isbn, userID: user, position: position,
          borrowedAt: Timestamp(microseconds: borrowed),
          returnedAt: returned == Int64.min ? nil : Timestamp(microseconds: returned),
          counted: counted))
    }
  }
}
