import GRDB
import Ingest
import LibraryDomain

/// How an import appends a batch.
public struct ImportOptions: Sendable {
  /// Append the valid rows of a batch that has rejects.
  public var allowPartial = false
  /// The batch's recorded time; nil means `now`, never earlier than the log's latest.
  public var recordedAt: Timestamp?
  /// The wall clock, passed in.
  public var now: Timestamp

  public init(allowPartial: Bool = false, recordedAt: Timestamp? = nil, now: Timestamp) {
    self.allowPartial = allowPartial
    self.recordedAt = recordedAt
    self.now = now
  }
}

/// Callbacks an import reports through; the executable decides what a person sees.
public struct ImportObserver {
  public var reject: (Reject) -> Void
  public var warning: (String) -> Void
  public var progress: (_ bytesRead: Int) -> Void

  public init(
    reject: @escaping (Reject) -> Void, warning: @escaping (String) -> Void,
    progress: @escaping (Int) -> Void
  ) {
    self.reject = reject
    self.warning = warning
    self.progress = progress
  }
}

extension EventLogStore {
  /// Whether a batch with these bytes was imported before.
  public func hasBatch(sha256: String) throws(EventLogError) -> Bool {
    try read { db in
      try Bool.fetchOne(db, sql: "SELECT 1 FROM batches WHERE sha256 = ?", arguments: [sha256])
        ?? false
    }
  }

  /// Validates and appends one batch in one transaction: all or nothing (or the valid rows with
  /// `allowPartial`), idempotent by the batch's SHA-256 and by command id.
  ///
  /// Throws `IngestError` for a batch refused whole and `EventLogError` for log faults.
  public func importBatch<Source: ByteSource>(
    _ source: consuming Source, file: String, sha256: String, options: ImportOptions,
    observer: ImportObserver
  ) throws -> BatchSummary {
    var reader = CSVReader(source: source)
    var record = CSVRecord()
    return try writeTransaction { db -> (BatchSummary, commit: Bool) in
      var summary = BatchSummary(file: file, sha256: sha256, status: .imported)
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM batches WHERE sha256 = ?", arguments: [sha256])
        ?? false
      {
        summary.status = .alreadyImported
        return (summary, false)
      }
      let recordedAt = try batchTime(db, options: options, warning: observer.warning)
      summary.recordedAt = recordedAt.description
      guard try nextRecord(&reader, &record) else {
        throw IngestError.badHeader(line: 1, column: nil, reason: "file is empty: no header")
      }
      let header = try BatchHeader(record: record)
      if !header.unknownNames.isEmpty {
        observer.warning(
          "ignoring unknown column(s): \(header.unknownNames.map { "\"\($0)\"" }.joined(separator: ", "))"
        )
      }
      let validator = RowValidator(header: header)
      var appender = try EventAppender(db: db, batch: sha256, recordedAt: recordedAt)
      let firstPosition = appender.position + 1
      var rejects: [Reject] = []
      var rows = 0
      var tally = AppendTally()
      while try nextRecord(&reader, &record) {
        rows += 1
        if rows & 0x3FFF == 0 { observer.progress(reader.bytesRead) }
        rejects.removeAll(keepingCapacity: true)
        if let row = validator.validate(record, rejects: &rejects) {
          appender.stage(row, raw: record.raw)
        } else if !rejects.isEmpty {
          tally.rejected += 1
          appender.stage(rejects: rejects)
        }
        if appender.isFull { try appender.flush(&tally, reject: observer.reject) }
      }
      try appender.finish(&tally, reject: observer.reject)
      observer.progress(reader.bytesRead)
      summary.accepted = tally.accepted
      summary.rejected = tally.rejected
      summary.skipped = tally.skipped
      let earliest = tally.earliest
      if summary.rejected > 0 && !options.allowPartial {
        summary.status = .rejected
        return (summary, false)
      }
      if appender.position >= firstPosition {
        summary.firstPosition = firstPosition
        summary.lastPosition = appender.position
      }
      try db.execute(
        sql: """
          INSERT INTO batches (sha256, file_name, recorded_at, recorded_us, rows_accepted,
            rows_rejected, rows_skipped, first_position, last_position)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          sha256, file, recordedAt.description, recordedAt.microseconds, summary.accepted,
          summary.rejected, summary.skipped, summary.firstPosition, summary.lastPosition,
        ])
      if let first = summary.firstPosition, let last = summary.lastPosition {
        // The batch's earliest business time: a snapshot later than it is stale for cuts that
        // know this batch.
        try db.execute(
          sql: """
            INSERT INTO batch_extents (first_position, last_position, min_occurred_us)
            VALUES (?, ?, ?)
            """,
          arguments: [first, last, earliest])
      }
      return (summary, true)
    }
  }

  /// The batch's recorded time: the given one, refused when earlier than the log's latest; or
  /// now, raised to the latest when the clock is behind it.
  private func batchTime(
    _ db: Database, options: ImportOptions, warning: (String) -> Void
  ) throws -> Timestamp {
    let latestMicroseconds = try Int64.fetchOne(db, sql: "SELECT max(recorded_us) FROM batches")
    let latest = latestMicroseconds.map(Timestamp.init(microseconds:))
    if let given = options.recordedAt {
      if let latest, given < latest {
        throw EventLogError.recordedAtBackwards(
          given: given.description, latest: latest.description)
      }
      return given
    }
    if let latest, options.now < latest {
      warning(
        "clock (\(options.now)) is behind the log's latest recorded_at (\(latest)); using that")
      return latest
    }
    return options.now
  }
}

private func nextRecord<Source: ByteSource>(
  _ reader: inout CSVReader<Source>, _ record: inout CSVRecord
) throws(IngestError) -> Bool {
  do {
    return try reader.next(into: &record)
  } catch {
    throw IngestError(error)
  }
}

extension IngestError {
  init(_ error: CSVReadError) {
    switch error {
    case .io(let errno): self = .io(errno: errno)
    }
  }
}
