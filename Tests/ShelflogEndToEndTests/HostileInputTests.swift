import Foundation
import Testing

/// Hostile and broken batches (issue 6): each gets the documented result and a clear message naming
/// the file (and line and column where there is one), never a crash or unbounded memory, and
/// leaves the log as it was (same `verify` head, events and batches).
@Suite("Hostile input")
struct HostileInputTests {
  /// Peak memory allowed for an import of a huge input (the reader never buffers a field or a
  /// record without bound).
  static let maxRSSKiB = 200 * 1024

  // MARK: Empty and header-only files

  @Test(arguments: [
    ("empty", Data()),
    ("blank-lines", Data("\n\n\r\n".utf8)),
    ("bom-only", Data([0xEF, 0xBB, 0xBF])),
  ])
  func fileWithoutHeaderIsRefused(name: String, bytes: Data) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let file = try box.write("\(name).csv", bytes)

    let result = try await box.shelflog(["import", file, "--db", "log.sqlite", "--json"])
    #expect(result.status == 65, "\(result)")
    expectOneErrorLine(result, naming: [file, "empty"])
    let batches = try batchSummaries(result)
    #expect(batches.map { $0["status"] as? String } == ["refused"], "\(result)")
    #expect(try await box.logState() == before)
  }

  @Test func emptyStandardInputIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let result = try await box.shelflog(["import", "-", "--db", "log.sqlite"], stdin: Data())
    #expect(result.status == 65, "\(result)")
    expectOneErrorLine(result, naming: ["-:", "empty"])
    #expect(try await box.logState() == before)
  }

  /// A header-only file is a valid, empty batch (README): recorded, so importing it again is
  /// skipped, and no event is appended.
  @Test(arguments: [
    ("lf", fullHeader + "\n"),
    ("no-newline", "command,isbn,occurred_at"),
    ("bom-crlf", "\u{FEFF}" + fullHeader + "\r\n"),
  ])
  func headerOnlyIsAnEmptyBatch(name: String, text: String) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let file = try box.write("\(name).csv", text)

    let first = try await box.shelflog(["import", file, "--db", "log.sqlite", "--json"])
    #expect(first.status == 0, "\(first)")
    #expect(first.stderr.isEmpty, "\(first)")
    let batch = try #require(try batchSummaries(first).first)
    #expect(batch["status"] as? String == "imported", "\(first)")
    #expect(batch["accepted"] as? Int == 0 && batch["rejected"] as? Int == 0, "\(first)")
    #expect(batch["first_position"] is NSNull, "\(first)")
    let after = try await box.logState()
    #expect(after.head == before.head && after.events == before.events, "\(after)")
    #expect(after.batches == before.batches + 1, "the empty batch is recorded: \(after)")

    let again = try await box.shelflog(["import", file, "--db", "log.sqlite", "--json"])
    #expect(again.status == 0, "\(again)")
    #expect(try batchSummaries(again).first?["status"] as? String == "already_imported")
    #expect(try await box.logState() == after)
  }

  // MARK: Binary and badly encoded files

  /// A binary file is refused whole at its header (line 1), in one line.
  @Test(arguments: ["elf", "png", "utf16-excel-export"])
  func binaryFileIsRefused(kind: String) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    var bytes: Data
    switch kind {
    case "elf": bytes = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00])
    case "png": bytes = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    default:
      // What a spreadsheet's "Unicode text" export gives: UTF-16LE with a byte order mark.
      bytes = Data([0xFF, 0xFE])
      for unit in seedBatch.utf16 {
        bytes.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)])
      }
    }
    if kind != "utf16-excel-export" {
      var state: UInt64 = 0x9E37_79B9_7F4A_7C15
      for _ in 0..<(256 * 1024 / 8) {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = (state ^ (state >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        withUnsafeBytes(of: mixed) { bytes.append(contentsOf: $0) }
      }
    }
    let file = try box.write("\(kind).csv", bytes)

    let result = try await box.shelflog(["import", file, "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    expectOneErrorLine(result, naming: [file, "line 1"])
    #expect(result.stderr.utf8.count < 1024, "no binary echoed back: \(result)")
    #expect(try await box.logState() == before)
  }

  /// Invalid UTF-8 (a stray byte, an overlong form, a surrogate, a cut 4-byte sequence, a lone
  /// continuation byte), in used and in ignored columns: `bad_encoding` at its line and column.
  @Test func invalidUTF8InRowsIsBadEncoding() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    var bytes = Data((fullHeader + ",extra\n").utf8)
    let rows: [[UInt8]] = [
      Array("g1,AddBook,9780131103627,Fine,A,1,,2024-03-02T09:00:00Z,\n".utf8),
      Array("b1,BorrowBook,9780306406157,".utf8) + [0xFF]
        + Array(",,,alice,2024-03-02T10:00:00Z,\n".utf8),
      Array("b2,BorrowBook,9780306406157,,,,alice,2024-03-02T10:00:00Z,".utf8) + [0xC0, 0xAF]
        + [0x0A],
      Array("b3,AddBook,9780262033848,ok".utf8) + [0xED, 0xA0, 0x80]
        + Array(",A,1,,2024-03-02T10:00:00Z,\n".utf8),
      Array("b4,AddBook,9780262033848,".utf8) + [0xF0, 0x9F, 0x92]
        + Array(",A,1,,2024-03-02T10:00:00Z,\n".utf8),
      Array("b5,AddBook,9780262033848,T,B".utf8) + [0x80]
        + Array(",1,,2024-03-02T10:00:00Z,\n".utf8),
      Array("g2,AddBook,9781680502992,Also fine,A,1,,2024-03-02T09:00:00Z,\n".utf8),
    ]
    for row in rows { bytes.append(contentsOf: row) }
    let file = try box.write("encoding.csv", bytes)

    let result = try await box.shelflog(
      ["import", file, "--db", "log.sqlite", "--rejects", "rejects.csv"])
    #expect(result.status == 65, "\(result)")
    let rejects = result.stderrLines.filter { !$0.hasPrefix("shelflog: warning:") }
    #expect(
      rejects == [
        "encoding.csv:3:4: bad_encoding: not valid UTF-8",
        "encoding.csv:4:9: bad_encoding: not valid UTF-8",
        "encoding.csv:5:4: bad_encoding: not valid UTF-8",
        "encoding.csv:6:4: bad_encoding: not valid UTF-8",
        "encoding.csv:7:5: bad_encoding: not valid UTF-8",
      ], "\(result)")
    #expect(try await box.logState() == before)
    let records = parseCSV(String(decoding: try box.read("rejects.csv"), as: UTF8.self))
    #expect(records.count == 6, "\(records)")
    #expect(records.dropFirst().map { $0.count } == Array(repeating: 6, count: 5), "\(records)")

    // With --allow-partial the two good rows go in; the batch still exits 65.
    let partial = try await box.shelflog(["import", file, "--db", "log.sqlite", "--allow-partial"])
    #expect(partial.status == 65, "\(partial)")
    let after = try await box.logState()
    #expect(after.events == before.events + 2, "\(after)")
    #expect(values(try await box.events(), "command_id").suffix(2) == ["g1", "g2"])
  }

  // MARK: Huge inputs

  /// A 50 MB field (unquoted, or quoted with commas, `""` and a line break every 30 bytes) is
  /// `field_too_long` at its line and column; the next record's line is still counted right;
  /// memory stays bounded and the `--rejects` raw text is cut.
  @Test(arguments: [false, true])
  func fiftyMegabyteFieldIsTooLong(quoted: Bool) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let pattern = quoted ? "lorem ipsum, \"\"quoted\"\" dolor\n" : "abcdefghij"
    let copies = 50_000_000 / pattern.utf8.count
    let file = try box.writeStreaming("big.csv") { append in
      try append(Data((fullHeader + "\nq1,AddBook,9780306406157,").utf8))
      if quoted { try append(Data("\"".utf8)) }
      try appendRepeating(pattern, count: copies * pattern.utf8.count, to: append)
      if quoted { try append(Data("\"".utf8)) }
      try append(Data(",Frank Herbert,2,,2024-03-01T09:00:00Z\n".utf8))
      try append(Data("q2,AddBook,9780306406150,Bad check digit,A,1,,2024-03-01T09:00:00Z\n".utf8))
    }
    let nextLine = 2 + (quoted ? copies : 0) + 1

    let (result, rss) = try await box.shelflogMeasured(
      ["import", file, "--db", "log.sqlite", "--rejects", "rejects.csv"])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderrLines.count == 2, "\(result)")
    #expect(
      result.stderrLines.first == "big.csv:2:4: field_too_long: field longer than 65536 bytes")
    #expect(result.stderrLines.last?.hasPrefix("big.csv:\(nextLine):3: bad_isbn:") == true)
    #expect(rss < Self.maxRSSKiB, "max RSS \(rss) KiB")
    let rejects = try FileManager.default.attributesOfItem(atPath: box.path("rejects.csv"))
    #expect((rejects[.size] as? Int ?? 0) < 1 << 20, "the raw text is cut: \(rejects)")
    #expect(try await box.logState() == before)
  }

  /// A header of 1,000,000 columns: the batch is refused (more than 4,096 fields) in one line
  /// naming line 1, with bounded memory.
  @Test func millionColumnHeaderIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let file = try box.writeStreaming("wide.csv") { append in
      try append(Data(fullHeader.utf8))
      var column = 8
      while column < 1_000_000 {
        var chunk = ""
        for index in column..<min(column + 10_000, 1_000_000) { chunk += ",extra\(index)" }
        column += 10_000
        try append(Data(chunk.utf8))
      }
      try append(
        Data("\ns1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z\n".utf8))
    }

    let (result, rss) = try await box.shelflogMeasured(["import", file, "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    expectOneErrorLine(result, naming: [file, "line 1", "4096"])
    #expect(result.stderr.utf8.count < 1024, "the header is not echoed back: \(result)")
    #expect(rss < Self.maxRSSKiB, "max RSS \(rss) KiB")
    #expect(try await box.logState() == before)
  }

  /// 100 MB without a line break: one unbroken field, rows joined without line ends (a header
  /// of millions of fields), or an unterminated quote. Refused at line 1, bounded memory.
  @Test(arguments: ["one-field", "joined-rows", "open-quote"])
  func hundredMegabytesWithoutLineBreakIsRefused(kind: String) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let size = 100 * 1_000_000
    let file = try box.writeStreaming("\(kind).csv") { append in
      switch kind {
      case "one-field": try appendRepeating("abcdefghij", count: size, to: append)
      case "joined-rows":
        try append(Data(fullHeader.utf8))
        let row = "s9,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"
        try appendRepeating(row, count: size - fullHeader.utf8.count, to: append)
      default:
        try append(Data("command,isbn,\"occurred_at".utf8))
        try appendRepeating("text, more ", count: size, to: append)
      }
    }

    let (result, rss) = try await box.shelflogMeasured(["import", file, "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    expectOneErrorLine(result, naming: [file, "line 1"])
    #expect(result.stderr.utf8.count < 1024, "nothing of the input echoed back: \(result)")
    #expect(rss < Self.maxRSSKiB, "max RSS \(rss) KiB")
    #expect(try await box.logState() == before)
  }
}
