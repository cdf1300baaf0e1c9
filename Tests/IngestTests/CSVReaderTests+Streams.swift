import Foundation
import Ingest
import ShelflogTestSupport
import Testing

extension CSVReaderTests {
  // MARK: - Chunk boundaries

  static let chunkInputs: [String] = [
    "\u{FEFF}a,b\r\n1,\"2\r\n3\"\r\n\r\n\"x\"\"y\",z\r",
    "a,b\r\r\n\n1,2\r\"q\r\",\"\"\n",
    "h\n\"unterminated,\r\n\n",
    "a,b\n\"x\"y,z\"w\n1,\0\n\u{00E9}\u{1F600},\u{20AC}\n",
    "\u{FEFF}",
    "\u{FEFF}\u{FEFF}x",
    "\r\n\r",
    "a,b,c\n,,\n,,,\n\"\",\"\"\"\",\n",
  ]

  @Test("output does not depend on where reads split the input", arguments: chunkInputs)
  func chunkBoundaries(_ text: String) throws {
    let whole = try readAll(text)
    for bufferSize in [1, 2, 3, 7] {
      #expect(try readAll(text, bufferSize: bufferSize) == whole, "bufferSize \(bufferSize)")
      #expect(
        try readAll(text, bufferSize: bufferSize, maxFieldBytes: 2, rawLimit: 3)
          == readAll(text, maxFieldBytes: 2, rawLimit: 3), "bufferSize \(bufferSize), small limits")
    }
  }

  @Test("bad UTF-8 split across reads is still found")
  func invalidUTF8AcrossChunks() throws {
    let input: [UInt8] = Array("a,b\n".utf8) + [0xE2, 0x82, 0xAC, 0x2C, 0xE2, 0x82, 0x0A]
    for bufferSize in [1, 2, 3, 7, 1 << 16] {
      let records = try readAll(input, bufferSize: bufferSize)
      #expect(records[1].faults == [CSVFault(kind: .badEncoding, column: 2)])
    }
  }

  // MARK: - UTF-8

  static let encodings: [(bytes: [UInt8], valid: Bool)] = [
    ([0x41], true), ([0xC3, 0xA9], true), ([0xE2, 0x82, 0xAC], true),
    ([0xF0, 0x9F, 0x98, 0x80], true), ([0xF4, 0x8F, 0xBF, 0xBF], true),
    ([0xED, 0x9F, 0xBF], true), ([0xEE, 0x80, 0x80], true), ([0xEF, 0xBB, 0xBF], true),
    ([0x80], false), ([0xBF], false), ([0xC0, 0x80], false), ([0xC1, 0xBF], false),
    ([0xE0, 0x80, 0x80], false), ([0xE0, 0x9F, 0xBF], false), ([0xED, 0xA0, 0x80], false),
    ([0xED, 0xBF, 0xBF], false), ([0xF0, 0x80, 0x80, 0x80], false),
    ([0xF0, 0x8F, 0xBF, 0xBF], false), ([0xF4, 0x90, 0x80, 0x80], false), ([0xF5, 0x80], false),
    ([0xFF], false), ([0xE2, 0x82], false), ([0xC3], false), ([0xF0, 0x9F, 0x98], false),
    ([0xC3, 0x41], false), ([0xE2, 0x28, 0xA1], false),
  ]

  @Test("bad UTF-8 is a fault on its field: overlongs, surrogates, > U+10FFFF, truncations")
  func encodings() throws {
    for (sample, valid) in Self.encodings {
      let records = try readAll(Array("x,y\n1,".utf8) + sample + [0x0A])
      let expected = valid ? [] : [CSVFault(kind: .badEncoding, column: 2)]
      #expect(records[1].faults == expected, "\(sample)")
      #expect((String(validating: sample, as: UTF8.self) != nil) == valid, "\(sample)")
    }
  }

  @Test("UTF-8 validation agrees with the standard library on random bytes")
  func utf8AgreesWithStandardLibrary() throws {
    var generator = SplitMix64(seed: 42)
    let alphabet: [UInt8] = [
      0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
      0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
    ]
    for _ in 0..<3_000 {
      let length = Int(generator.next() % 7) + 1
      let sample = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))]
      }
      let records = try readAll(sample)
      let faulted = records.first?.faults == [CSVFault(kind: .badEncoding, column: 1)]
      #expect(faulted == (String(validating: sample, as: UTF8.self) == nil), "\(sample)")
    }
  }

  // MARK: - Record access and sources

  @Test("fields read as slices, strings and zero-copy buffers; out of range is empty")
  func recordAccess() throws {
    var reader = CSVReader(source: BytesSource(bytes("h1,h2\n\u{00E9}t\u{00E9},\"\"\n")))
    var record = CSVRecord()
    #expect(try reader.next(into: &record))
    #expect(try reader.next(into: &record))
    #expect(record.line == 2 && record.count == 2)
    #expect(record.string(0) == "\u{00E9}t\u{00E9}")
    #expect(Array(record.field(0)) == bytes("\u{00E9}t\u{00E9}"))
    #expect(record.withFieldBytes(0) { Array($0) } == bytes("\u{00E9}t\u{00E9}"))
    #expect(record.withFieldBytes(1) { $0.count } == 0)
    #expect(record.field(2).isEmpty && record.field(-1).isEmpty && record.string(9).isEmpty)
    #expect(try !reader.next(into: &record))
    #expect(record.count == 0)
    #expect(reader.bytesRead == 15)
  }

  @Test("a file descriptor source reads a file; a bad descriptor throws its errno")
  func fileDescriptorSource() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("csvreader-\(UUID().uuidString).csv").path
    let text = "a,b\n" + String(repeating: "1,2\n", count: 50_000)
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = open(path, O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let records = try readAll(
      from: FileDescriptorSource(fileDescriptor: descriptor), bufferSize: 999)
    #expect(records.count == 50_001 && records.last?.strings == ["1", "2"])
    #expect(records.last?.line == 50_001)

    var bad = CSVReader(source: FileDescriptorSource(fileDescriptor: -1))
    var record = CSVRecord()
    #expect(throws: CSVReadError.io(errno: EBADF)) { try bad.next(into: &record) }
    var failing = CSVReader(source: FailingSource())
    #expect(throws: CSVReadError.io(errno: EIO)) { try failing.next(into: &record) }
  }
}
