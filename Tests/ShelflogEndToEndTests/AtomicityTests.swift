import Foundation
import ShelflogTestSupport
import Testing

/// docs/importing.md, "Batch atomicity" and "Rejected rows", through the binary.
@Suite("Batch atomicity and rejects")
struct AtomicityTests {
  /// Three good rows (the first spans two physical lines), then a row whose ISBN check digit is
  /// wrong on physical line 5, column 3.
  static let lastRowBad = csv(
    fullHeader,
    [
      "a1,AddBook,9780306406157,\"Two-line\ntitle\",Ann Author,2,,2024-03-01T09:00:00Z",
      "b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
      "b2,BorrowBook,9780306406150,,,,bob,2024-03-01T11:00:00Z",
    ])

  @Test(arguments: Backend.available) func batchWithLastRowBadAppendsNothing(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("bad.csv", Self.lastRowBad)

    let result = try await box.shelflog(
      ["import", "bad.csv", "--db", log.db, "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("bad.csv:5:3: bad_isbn"), "\(result)")
    #expect(result.stdout.contains("nothing appended"), "\(result)")
    #expect(try await box.eventCount(db: log.db) == 0)

    // The refused batch is not remembered as imported: with --allow-partial it is taken now.
    let again = try await box.shelflog(
      [
        "import", "bad.csv", "--db", log.db, "--allow-partial",
        "--recorded-at", "2024-03-05T00:00:00Z",
      ])
    #expect(!again.stdout.contains("already imported"), "\(again)")
    #expect(try await box.eventCount(db: log.db) == 2)
  }

  @Test(arguments: Backend.available) func allowPartialAppendsValidRowsAndWritesRejects(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    // Line 3-4: an AddBook spanning two lines with quantity 0; line 5: two faults in one row.
    let text = csv(
      fullHeader,
      [
        "a1,AddBook,9780306406157,Title,Ann Author,2,,2024-03-01T09:00:00Z",
        "a2,AddBook,9780306406157,\"Broken, \"\"so\"\"\nlong\",Ann Author,0,,2024-03-01T09:30:00Z",
        "b1,BorrowBook,9780306406150,,,,bo b!,2024-03-01T11:00:00Z",
        "b2,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
      ])
    try box.write("part.csv", text)

    let result = try await box.shelflog(
      [
        "import", "part.csv", "--db", log.db, "--allow-partial", "--rejects", "rejects.csv",
        "--recorded-at", "2024-03-05T00:00:00Z", "--json",
      ])
    #expect(result.status == 65, "rows were rejected: \(result)")
    #expect(result.stderr.contains("part.csv:3:6: bad_quantity"), "\(result)")
    #expect(result.stderr.contains("part.csv:5:3: bad_isbn"), "\(result)")
    #expect(result.stderr.contains("part.csv:5:7: bad_user_id"), "\(result)")
    let summary = try batchSummaries(result).first
    #expect(summary?["accepted"] as? Int == 2)
    #expect(summary?["rejected"] as? Int == 2)
    #expect(summary?["status"] as? String == "imported")

    let events = try await box.events(db: log.db)
    #expect(values(events, "command_id") == ["a1", "b2"])

    let rejects = parseCSV(String(decoding: try box.read("rejects.csv"), as: UTF8.self))
    #expect(rejects.first == ["file", "line", "column", "code", "message", "raw"])
    let rows = Array(rejects.dropFirst())
    #expect(
      rows.map { Array($0.prefix(4)) } == [
        ["part.csv", "3", "6", "bad_quantity"],
        ["part.csv", "5", "3", "bad_isbn"],
        ["part.csv", "5", "7", "bad_user_id"],
      ])
    #expect(rows.allSatisfy { $0.count == 6 && !$0[4].isEmpty })
    let raw = rows.map { $0.count == 6 ? $0[5] : "" }
    #expect(
      raw.first?.hasPrefix(
        "a2,AddBook,9780306406157,\"Broken, \"\"so\"\"\nlong\",Ann Author,0,,2024-03-01T09:30:00Z")
        == true, "raw is the original record text: \(raw)")
    #expect(raw.dropFirst().allSatisfy { $0.hasPrefix("b1,BorrowBook,9780306406150,,,,bo b!,") })
  }

  @Test(arguments: Backend.available) func rejectedBatchDoesNotShiftLaterBatches(
    on backend: Backend
  ) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("bad.csv", Self.lastRowBad)
    try box.write(
      "good.csv",
      csv(fullHeader, ["g1,AddBook,9780306406157,Good,Ann Author,1,,2024-03-02T09:00:00Z"]))

    let result = try await box.shelflog(
      [
        "import", "bad.csv", "good.csv", "--db", log.db, "--recorded-at",
        "2024-03-05T00:00:00Z",
      ])
    #expect(result.status == 65, "\(result)")
    let events = try await box.events(db: log.db)
    #expect(values(events, "command_id") == ["g1"])
    #expect(events.first?["position"] as? Int == 1, "a refused batch leaves no gap in positions")
    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0, "\(verify)")
  }
}

/// The `batches` array of an `import --json` output.
func batchSummaries(_ result: RunResult) throws -> [[String: Any]] {
  let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
  let root = try #require(object as? [String: Any], "not a JSON object: \(result)")
  return try #require(root["batches"] as? [[String: Any]], "no batches array: \(result)")
}

/// A small RFC 4180 reader for checking the `--rejects` file (quoted fields, `""`, LF or CRLF).
func parseCSV(_ text: String) -> [[String]] {
  var records: [[String]] = []
  var record: [String] = []
  var field = ""
  var quoted = false
  var iterator = Array(text).makeIterator()
  var pending: Character? = iterator.next()
  while let char = pending {
    pending = iterator.next()
    if quoted {
      if char == "\"" {
        if pending == "\"" {
          field.append("\"")
          pending = iterator.next()
        } else {
          quoted = false
        }
      } else {
        field.append(char)
      }
      continue
    }
    switch char {
    case "\"": quoted = true
    case ",":
      record.append(field)
      field = ""
    case "\n", "\r\n":
      record.append(field)
      records.append(record)
      record = []
      field = ""
    default: field.append(char)
    }
  }
  if !field.isEmpty || !record.isEmpty {
    record.append(field)
    records.append(record)
  }
  return records
}
