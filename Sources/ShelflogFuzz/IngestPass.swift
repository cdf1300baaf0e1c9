import Ingest
import LibraryDomain

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
}

/// What the validator made of one record after the header.
enum Verdict: Equatable {
  case accepted(ValidatedRow)
  case rejected([Reject])
}

/// Everything one pass produced; equal when the results are, whatever the settings.
struct PassOutcome: Equatable {
  /// How the input was read; not compared.
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
    var reader = CSVReader(
      source: BytesSource(bytes), maxFieldBytes: settings.maxFieldBytes,
      maxFields: settings.maxFields, rawLimit: settings.rawLimit, bufferSize: settings.bufferSize)
    var record = CSVRecord()
    var validator: RowValidator?
    while Self.next(&reader, into: &record) {
      records.append(RecordSnapshot(record))
      if header == nil {
        do throws(IngestError) {
          let batchHeader = try BatchHeader(record: record)
          header = .success(batchHeader)
          validator = RowValidator(header: batchHeader)
        } catch {
          header = .failure(error)
        }
        continue
      }
      guard let validator else { continue }
      var rejects: [Reject] = []
      if let row = validator.validate(record, rejects: &rejects) {
        require(rejects.isEmpty, "line \(record.line): accepted with rejects \(rejects)")
        verdicts.append(.accepted(row))
      } else {
        require(!rejects.isEmpty, "line \(record.line): refused without a reject")
        verdicts.append(.rejected(rejects))
      }
    }
  }

  static func == (lhs: PassOutcome, rhs: PassOutcome) -> Bool {
    lhs.records == rhs.records && lhs.header == rhs.header && lhs.verdicts == rhs.verdicts
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

/// Stops the process with `message` when `condition` is false, so libFuzzer reports the input.
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fail(message()) }
}

/// Stops the process with an invariant's message.
func fail(_ message: String) -> Never {
  fatalError("shelflog fuzz invariant broken: \(message)")
}
