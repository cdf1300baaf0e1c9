import Foundation
import Ingest
import ShelflogTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Serves `count` bytes made by `byte(at:)`, without holding them: for inputs too big to keep.
struct GeneratedSource: ByteSource {
  var count: Int
  var byte: @Sendable (Int) -> UInt8
  private(set) var offset = 0

  init(count: Int, byte: @escaping @Sendable (Int) -> UInt8) {
    self.count = count
    self.byte = byte
  }

  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVReadError) -> Int {
    let served = min(buffer.count, count - offset)
    for i in 0..<served { buffer[i] = byte(offset + i) }
    offset += served
    return served
  }
}

/// A source whose reads fail, as a broken disk or pipe would.
struct FailingSource: ByteSource {
  mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(CSVReadError) -> Int {
    throw .io(errno: EIO)
  }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("CSV reader")
struct CSVReaderTests {
  // MARK: - Records and terminators

  @Test("LF, CRLF and lone CR end records alike", arguments: ["\n", "\r\n", "\r"])
  func terminators(_ end: String) throws {
    let records = try readAll("a,b\(end)1,2\(end)\"x\",\(end)")
    #expect(records.map(\.strings) == [["a", "b"], ["1", "2"], ["x", ""]])
    #expect(records.map(\.line) == [1, 2, 3])
    #expect(records.allSatisfy { $0.faults.isEmpty })
  }

  @Test("a last record without a terminator is a record")
  func lastRecordWithoutTerminator() throws {
    #expect(try readAll("a,b\n1,2").map(\.strings) == [["a", "b"], ["1", "2"]])
    #expect(try readAll("a,").map(\.strings) == [["a", ""]])
    #expect(try readAll("\"\"").map(\.strings) == [[""]])
  }

  @Test("empty input and input of empty lines give no record")
  func emptyInputs() throws {
    for text in ["", "\n", "\r\n\r\n", "\r\r\n\n", "\u{FEFF}", "\u{FEFF}\n"] {
      #expect(try readAll(text).isEmpty, "\(text.debugDescription)")
    }
  }

  @Test("a UTF-8 BOM is skipped only at the very start")
  func byteOrderMark() throws {
    let records = try readAll("\u{FEFF}a,b\n\u{FEFF}1,2\n")
    #expect(records.map(\.strings) == [["a", "b"], ["\u{FEFF}1", "2"]])
    #expect(records[0].raw == bytes("a,b"))
    #expect(records.allSatisfy { $0.faults.isEmpty })
    // A partial BOM is data (and here not UTF-8).
    let partial = try readAll([0xEF, 0xBB, 0x2C, 0x61])
    #expect(partial.first?.fields == [[0xEF, 0xBB], [0x61]])
    #expect(partial.first?.faults == [CSVFault(kind: .badEncoding, column: 1)])
  }

  @Test("quoted fields hold commas, quotes, CR and LF")
  func quotedFields() throws {
    let records = try readAll("a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"1\r\n2\",\"3\r4\n5\"\n")
    #expect(
      records.map(\.strings) == [["a", "b"], ["x,y", "say \"hi\""], ["1\r\n2", "3\r4\n5"]])
    #expect(records.allSatisfy { $0.faults.isEmpty })
  }

  // MARK: - Line numbers

  @Test("empty lines are skipped but counted")
  func emptyLines() throws {
    let records = try readAll("\n\na\n\n\nb\r\n\r\n\rc\n\n")
    #expect(records.map(\.strings) == [["a"], ["b"], ["c"]])
    #expect(records.map(\.line) == [3, 6, 9])
  }

  @Test("a lone CR is one line break, CRLF is one, LF is one")
  func loneCarriageReturn() throws {
    let records = try readAll("a\r\rb\r\n\nc\n\r\nd")
    #expect(records.map(\.strings) == [["a"], ["b"], ["c"], ["d"]])
    #expect(records.map(\.line) == [1, 3, 5, 7])
  }

  @Test("line breaks inside quoted fields count toward the next record's line")
  func recordsSpanningLines() throws {
    let records = try readAll("h,i\n\"1\n2\r\n3\r4\",x\nnext,y\n\"\n\",z")
    #expect(records.map(\.line) == [1, 2, 6, 7])
    #expect(records[1].strings == ["1\n2\r\n3\r4", "x"])
    #expect(records[3].strings == ["\n", "z"])
  }

  // MARK: - Faults

  struct FaultCase: Sendable, CustomTestStringConvertible {
    var input: String
    var line: Int
    var faults: [CSVFault]
    var testDescription: String { input.debugDescription }
  }

  static let faultCases: [FaultCase] = [
    FaultCase(
      input: "a,b\n1,\"2\n3\n", line: 2, faults: [.init(kind: .unterminatedQuote, column: 2)]),
    FaultCase(
      input: "a,b\n1,2\"x\n", line: 2, faults: [.init(kind: .quoteInUnquotedField, column: 2)]),
    FaultCase(
      input: "a,b\n\"1\"x,2\n", line: 2, faults: [.init(kind: .textAfterClosingQuote, column: 1)]),
    FaultCase(input: "a,b\n\n1,x\0y\n", line: 3, faults: [.init(kind: .nulByte, column: 2)]),
    FaultCase(input: "a,b\n1,\"x\0\"\n", line: 2, faults: [.init(kind: .nulByte, column: 2)]),
    FaultCase(
      input: "a,b,c\n1,2\n", line: 2,
      faults: [.init(kind: .fieldCount(expected: 3, actual: 2), column: 3)]),
    FaultCase(
      input: "a,b\n\"1\n\",2,3\n", line: 2,
      faults: [.init(kind: .fieldCount(expected: 2, actual: 3), column: 3)]),
    FaultCase(
      input: "a,b\n\"x\"\"y\" z\"\0,w,v\n", line: 2,
      faults: [
        .init(kind: .textAfterClosingQuote, column: 1),
        .init(kind: .quoteInUnquotedField, column: 1),
        .init(kind: .nulByte, column: 1),
        .init(kind: .fieldCount(expected: 2, actual: 3), column: 3),
      ]),
  ]

  @Test("each fault names its kind, column and the record's line", arguments: faultCases)
  func faults(_ testCase: FaultCase) throws {
    let records = try readAll(testCase.input)
    let faulty = records.filter { !$0.faults.isEmpty }
    #expect(faulty.count == 1)
    #expect(faulty.first?.line == testCase.line)
    #expect(faulty.first?.faults == testCase.faults)
  }

  @Test("a fault kind is reported once per record, at its first column")
  func oneFaultPerKind() throws {
    let records = try readAll("a,b,c\n1\"1,2\"2,3\0\0\n")
    #expect(
      records[1].faults == [
        CSVFault(kind: .quoteInUnquotedField, column: 1), CSVFault(kind: .nulByte, column: 3),
      ])
  }

  @Test("the record after a faulty one is read right")
  func recovery() throws {
    let rows = ["1,x\"y", "\"1\"x,2", "1\0,2", "1,2,3", "1", "\"1\"\"\"\"\"", "\"a\"\"\",b\"\"c"]
    let faulty =
      rows.map { Array($0.utf8) } + [[0x31, 0x2C, 0xFF], [0xC3, 0x2C, 0x22, 0xC3, 0x22]]
    for row in faulty {
      let records = try readAll(bytes("a,b\n") + row + bytes("\nc,d\r\ne,\"f\"\n"))
      try #require(records.count == 4, "\(row)")
      #expect(!records[1].faults.isEmpty, "\(row)")
      #expect(records[1].line == 2 && records[1].raw == row)
      #expect(records[2].strings == ["c", "d"] && records[2].line == 3, "\(row)")
      #expect(records[3].strings == ["e", "f"] && records[3].faults.isEmpty)
    }
  }

  @Test("an unterminated quote makes the rest of the input one record")
  func unterminatedQuote() throws {
    let records = try readAll("a,b\n1,\"2\n3,4\n5,6\n")
    #expect(records.count == 2)
    #expect(records[1].strings == ["1", "2\n3,4\n5,6\n"])
    #expect(records[1].faults == [CSVFault(kind: .unterminatedQuote, column: 2)])
  }

  @Test("a faulty header still sets the expected field count")
  func faultyHeader() throws {
    let records = try readAll("a\"x,b\n1,2\n3\n")
    #expect(records[0].faults == [CSVFault(kind: .quoteInUnquotedField, column: 1)])
    #expect(records[1].faults.isEmpty)
    #expect(records[2].faults == [CSVFault(kind: .fieldCount(expected: 2, actual: 1), column: 2)])
  }

  // MARK: - Limits

  @Test("a field over maxFieldBytes is a fault and is not stored")
  func fieldTooLong() throws {
    let records = try readAll(
      "a,b\n12345,x\n\"12\"\"3\",y\n1234,\"ab\"\"c\"\"\"\n", maxFieldBytes: 4)
    #expect(records[1].faults == [CSVFault(kind: .fieldTooLong(limit: 4), column: 1)])
    #expect(records[1].fields == [[], bytes("x")])
    #expect(records[1].raw == bytes("12345,x"))
    #expect(records[2].faults.isEmpty && records[2].strings == ["12\"3", "y"])
    #expect(records[3].faults == [CSVFault(kind: .fieldTooLong(limit: 4), column: 2)])
    #expect(records[3].strings == ["1234", ""])
  }

  @Test("a 10 MB field streams through in bounded memory", arguments: [false, true])
  func hugeFieldIsNotBuffered(quoted: Bool) throws {
    let size = 10 << 20
    let head = Array("a,b\n\(quoted ? "\"" : "")".utf8)
    let tail = Array("\(quoted ? "\"" : ""),x\nnext,row\n".utf8)
    let total = head.count + size + tail.count
    let source = GeneratedSource(count: total) { offset in
      if offset < head.count { return head[offset] }
      if offset < head.count + size { return quoted && offset % 97 == 0 ? 0x0A : 0x7A }
      return tail[offset - head.count - size]
    }
    var reader = CSVReader(source: source, rawLimit: 1_000)
    var record = CSVRecord()
    #expect(try reader.next(into: &record))
    #expect(try reader.next(into: &record))
    #expect(record.faults == [CSVFault(kind: .fieldTooLong(limit: 65_536), column: 1)])
    #expect(record.count == 2 && record.field(0).isEmpty && record.string(1) == "x")
    #expect(record.raw.count == 1_000 && record.rawTruncated)
    #expect(record.raw.capacity < 64 << 10)
    // The last field's slice reaches the end of the record's storage, so its capacity bounds the
    // whole storage: a buffered field would leave megabytes here.
    let storage = record.field(0).count + record.field(1).capacity
    #expect(storage < 1 << 20, "record storage grew to \(storage) bytes")
    #expect(try reader.next(into: &record))
    #expect(record.string(0) == "next" && record.string(1) == "row" && record.faults.isEmpty)
    #expect(try !reader.next(into: &record))
    #expect(reader.bytesRead == total)
  }

  @Test("a huge line of fields stops storing at maxFields")
  func tooManyFields() throws {
    let size = 10 << 20
    let source = GeneratedSource(count: size) { $0 % 8 == 7 ? 0x2C : 0x61 }
    var reader = CSVReader(source: source)
    var record = CSVRecord()
    #expect(try reader.next(into: &record))
    #expect(record.count == 4_096)
    #expect(record.faults == [CSVFault(kind: .tooManyFields(limit: 4_096), column: 4_097)])
    #expect(record.string(4_095) == "aaaaaaa")
    #expect(record.raw.count == 65_536 && record.rawTruncated)
    #expect(try !reader.next(into: &record))

    let small = try readAll("a,b,c,d,e\n1,2,3,4,5\n1,2,3\n", maxFields: 3)
    #expect(small.map(\.fields.count) == [3, 3, 3])
    #expect(small[0].faults == [CSVFault(kind: .tooManyFields(limit: 3), column: 4)])
    #expect(small[1].faults == [CSVFault(kind: .tooManyFields(limit: 3), column: 4)])
    #expect(small[2].faults == [CSVFault(kind: .fieldCount(expected: 5, actual: 3), column: 4)])
  }

  // MARK: - Raw text

  @Test("raw is the record as written, without terminator, capped at rawLimit")
  func rawText() throws {
    let records = try readAll("a,b\r\n\"x\r\n\"\"y\"\"\",\"z\"\r\nlong,record\n")
    #expect(
      records.map(\.raw) == [bytes("a,b"), bytes("\"x\r\n\"\"y\"\"\",\"z\""), bytes("long,record")])
    let capped = try readAll("a,b\nlong,record\n", rawLimit: 5)
    #expect(capped.map(\.raw) == [bytes("a,b"), bytes("long,")])
    #expect(capped.map(\.rawTruncated) == [false, true])
  }
}
