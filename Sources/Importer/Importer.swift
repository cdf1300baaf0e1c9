import EventLog
import Ingest
import LibraryDomain

/// The write side's use case: read a batch's CSV, validate each row, and append the events to
/// the log in one transaction: all or nothing (or the valid rows with `allowPartial`),
/// idempotent by the batch's SHA-256 and by command id. It drives Ingest and the store; the
/// store answers per row (`AppendOutcome`).
public enum Importer {
  /// Imports one batch. Throws `IngestError` or `ImportError` for a batch refused whole, and
  /// `EventLogError` for log faults.
  public static func importBatch<Source: ByteSource>(
    _ source: consuming Source, file: String, sha256: String, into target: any AppendTarget,
    options: ImportOptions, observer: ImportObserver
  ) throws -> BatchSummary {
    var reader = CSVReader(source: source)
    var record = CSVRecord()
    return try target.appendTransaction { writer -> (BatchSummary, commit: Bool) in
      var summary = BatchSummary(file: file, sha256: sha256, status: .imported)
      if try writer.isImported(sha256: sha256) {
        summary.status = .alreadyImported
        return (summary, false)
      }
      let recordedAt = try options.recordedTime(
        latest: try writer.latestRecordedAt(), warning: observer.warning)
      summary.recordedAt = recordedAt.description
      guard try nextRecord(&reader, &record) else {
        throw IngestError.badHeader(line: 1, column: nil, reason: "file is empty: no header")
      }
      let header = try BatchHeader(record: record)
      if !header.unknownNames.isEmpty {
        observer.warning(
          "ignoring unknown column(s): "
            + header.unknownNames.map { "\"\($0)\"" }.joined(separator: ", "))
      }
      let validator = RowValidator(header: header)
      try writer.begin(sha256: sha256, recordedAt: recordedAt)
      var staging = Staging()
      var rejects: [Reject] = []
      var rows = 0
      while try nextRecord(&reader, &record) {
        rows += 1
        if rows & 0x3FFF == 0 { observer.progress(reader.bytesRead) }
        rejects.removeAll(keepingCapacity: true)
        if let row = validator.validate(record, rejects: &rejects) {
          staging.stage(row, raw: record.raw)
        } else if !rejects.isEmpty {
          staging.stage(rejects: rejects)
        }
        if staging.isFull { try staging.flush(writer, reject: observer.reject) }
      }
      try staging.flush(writer, reject: observer.reject)
      observer.progress(reader.bytesRead)
      summary.accepted = staging.accepted
      summary.rejected = staging.rejected
      summary.skipped = staging.skipped
      summary.rejectCodes = staging.codes
      summary.rejectCauses = staging.causes
      if summary.rejected > 0 && !options.allowPartial {
        summary.status = .rejected
        return (summary, false)
      }
      let positions = try writer.finish(
        BatchRecord(
          sha256: sha256, fileName: file, recordedAt: recordedAt, accepted: summary.accepted,
          rejected: summary.rejected, skipped: summary.skipped))
      summary.firstPosition = positions?.first
      summary.lastPosition = positions?.last
      return (summary, true)
    }
  }
}

private func nextRecord<Source: ByteSource>(
  _ reader: inout CSVReader<Source>, _ record: inout CSVRecord
) throws(IngestError) -> Bool {
  do {
    return try reader.next(into: &record)
  } catch {
    switch error {
    case .io(let errno): throw .io(errno: errno)
    }
  }
}
