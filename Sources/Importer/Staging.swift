import EventLog
import Ingest

/// The rows of a batch on their way to the log, a block at a time: the block of events for the
/// store, and beside it what the import needs to report each row in file order (validation
/// rejects, and for rows with a command id the record text a conflict reject shows).
struct Staging {
  private var block = AppendBlock()
  /// Per staged row: its line, its command_id column, and its record text's range in `raw`
  /// (empty for a row without a command id).
  private var rows: [(line: Int, column: Int?, raw: Range<Int>)] = []
  private var raw: [UInt8] = []
  /// Validation rejects, each after the staged row count at its time (file order).
  private var rejects: [(before: Int, reject: Reject)] = []
  private var rejectBytes = 0
  private(set) var accepted = 0
  private(set) var rejected = 0
  private(set) var skipped = 0
  /// Every reported reject by code, and by cause where one is recognised.
  private(set) var codes: [RejectCode: Int] = [:]
  private(set) var causes: [RejectCause: Int] = [:]

  init() {
    rows.reserveCapacity(AppendBlock.rowLimit)
  }

  /// Whether the block should be appended before more rows are staged.
  var isFull: Bool {
    block.isFull || block.count + rejects.count >= AppendBlock.rowLimit
      || raw.count + rejectBytes >= AppendBlock.byteLimit
  }

  /// Stages a valid row; `record` is its text, kept for a duplicate_command_id reject.
  mutating func stage(_ row: ValidatedRow, raw record: [UInt8]) {
    block.append(row.event, commandID: row.commandID, occurredAt: row.occurredAt)
    let start = raw.count
    if !row.commandID.isEmpty { raw.append(contentsOf: record) }
    rows.append((row.line, row.commandIDColumn, start..<raw.count))
  }

  /// Keeps a row's validation rejects in file order with the staged rows.
  mutating func stage(rejects: [Reject]) {
    rejected += 1
    for reject in rejects {
      self.rejects.append((rows.count, reject))
      rejectBytes += reject.raw.utf8.count + reject.message.utf8.count + 64
    }
  }

  /// Appends the block and reports its rejects, validation and conflict, in file order.
  mutating func flush(_ writer: any BatchWriter, reject report: (Reject) -> Void) throws {
    if !block.isEmpty { try writer.append(&block) }
    var codes = self.codes
    var causes = self.causes
    defer {
      self.codes = codes
      self.causes = causes
    }
    func reject(_ reject: Reject) {
      codes[reject.code, default: 0] += 1
      if let cause = reject.cause { causes[cause, default: 0] += 1 }
      report(reject)
    }
    var next = 0
    for (index, outcome) in block.outcomes.enumerated() {
      while next < rejects.count, rejects[next].before <= index {
        reject(rejects[next].reject)
        next += 1
      }
      switch outcome {
      case .appended: accepted += 1
      case .duplicate: skipped += 1
      case .conflict(let position):
        rejected += 1
        reject(conflict(index, position: position))
      }
    }
    while next < rejects.count {
      reject(rejects[next].reject)
      next += 1
    }
    block.removeAll()
    rows.removeAll(keepingCapacity: true)
    raw.removeAll(keepingCapacity: true)
    rejects.removeAll(keepingCapacity: true)
    rejectBytes = 0
  }

  private func conflict(_ index: Int, position: Int64) -> Reject {
    Reject(
      line: rows[index].line, column: rows[index].column, code: .duplicateCommandID,
      message: "command_id \"\(block.commandID(index))\" is already logged at position"
        + " \(position) with other content",
      raw: String(decoding: raw[rows[index].raw], as: UTF8.self))
  }
}
