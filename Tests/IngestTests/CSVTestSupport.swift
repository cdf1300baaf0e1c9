import Foundation
import Ingest
import ShelflogTestSupport
import Testing

/// A record as plain values, for comparing readers' output in tests.
struct ReadRecord: Equatable, CustomStringConvertible {
  var line: Int
  var fields: [[UInt8]]
  var faults: [CSVFault]
  var raw: [UInt8]
  var rawTruncated: Bool

  var strings: [String] { fields.map { String(decoding: $0, as: UTF8.self) } }

  var description: String {
    "line \(line) \(strings.debugDescription) faults \(faults) raw "
      + String(decoding: raw, as: UTF8.self).debugDescription
  }
}

/// Reads all records of `bytes` with the given limits.
func readAll(
  _ bytes: [UInt8], bufferSize: Int = 1 << 16, maxFieldBytes: Int = 65_536,
  maxFields: Int = 4_096, rawLimit: Int = 65_536
) throws -> [ReadRecord] {
  try readAll(
    from: BytesSource(bytes), bufferSize: bufferSize, maxFieldBytes: maxFieldBytes,
    maxFields: maxFields, rawLimit: rawLimit)
}

/// Reads all records of `text` (as UTF-8) with the given limits.
func readAll(
  _ text: String, bufferSize: Int = 1 << 16, maxFieldBytes: Int = 65_536,
  maxFields: Int = 4_096, rawLimit: Int = 65_536
) throws -> [ReadRecord] {
  try readAll(
    Array(text.utf8), bufferSize: bufferSize, maxFieldBytes: maxFieldBytes,
    maxFields: maxFields, rawLimit: rawLimit)
}

/// Reads all records from any byte source.
func readAll<Source: ByteSource>(
  from source: Source, bufferSize: Int = 1 << 16, maxFieldBytes: Int = 65_536,
  maxFields: Int = 4_096, rawLimit: Int = 65_536
) throws -> [ReadRecord] {
  var reader = CSVReader(
    source: source, maxFieldBytes: maxFieldBytes, maxFields: maxFields, rawLimit: rawLimit,
    bufferSize: bufferSize)
  var record = CSVRecord()
  var result: [ReadRecord] = []
  while try reader.next(into: &record) {
    result.append(
      ReadRecord(
        line: record.line, fields: (0..<record.count).map { Array(record.field($0)) },
        faults: record.faults, raw: record.raw, rawTruncated: record.rawTruncated))
  }
  return result
}

// MARK: - Conformance corpus

/// One case of `csv-cases.jsonl`.
struct ConformanceCase: Sendable, Decodable, CustomTestStringConvertible {
  var suite: String
  var name: String
  var input: String
  /// Records, header included; nil when the suite gives none.
  var expected: [[String]]?
  var expectError: Bool

  /// The case's name in the deviations table: suite, then name.
  var key: String { "\(suite) :: \(name)" }
  var testDescription: String { key }

  private enum CodingKeys: String, CodingKey {
    case suite, name, input, expected
    case expectError = "expect_error"
  }

  init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    suite = try container.decode(String.self, forKey: .suite)
    name = try container.decode(String.self, forKey: .name)
    input = try container.decode(String.self, forKey: .input)
    expected = try container.decodeIfPresent([[String]].self, forKey: .expected)
    expectError = try container.decodeIfPresent(Bool.self, forKey: .expectError) ?? false
  }
}

/// The CSV conformance cases, in the repository (`Tests/Conformance/csv-cases.jsonl`; origins
/// and licences in `Tests/Conformance/SOURCES.md`).
enum ConformanceCorpus {
  static let fileName = "csv-cases.jsonl"

  /// The cases, or why they could not be loaded.
  static let loaded: Result<[ConformanceCase], CorpusError> = load()

  /// The cases; empty when loading failed (the completeness test then fails).
  static var cases: [ConformanceCase] { (try? loaded.get()) ?? [] }

  struct CorpusError: Error, CustomStringConvertible {
    var description: String
  }

  static func locate() -> URL? {
    let file = repositoryRoot().appendingPathComponent("Tests/Conformance/\(fileName)")
    return FileManager.default.fileExists(atPath: file.path) ? file : nil
  }

  private static func load() -> Result<[ConformanceCase], CorpusError> {
    guard let url = locate() else {
      return .failure(
        CorpusError(
          description: "\(fileName) not found in Tests/Conformance/ of the repository"))
    }
    do {
      let data = try Data(contentsOf: url)
      let decoder = JSONDecoder()
      var cases: [ConformanceCase] = []
      for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        cases.append(try decoder.decode(ConformanceCase.self, from: Data(line)))
      }
      return .success(cases)
    } catch {
      return .failure(CorpusError(description: "cannot read \(url.path): \(error)"))
    }
  }
}
