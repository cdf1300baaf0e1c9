import Foundation
import ShelflogTestSupport
import Testing

extension HostileInputTests {
  // MARK: Hostile titles

  /// Titles a careless program would mishandle, with the title stored (trimmed of Unicode
  /// white space only) and its Markdown cell.
  static let hostileTitles: [(input: String, stored: String, markdown: String)] = [
    (
      "Robert'); DROP TABLE events;--", "Robert'); DROP TABLE events;--",
      "Robert'); DROP TABLE events;--"
    ),
    (
      "x' OR '1'='1\"; DELETE FROM batches; --", "x' OR '1'='1\"; DELETE FROM batches; --",
      "x' OR '1'='1\"; DELETE FROM batches; --"
    ),
    (
      "<script>alert(\"x\")</script> & <b>bold</b> | pipe",
      "<script>alert(\"x\")</script> & <b>bold</b> | pipe",
      "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt; \\| pipe"
    ),
    (
      "\u{200F}שלום \u{202E}evil\u{202C} end\u{200E}",
      "\u{200F}שלום \u{202E}evil\u{202C} end\u{200E}",
      "\u{200F}שלום \u{202E}evil\u{202C} end\u{200E}"
    ),
    (
      "📚 𝕊𝕙𝕖𝕝𝕗 👩‍👩‍👧‍👦 🦄 🇺🇳", "📚 𝕊𝕙𝕖𝕝𝕗 👩‍👩‍👧‍👦 🦄 🇺🇳",
      "📚 𝕊𝕙𝕖𝕝𝕗 👩‍👩‍👧‍👦 🦄 🇺🇳"
    ),
    (
      "\\u0000 and %00 and &#0; are text", "\\u0000 and %00 and &#0; are text",
      "\\\\u0000 and %00 and &amp;#0; are text"
    ),
    (
      "=HYPERLINK(\"http://example.com\",\"click\")",
      "=HYPERLINK(\"http://example.com\",\"click\")",
      "=HYPERLINK(\"http://example.com\",\"click\")"
    ),
    ("\u{3000}Padded\u{00A0}\t", "Padded", "Padded"),
  ]

  /// Accepted hostile titles are stored byte for byte and come back exactly through
  /// `log --format jsonl` and the inventory report in JSON, CSV, Markdown and table form.
  @Test func hostileTitlesRoundTripExactly() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let titles = Self.hostileTitles
    let isbns = (0..<titles.count).map { isbn13(900 + $0) }
    let rows = zip(titles, isbns).enumerated().map { index, pair in
      "h\(index),AddBook,\(pair.1),\(csvField(pair.0.input)),A,1,,2024-03-02T09:00:00Z"
    }
    try box.write("titles.csv", csv(fullHeader, rows))

    let result = try await box.shelflog(
      ["import", "titles.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(result.status == 0, "\(result)")
    let after = try await box.logState()
    #expect(after.events == before.events + titles.count, "\(after)")
    let tables = try await box.sqlite3("log.sqlite", ["SELECT count(*) FROM events;"])
    #expect(tables.stdout == "\(after.events)\n", "\(tables)")

    let stored = try await box.events().suffix(titles.count)
    for (event, title) in zip(stored, titles) {
      let text = event["title"] as? String ?? "<none>"
      #expect(Array(text.unicodeScalars) == Array(title.stored.unicodeScalars), "\(event)")
    }

    let report = ["report", "inventory", "--db", "log.sqlite", "--at", "2024-04-01"]
    let json = try await box.shelflog(report + ["--format", "json"])
    #expect(json.status == 0, "\(json)")
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let books = try #require(object?["books"] as? [[String: Any]], "\(json)")
    let byISBN = Dictionary(
      books.map { (($0["isbn"] as? String) ?? "", ($0["title"] as? String) ?? "") },
      uniquingKeysWith: { first, _ in first })
    for (isbn, title) in zip(isbns, titles) {
      let text = byISBN[isbn] ?? "<missing>"
      #expect(Array(text.unicodeScalars) == Array(title.stored.unicodeScalars), "\(isbn)")
    }

    let csvReport = try await box.shelflog(report + ["--format", "csv"])
    let markdown = try await box.shelflog(report + ["--format", "md"])
    let table = try await box.shelflog(report)
    for (isbn, title) in zip(isbns, titles) {
      let line = "\(isbn),\(csvField(title.stored)),A,1,0,1,active\r\n"
      #expect(containsBytes(csvReport.stdout, line), "CSV row \(line): \(csvReport)")
      let cell = "| \(isbn) | \(title.markdown) | A |"
      #expect(containsBytes(markdown.stdout, cell), "Markdown row \(cell): \(markdown)")
      // The terminal table shows bidirectional overrides and isolates as spaces, so a title
      // cannot reorder the rest of its line; everything else is shown as stored.
      let shown = String(
        String.UnicodeScalarView(
          title.stored.unicodeScalars.map {
            (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) ? " " : $0
          }))
      #expect(containsBytes(table.stdout, shown), "table: \(shown)")
    }
    #expect(!containsBytes(markdown.stdout, "<script>"), "\(markdown)")
  }

  /// A NUL byte in a title (unquoted or quoted) is `malformed_csv` at its line and column; the
  /// `--rejects` file stays well-formed CSV with every reject in it.
  @Test func nulByteInTitleIsMalformed() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    var bytes = Data((fullHeader + "\n").utf8)
    bytes.append(Data("n1,AddBook,9780131103627,Du".utf8) + [0x00])
    bytes.append(Data("ne,A,1,,2024-03-02T09:00:00Z\n".utf8))
    bytes.append(Data("n2,AddBook,9780262033848,\"Quoted ".utf8) + [0x00])
    bytes.append(Data(" NUL\",A,1,,2024-03-02T09:00:00Z\n".utf8))
    bytes.append(Data("n3,AddBook,9781680502992,Fine,A,1,,2024-03-02T09:00:00Z\n".utf8))
    let file = try box.write("nul.csv", bytes)

    let result = try await box.shelflog(
      ["import", file, "--db", "log.sqlite", "--rejects", "rejects.csv"])
    #expect(result.status == 65, "\(result)")
    #expect(
      result.stderrLines == [
        "nul.csv:2:4: malformed_csv: NUL byte in record",
        "nul.csv:3:4: malformed_csv: NUL byte in record",
      ], "\(result)")
    #expect(try await box.logState() == before)

    let text = String(decoding: try box.read("rejects.csv"), as: UTF8.self)
    let records = parseCSV(text)
    #expect(records.count == 3, "header and two rejects: \(text.debugDescription)")
    #expect(
      records.dropFirst().map { $0.prefix(4) } == [
        ["nul.csv", "2", "4", "malformed_csv"],
        ["nul.csv", "3", "4", "malformed_csv"],
      ], "\(text.debugDescription)")
    for record in records.dropFirst() {
      #expect(record.count == 6, "\(record)")
      #expect(record.last?.hasSuffix("2024-03-02T09:00:00Z") == true, "whole raw: \(record)")
    }
  }

  /// Title length counts Unicode scalars (4-byte emoji count one each): 1,024 are accepted,
  /// 1,025 are `field_too_long` at the title's line and column.
  @Test func emojiTitleLengthCountsScalars() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let longest = String(repeating: "🦄", count: 1024)
    try box.write(
      "long.csv", csv(fullHeader, ["e1,AddBook,9780131103627,\(longest),A,1,,2024-03-02T09:00:00Z"])
    )
    try box.write(
      "longer.csv",
      csv(fullHeader, ["e2,AddBook,9780262033848,\(longest)🦄,A,1,,2024-03-02T09:00:00Z"]))

    let over = try await box.shelflog(["import", "longer.csv", "--db", "log.sqlite"])
    #expect(over.status == 65, "\(over)")
    #expect(over.stderrLines.count == 1, "\(over)")
    #expect(over.stderr.hasPrefix("longer.csv:2:4: field_too_long:"), "\(over)")
    #expect(try await box.logState() == before)

    let fits = try await box.shelflog(
      ["import", "long.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(fits.status == 0, "\(fits)")
    let title = try await box.events().last?["title"] as? String
    #expect(title.map { Array($0.unicodeScalars) } == Array(longest.unicodeScalars))
  }

  // MARK: Line ends

  /// CRLF, LF and lone CR mixed in one file (and inside a quoted title): every record is read,
  /// no `\r` sticks to a field, a quoted line break is kept as it is, and a reject after them
  /// names the right physical line.
  @Test func crlfMixedWithLFAndCR() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    let body =
      fullHeader + "\r\n"
      + "m1,AddBook,9780131103627,Mixed,Author One,2,,2024-03-02T09:00:00Z\n"
      + "m2,AddBook,9780262033848,\"Two\r\nlines\nthree\",Author Two,3,,2024-03-02T09:05:00Z\r\n"
      + "\r\n"
      + "m3,BorrowBook,9780131103627,,,,bob,2024-03-02T10:00:00Z\r"
    try box.write(
      "mixed.csv", body + "m4,ReturnBook,9780131103627,,,,bob,2024-03-02T11:00:00Z\r\n")
    try box.write(
      "mixed-bad.csv", body + "m5,BorrowBook,9780131103627,,,,bad user,2024-03-02T11:00:00Z\r\n")

    let bad = try await box.shelflog(["import", "mixed-bad.csv", "--db", "log.sqlite"])
    #expect(bad.status == 65, "\(bad)")
    #expect(bad.stderrLines.count == 1, "\(bad)")
    #expect(bad.stderr.hasPrefix("mixed-bad.csv:8:7: bad_user_id:"), "\(bad)")
    #expect(try await box.logState() == before)

    let good = try await box.shelflog(
      ["import", "mixed.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-06T00:00:00Z"])
    #expect(good.status == 0, "\(good)")
    #expect(good.stdout.contains("4 accepted"), "\(good)")
    let events = try await box.events().suffix(4)
    #expect(values(Array(events), "command_id") == ["m1", "m2", "m3", "m4"])
    let titles = events.prefix(2).map { Array((($0["title"] as? String) ?? "").unicodeScalars) }
    #expect(titles == [Array("Mixed".unicodeScalars), Array("Two\r\nlines\nthree".unicodeScalars)])
    #expect(values(Array(events), "author") == ["Author One", "Author Two", "", ""])
    #expect(values(Array(events), "occurred_at").allSatisfy { $0.hasSuffix("Z") })
    #expect(values(Array(events), "user_id") == ["", "", "bob", "bob"])
  }
}
