import Foundation
import ShelflogTestSupport
import Testing

/// The nightly operator's conveniences, through the binary: `import --dry-run`, rejects that
/// name the likely cause, and the batches of a spreadsheet export that show them.
@Suite("Operator conveniences")
struct OperatorTests {
  private static let batch = csv(
    fullHeader,
    [
      "a1,AddBook,9781593275846,Eloquent JavaScript,Marijn Haverbeke,2,,2024-01-05T09:00:00Z",
      "a2,BorrowBook,9781593275846,,,,ann,2024-01-06T09:00:00Z",
      "a3,BorrowBook,439023483,,,,bob,2024-01-06T10:00:00Z",
      "a4,ReturnBook,9781593275846,,,,ann,03/01/2024",
    ])

  /// The files a folder holds, hidden ones (the harness's output) left out.
  private func files(_ box: Sandbox) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: box.url.path)
      .filter { !$0.hasPrefix(".") }.sorted()
  }

  @Test func dryRunOnNoLogCreatesNothingAndPrintsWhatImportPrints() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("batch.csv", Self.batch)
    let dry = try await box.shelflog([
      "import", "batch.csv", "--db", "log.sqlite", "--dry-run", "--rejects", "dry.csv",
      "--recorded-at", "2024-01-07T02:00:00Z",
    ])
    #expect(dry.status == 65, "\(dry)")
    #expect(try files(box) == ["batch.csv", "dry.csv"], "a dry run created a file")
    let real = try await box.shelflog([
      "import", "batch.csv", "--db", "log.sqlite", "--rejects", "real.csv",
      "--recorded-at", "2024-01-07T02:00:00Z",
    ])
    #expect(real.status == dry.status)
    #expect(try box.read("dry.csv") == box.read("real.csv"))
    #expect(dry.stdoutLines.dropLast() == real.stdoutLines[...], "\(dry)\n\(real)")
    #expect(dry.stdoutLines.last == "dry run: nothing was appended to log.sqlite")
    #expect(dry.stderr == real.stderr)
    #expect(try await box.eventCount() == 0, "the batch has rejects: nothing is appended")
  }

  /// Against an existing log a dry run sees what the log holds (already imported batches,
  /// logged command ids, taken positions) and changes none of it.
  @Test func dryRunAgainstALogSeesItAndChangesNothing() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write(
      "first.csv",
      csv(
        fullHeader,
        ["a1,AddBook,9781593275846,Eloquent JavaScript,Marijn Haverbeke,2,,2024-01-05T09:00:00Z"]))
    try box.write(
      "second.csv",
      csv(
        fullHeader,
        [
          "a1,AddBook,9781593275846,Eloquent JavaScript,Marijn Haverbeke,2,,2024-01-05T09:00:00Z",
          "b1,BorrowBook,9781593275846,,,,ann,2024-01-06T09:00:00Z",
          "b2,BorrowBook,9781593275846,,,,bob,2024-01-06T09:30:00Z",
        ]))
    try box.write(
      "third.csv",
      csv(
        fullHeader,
        [
          "b1,BorrowBook,9781593275846,,,,ann,2024-01-06T09:00:00Z",
          "b2,BorrowBook,9781593275846,,,,cid,2024-01-06T09:30:00Z",
        ]))
    let setUp = try await box.shelflog([
      "import", "first.csv", "--db", "log.sqlite", "--recorded-at", "2024-01-06T02:00:00Z",
    ])
    #expect(setUp.status == 0, "\(setUp)")
    let before = try box.read("log.sqlite")
    let arguments = [
      "import", "first.csv", "second.csv", "third.csv", "--db", "log.sqlite", "--allow-partial",
      "--recorded-at", "2024-01-07T02:00:00Z",
    ]
    let dry = try await box.shelflog(arguments + ["--dry-run"])
    #expect(try box.read("log.sqlite") == before, "a dry run changed the log")
    #expect(try await box.eventCount() == 1)
    let real = try await box.shelflog(arguments)
    #expect(dry.status == 65 && real.status == 65, "\(dry)\n\(real)")
    #expect(dry.stdoutLines.dropLast() == real.stdoutLines[...], "\(dry)\n\(real)")
    #expect(dry.stderr == real.stderr)
    // The third batch repeats b1 exactly (skipped) and b2 with another user (rejected).
    #expect(real.stdoutLines.contains { $0.hasPrefix("first.csv: already imported") })
    #expect(real.stderr.contains("command_id \"b2\" is already logged at position 3"))
    #expect(try await box.eventCount() == 3)
  }

  @Test func dryRunAuditWritesNoReports() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("batch.csv", Self.batch)
    let run = try await box.shelflog([
      "audit", "batch.csv", "--db", "log.sqlite", "--out", "reports", "--dry-run",
      "--at", "2024-01-31",
    ])
    #expect(run.status == 65, "\(run)")
    #expect(try files(box) == ["batch.csv"])
    #expect(
      run.stdoutLines.suffix(2) == [
        "dry run: nothing was appended to log.sqlite", "dry run: no reports written to reports",
      ])
  }

  /// The spreadsheet-export batches of `Tests/Fixtures/spreadsheet-export`: every reject names
  /// its probable cause and the summary counts them by code and cause.
  @Test func spreadsheetDamageIsNamed() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let folder = repositoryRoot().appendingPathComponent("Tests/Fixtures/spreadsheet-export")
    for name in ["catalogue-isbn10.csv", "catalogue-isbn13.csv", "loans-dates.csv"] {
      try FileManager.default.copyItem(
        at: folder.appendingPathComponent(name), to: box.url.appendingPathComponent(name))
    }
    let isbn10 = try await box.shelflog([
      "import", "catalogue-isbn10.csv", "--db", "log.sqlite", "--dry-run",
    ])
    #expect(isbn10.status == 65)
    for (line, restored) in [
      (2, "0439023483"), (3, "0439554934"), (4, "0316015849"), (5, "0061120081"),
      (6, "0743273567"), (7, "080412700X"),
    ] {
      #expect(
        isbn10.stderr.contains(
          "catalogue-isbn10.csv:\(line):3: bad_isbn: \"\(restored.drop { $0 == "0" })\" is not a"
            + " valid ISBN-10 or ISBN-13: did you mean \(restored)? leading zeros lost, e.g. by a"
            + " spreadsheet"),
        "\(isbn10)")
    }
    #expect(
      isbn10.stderr.contains(
        "catalogue-isbn10.csv:9:3: bad_isbn: \"12345\" is not a valid"
          + " ISBN-10 or ISBN-13\n"), "no hint for what is not a lost-zeros ISBN")
    #expect(
      isbn10.stdoutLines.contains(
        "catalogue-isbn10.csv: rejects: bad_isbn 7 (6 leading zeros lost)"),
      "\(isbn10)")

    let isbn13 = try await box.shelflog([
      "import", "catalogue-isbn13.csv", "--db", "log.sqlite", "--dry-run",
    ])
    #expect(
      isbn13.stderr.contains(
        "catalogue-isbn13.csv:2:3: bad_isbn: \"9.78043902348e+12\" is not a valid ISBN-10 or"
          + " ISBN-13: it is in scientific notation, so its digits were lost (e.g. by a spreadsheet)"
          + " and cannot be recovered"), "\(isbn13)")
    #expect(
      isbn13.stdoutLines.contains(
        "catalogue-isbn13.csv: rejects: bad_isbn 3 (3 in scientific notation)"), "\(isbn13)")

    let dates = try await box.shelflog([
      "import", "loans-dates.csv", "--db", "log.sqlite", "--dry-run", "--rejects", "r.csv",
    ])
    let expected = "expected YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±hh:mm)"
    for (line, text, cause) in [
      (3, "03/01/2024", "a date with slashes is in day/month or month/day order"),
      (4, "2024-03-01 09:30", "it has a space instead of T and no UTC offset (Z or ±hh:mm)"),
      (
        5, "45352.5",
        "it looks like a spreadsheet's serial day number (2024-03-01T12:00:00 in the sheet's own"
          + " time zone)"
      ),
      (6, "2024-03-01T09:30:00", "it has no UTC offset (Z or ±hh:mm)"),
    ] {
      let message =
        "loans-dates.csv:\(line):8: bad_timestamp: \"\(text)\" is not an RFC 3339 time: "
      #expect(dates.stderr.contains(message + cause), "\(dates)")
      #expect(dates.stderr.contains(expected), "\(dates)")
    }
    #expect(
      dates.stdoutLines.contains(
        "loans-dates.csv: rejects: bad_timestamp 4 (1 dates with slashes, 1 with a space for T,"
          + " 1 without a UTC offset, 1 spreadsheet serial numbers)"), "\(dates)")
    // The rejects file carries the same messages.
    let rejects = String(decoding: try box.read("r.csv"), as: UTF8.self)
    #expect(rejects.contains("serial day number"))
    #expect(try files(box).contains("log.sqlite") == false)
  }

  @Test func jsonCountsRejectsByCodeAndCause() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("batch.csv", Self.batch)
    let run = try await box.shelflog(["import", "batch.csv", "--db", "log.sqlite", "--json"])
    #expect(run.status == 65)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    let batch = try #require((object["batches"] as? [[String: Any]])?.first)
    #expect(batch["reject_codes"] as? [String: Int] == ["bad_isbn": 1, "bad_timestamp": 1])
    #expect(
      batch["reject_causes"] as? [String: Int] == ["leading_zeros_lost": 1, "slashed_date": 1])
  }
}
