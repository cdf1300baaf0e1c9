import Ingest
import LibraryDomain

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The reader's read size and limits for one pass over an input.
struct PassSettings: Equatable {
  var bufferSize = 1 << 16
  var maxFieldBytes = 65_536
  var maxFields = 4_096
  var rawLimit = 65_536

  /// The reader's defaults, as `shelflog import` uses them.
  static let defaults = PassSettings()

  /// Limits a fuzzed input reaches easily, yet roomy enough for column names, an ISBN with
  /// hyphens and a time with a fraction and an offset, so rows still get validated.
  static let small = PassSettings(bufferSize: 7, maxFieldBytes: 32, maxFields: 9, rawLimit: 48)

  /// The same limits with another read size.
  func reading(_ bufferSize: Int) -> PassSettings {
    var copy = self
    copy.bufferSize = bufferSize
    return copy
  }
}

/// One record as the reader gave it.
struct RecordSnapshot: Equatable {
  var line: Int
  var fields: [[UInt8]]
  var faults: [CSVFault]
  var raw: [UInt8]
  var rawTruncated: Bool

  init(_ record: borrowing CSVRecord) {
    line = record.line
    fields = (0..<record.count).map { Array(record.field($0)) }
    faults = record.faults
    raw = record.raw
    rawTruncated = record.rawTruncated
  }

  /// Whether `record` holds what this snapshot holds (`==` of a snapshot of it, without copying
  /// its fields): line, every field's bytes, faults, raw text and its cut.
  func matches(_ record: borrowing CSVRecord) -> Bool {
    guard line == record.line, rawTruncated == record.rawTruncated, fields.count == record.count,
      faults == record.faults, Self.same(raw[...], record.raw[...])
    else { return false }
    for (index, field) in fields.enumerated() where !Self.same(field[...], record.field(index)) {
      return false
    }
    return true
  }

  /// Whether two runs of bytes are equal, compared by `memcmp`: byte-by-byte Swift comparisons
  /// would each call the fuzzer's comparison hook.
  private static func same(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    return lhs.withUnsafeBytes { left in
      rhs.withUnsafeBytes { right in
        left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0
      }
    }
  }
}

/// What the validator made of one record after the header.
enum Verdict: Equatable {
  case accepted(ValidatedRow)
  case rejected([Reject])
}

/// What a pass that validates makes of one record: the header check's result for the first, a
/// verdict for each later one when the header was accepted.
enum Judgement {
  case header(Result<BatchHeader, IngestError>)
  case row(Verdict)
}

/// Reading an input as `shelflog import` does.
enum Pass {
  /// Reads `bytes` with `settings` and calls `visit` with every record in turn. When
  /// `validating`, the first record goes through `BatchHeader(record:)` and every later one,
  /// under an accepted header, through `RowValidator.validate`, and `visit` gets the result;
  /// otherwise (and for rows under a refused header) it gets nil.
  static func read(
    _ bytes: [UInt8], _ settings: PassSettings, validating: Bool,
    _ visit: (borrowing CSVRecord, Judgement?) -> Void
  ) {
    var reader = CSVReader(
      source: BytesSource(bytes), maxFieldBytes: settings.maxFieldBytes,
      maxFields: settings.maxFields, rawLimit: settings.rawLimit, bufferSize: settings.bufferSize)
    var record = CSVRecord()
    var headerSeen = false
    var validator: RowValidator?
    var rejects: [Reject] = []
    while next(&reader, into: &record) {
      guard validating else {
        visit(record, nil)
        continue
      }
      guard headerSeen else {
        headerSeen = true
        do throws(IngestError) {
          let batchHeader = try BatchHeader(record: record)
          validator = RowValidator(header: batchHeader)
          visit(record, .header(.success(batchHeader)))
        } catch {
          visit(record, .header(.failure(error)))
        }
        continue
      }
      guard let validator else {
        visit(record, nil)
        continue
      }
      rejects.removeAll()
      if let row = validator.validate(record, rejects: &rejects) {
        require(rejects.isEmpty, "line \(record.line): accepted with rejects \(rejects)")
        visit(record, .row(.accepted(row)))
      } else {
        require(!rejects.isEmpty, "line \(record.line): refused without a reject")
        visit(record, .row(.rejected(rejects)))
      }
    }
  }

  /// Reads the next record; bytes in memory never fail to read.
  private static func next(
    _ reader: inout CSVReader<BytesSource>, into record: inout CSVRecord
  ) -> Bool {
    do {
      return try reader.next(into: &record)
    } catch {
      fail("BytesSource threw \(error)")
    }
  }
}

/// Everything one pass produced.
struct PassOutcome {
  /// How the input was read.
  var settings: PassSettings
  /// Every record, the header first.
  var records: [RecordSnapshot] = []
  /// The header check's result; nil when the input has no record.
  var header: Result<BatchHeader, IngestError>?
  /// One verdict per record after the header; empty when the header was refused.
  var verdicts: [Verdict] = []

  /// Reads `bytes` as `shelflog import` does: header first, then every record validated.
  init(_ bytes: [UInt8], _ settings: PassSettings) {
    self.settings = settings
    var records: [RecordSnapshot] = []
    var header: Result<BatchHeader, IngestError>?
    var verdicts: [Verdict] = []
    Pass.read(bytes, settings, validating: true) { record, judgement in
      records.append(RecordSnapshot(record))
      switch judgement {
      case .header(let result): header = result
      case .row(let verdict): verdicts.append(verdict)
      case nil: break
      }
    }
    self.records = records
    self.header = header
    self.verdicts = verdicts
  }

  /// Reads `bytes` again with `settings` and stops the process unless every record matches this
  /// outcome's (same count, each the same as its snapshot) and, when `validating`, the header's
  /// result and every verdict are the same too. Compares while reading: no snapshot is made.
  func requireSame(
    reading bytes: [UInt8], _ settings: PassSettings, validating: Bool, _ what: String
  ) {
    var index = 0
    var judged = 0
    Pass.read(bytes, settings, validating: validating) { record, judgement in
      require(index < records.count, "\(what): more than \(records.count) records")
      require(
        records[index].matches(record),
        "\(what): record \(index + 1) differs: line \(record.line), raw "
          + "\(String(decoding: record.raw, as: UTF8.self).debugDescription), faults "
          + "\(record.faults); before: \(records[index])")
      switch judgement {
      case .header(let result):
        require(result == header, "\(what): header \(result), before \(String(describing: header))")
      case .row(let verdict):
        require(
          judged < verdicts.count && verdict == verdicts[judged],
          "\(what): line \(record.line): \(verdict), before: "
            + (judged < verdicts.count ? "\(verdicts[judged])" : "no verdict"))
        judged += 1
      case nil:
        break
      }
      index += 1
    }
    require(index == records.count, "\(what): \(index) records, before \(records.count)")
    require(
      !validating || judged == verdicts.count,
      "\(what): \(judged) verdicts, before \(verdicts.count)")
  }
}

/// Stops the process with `message` when `condition` is false, so libFuzzer reports the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fail(message()) }
}

/// Stops the process with an invariant's message.
func fail(_ message: String) -> Never {
  fatalError("shelflog fuzz invariant broken: \(message)")
}
