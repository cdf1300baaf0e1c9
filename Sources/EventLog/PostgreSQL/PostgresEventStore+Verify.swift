import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension PostgresEventStore {
  public func chainLayout(splitFrom: Int64) throws(EventLogError) -> ChainLayout {
    try transaction { () throws(EventLogError) -> ChainLayout in
      var batches: [String: (count: Int64, first: Int64?, last: Int64?)] = [:]
      for row in try session.query(
        "SELECT sha256, rows_accepted, first_position, last_position FROM log_batches")
      {
        let cells = Array(row)
        batches[Hex.string(PostgresCells.bytes(cells[0]))] = (
          PostgresCells.int(cells[1]) ?? 0, PostgresCells.int(cells[2]),
          PostgresCells.int(cells[3])
        )
      }
      let end = try lastPositionInTransaction()
      var middle: (position: Int64, hash: [UInt8], recordedMicroseconds: Int64)?
      if end >= splitFrom, end >= 2 {
        var binds = PostgresBindings()
        binds.append(end / 2)
        if let row = try session.query(
          """
          SELECT e.hash, b.recorded_us FROM log_events AS e JOIN log_batches AS b ON b.id = e.batch
          WHERE e.position = $1
          """, binds
        ).first.map(PostgresCells.cells) {
          let hash = PostgresCells.bytes(row[0])
          if hash.count == 32 { middle = (end / 2, hash, PostgresCells.int(row[1]) ?? 0) }
        }
      }
      return ChainLayout(end: end, batches: batches, middle: middle)
    }
  }

  /// The columns of a walked row copied as bytes, in `field` order.
  private static let walkedTextColumns = [2, 4, 5, 7, 10]

  public func walkChain(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws(EventLogError) -> VerifyFault? {
    // A walk may run beside another on another thread.
    try onOwnConnection { own in try own.walk(walk, through: end, progress: progress) }
  }

  /// Runs `body` in a read transaction on a connection of its own, so that verify's walkers
  /// and its storage check run side by side. When the server will not open one more (a role's
  /// or the server's connection limit), `body` runs on this store's connection instead, one
  /// such body at a time: the same checks, one after the other.
  private func onOwnConnection<T>(_ body: (PostgresEventStore) throws -> T) throws(EventLogError)
    -> T
  {
    do {
      guard let own = try? PostgresEventStore(location: location, access: .read, wait: wait) else {
        return try sharedConnection.withLock { try transaction { try body(self) } }
      }
      return try own.transaction { try body(own) }
    } catch let fault as EventLogError {
      throw fault
    } catch {
      throw PostgresSession.fault(error, location: location, wait: wait)
    }
  }

  private func walk(
    _ walk: ChainWalk, through end: Int64, progress: (Int64) -> Void
  ) throws -> VerifyFault? {
    var texts: [Int64: (sha256: [UInt8], recordedAt: [UInt8], recorded: Int64)] = [:]
    for row in try session.query("SELECT id, sha256, recorded_us FROM log_batches") {
      let cells = Array(row)
      let recorded = PostgresCells.int(cells[2]) ?? 0
      var recordedAt: [UInt8] = []
      Timestamp(microseconds: recorded).appendText(to: &recordedAt)
      texts[PostgresCells.int(cells[0]) ?? 0] = (
        Array(Hex.string(PostgresCells.bytes(cells[1])).utf8), recordedAt, recorded
      )
    }
    var binds = PostgresBindings()
    // The first walker also reads positions below 1, which only a tamperer can have written.
    binds.append(walk.position == 0 ? Int64.min : walk.position)
    binds.append(end)
    var fault: VerifyFault?
    // One row's text fields, copied side by side (the buffer is reused row after row), so
    // that the walk sees them all through one pointer.
    var row: [UInt8] = []
    var ends: [Int] = []
    try pages(
      select: """
        e.position, e.type, e.command_id, e.isbn, e.title, e.author, e.quantity, e.user_id,
          e.occurred_us, e.batch, e.hash, e.command_key
        """,
      from: "log_events AS e", where: ["e.position > $1", "e.position <= $2"], binds: binds,
      order: .position(0)
    ) { rows in
      guard fault == nil else { return }
      for result in rows {
        let cells = Array(result)
        let position = PostgresCells.int(cells[0]) ?? 0
        let number = PostgresCells.int(cells[9]) ?? 0
        guard let batch = texts[number] else {
          fault = VerifyFault(
            position: position, message: "batch number \(number) is not in the batches table")
          return
        }
        let type = PostgresCells.int(cells[1]).flatMap(CompactForm.type(code:))
        let isbn = PostgresCells.int(cells[3]) ?? -1
        row.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        // command_id, title, author, user_id, hash; then the texts of the time and the ISBN.
        for column in Self.walkedTextColumns {
          if let bytes = cells[column].bytes { row.append(contentsOf: bytes.readableBytesView) }
          ends.append(row.count)
        }
        Timestamp(microseconds: PostgresCells.int(cells[8]) ?? 0).appendText(to: &row)
        ends.append(row.count)
        row.append(contentsOf: repeatElement(0, count: 13))
        row.withUnsafeMutableBufferPointer { buffer in
          ISBN.writeDigits(
            of: isbn.magnitude,
            into: UnsafeMutableBufferPointer(rebasing: buffer[(buffer.count - 13)...]))
        }
        ends.append(row.count)
        let problem: String? = row.withUnsafeBytes { bytes in
          func field(_ index: Int) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(
              rebasing: bytes[(index == 0 ? 0 : ends[index - 1])..<ends[index]])
          }
          let command = field(0)
          let key = PostgresCells.int(cells[11])
          guard key == (command.isEmpty ? nil : CommandKey.of(command)) else {
            return "the stored command key does not match the command id"
          }
          return batch.sha256.withUnsafeBytes { sha in
            batch.recordedAt.withUnsafeBytes { recordedAt in
              walk.check(
                StoredEventBytes(
                  fields: EventFields(
                    position: position,
                    type: type?.storedName.rawBytes ?? UnsafeRawBufferPointer(start: nil, count: 0),
                    commandID: command, isbn: field(6), title: field(1), author: field(2),
                    quantity: PostgresCells.int(cells[6]), userID: field(3), occurredAt: field(5),
                    recordedAt: recordedAt, batch: sha),
                  hash: field(4), type: type, isbnIsValid: ISBN(number: isbn) != nil,
                  recordedMicroseconds: batch.recorded))
            }
          }
        }
        if let problem {
          fault = VerifyFault(position: position, message: problem)
          return
        }
        if walk.events & 0xFFFF == 0 { progress(walk.events) }
      }
    }
    if fault == nil { fault = walk.gap(before: end) }
    return fault
  }

  /// Beside the walk: the head row (what appenders lock and continue from) must name the last
  /// event and its hash. The database's own integrity is the server's business.
  public func checkStorage(thorough: Bool) throws(EventLogError) -> StorageCheck {
    try onOwnConnection { own in
      let head = try own.session.query("SELECT position, hash FROM log_head").first.map(
        PostgresCells.cells)
      let last = try own.session.query(
        "SELECT position, hash FROM log_events ORDER BY position DESC LIMIT 1"
      ).first.map(PostgresCells.cells)
      let headPosition = head.flatMap { PostgresCells.int($0[0]) } ?? -1
      let lastPosition = last.flatMap { PostgresCells.int($0[0]) } ?? 0
      let headHash = head.map { PostgresCells.bytes($0[1]) } ?? []
      let lastHash = last.map { PostgresCells.bytes($0[1]) } ?? [UInt8](repeating: 0, count: 32)
      var fault: String?
      if headPosition != lastPosition || headHash != lastHash {
        fault =
          "the head row names position \(headPosition), the log ends at position \(lastPosition)"
          + (headPosition == lastPosition ? " with another hash" : "")
      }
      return StorageCheck(
        problems: [], checkName: "head check", indexFault: fault, commandKeys: nil)
    }
  }
}
