import Foundation
import LibraryDomain
import ShelflogTestSupport
import Testing

/// Runs the ISBN vectors in the repository (`Tests/Conformance/isbn-vectors.csv`; origins and
/// licences in `Tests/Conformance/SOURCES.md`). A missing file fails the suite.
@Suite("ISBN conformance vectors")
struct ISBNConformanceTests {
  static let expectedCount = 360

  /// One row of the file: `isbn,valid,normalized`.
  struct Vector: CustomTestStringConvertible, Sendable {
    var line: Int
    var isbn: [UInt8]
    var valid: Bool
    var normalized: String

    var testDescription: String {
      "line \(line): \(String(decoding: isbn, as: UTF8.self).debugDescription)"
    }
  }

  struct LoadError: Error, CustomStringConvertible {
    var description: String
  }

  @Test func fileHoldsAllVectors() throws {
    let vectors = try Self.loadVectors()
    #expect(vectors.count == Self.expectedCount)
    #expect(vectors.contains { $0.valid } && vectors.contains { !$0.valid })
  }

  @Test("vector", arguments: try loadVectors())
  func vectorMatches(_ vector: Vector) {
    let text = String(decoding: vector.isbn, as: UTF8.self)
    let fromText = ISBN(text)
    let fromBytes = vector.isbn.withUnsafeBufferPointer { ISBN.parse($0) }
    if vector.valid {
      #expect(fromText?.digits == vector.normalized)
      #expect(fromBytes?.digits == vector.normalized)
    } else {
      #expect(vector.normalized.isEmpty)
      #expect(fromText == nil)
      #expect(fromBytes == nil)
    }
  }

  // MARK: - Loading

  static func loadVectors() throws -> [Vector] {
    let folder = try conformanceFolder()
    let path = folder + "/isbn-vectors.csv"
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LoadError(description: "cannot read \(path)")
    }
    let records = try parseCSV(Array(data))
    guard let header = records.first, header.map(text) == ["isbn", "valid", "normalized"] else {
      throw LoadError(description: "\(path): header is not isbn,valid,normalized")
    }
    return try records.dropFirst().map { record in
      guard record.fields.count == 3, let valid = ["true": true, "false": false][text(record[1])]
      else { throw LoadError(description: "\(path) line \(record.line): bad row") }
      return Vector(
        line: record.line, isbn: record[0], valid: valid, normalized: text(record[2]))
    }
  }

  /// The conformance folder of the repository.
  static func conformanceFolder() throws -> String {
    repositoryRoot().appendingPathComponent("Tests/Conformance").path
  }

  private static func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
  }

  // MARK: - A tiny RFC 4180 reader

  struct Record {
    var line: Int
    var fields: [[UInt8]]
    subscript(index: Int) -> [UInt8] { fields[index] }
    func map<T>(_ transform: ([UInt8]) -> T) -> [T] { fields.map(transform) }
  }

  /// Splits CSV bytes into records: `"` quoting with `""`, LF, CRLF or CR line ends.
  static func parseCSV(_ bytes: [UInt8]) throws -> [Record] {
    let quote = UInt8(ascii: "\"")
    let comma = UInt8(ascii: ",")
    let lf: UInt8 = 10
    let cr: UInt8 = 13
    var records: [Record] = []
    var fields: [[UInt8]] = []
    var field: [UInt8] = []
    var line = 1
    var recordLine = 1
    var index = 0
    var inRecord = false
    func endRecord() {
      fields.append(field)
      records.append(Record(line: recordLine, fields: fields))
      fields = []
      field = []
      inRecord = false
    }
    while index < bytes.count {
      let byte = bytes[index]
      if !inRecord {
        inRecord = true
        recordLine = line
      }
      if byte == quote && field.isEmpty {
        // A quoted field: read to the closing quote, "" being one quote.
        index += 1
        while true {
          guard index < bytes.count else {
            throw LoadError(description: "unterminated quote at line \(recordLine)")
          }
          if bytes[index] == quote {
            if index + 1 < bytes.count && bytes[index + 1] == quote {
              field.append(quote)
              index += 2
              continue
            }
            index += 1
            break
          }
          if bytes[index] == lf || (bytes[index] == cr && bytes[safe: index + 1] != lf) {
            line += 1
          }
          field.append(bytes[index])
          index += 1
        }
        guard index == bytes.count || [comma, lf, cr].contains(bytes[index]) else {
          throw LoadError(description: "text after a closing quote at line \(line)")
        }
        continue
      }
      switch byte {
      case comma:
        fields.append(field)
        field = []
      case cr where bytes[safe: index + 1] == lf:
        index += 1
        line += 1
        endRecord()
      case cr, lf:
        line += 1
        endRecord()
      default:
        field.append(byte)
      }
      index += 1
    }
    if inRecord {
      endRecord()
    }
    return records
  }
}

extension Array where Element == UInt8 {
  fileprivate subscript(safe index: Int) -> UInt8? {
    indices.contains(index) ? self[index] : nil
  }
}
