import Foundation
import Testing

/// `replay`, `report` and `audit` through the built binary, with their exit codes.
@Suite("Read side through the binary")
struct ReadSideTests {
  private static let batch = csv(
    fullHeader,
    [
      "a1,AddBook,978-1593275846,Elixir in Action,Sasa Juric,10,,2018-01-10T09:00:00Z",
      "a2,AddBook,978-1680502992,Programming Elixir 1.6,Dave Thomas,5,,2018-01-10T09:05:00Z",
      "b1,BorrowBook,978-1593275846,,,,user123,2018-01-11T10:00:00Z",
      "r1,RemoveBook,978-1680502992,,,,,2018-01-12T16:30:00Z",
      "x1,ReturnBook,978-1680502992,,,,user9,2018-01-13T10:00:00Z",
    ])

  private func importedBox() async throws -> Sandbox {
    let box = try Sandbox()
    try box.write("seed.csv", Self.batch)
    let imported = try await box.shelflog(
      ["import", "seed.csv", "--db", "log.sqlite", "--recorded-at", "2018-01-14T00:00:00Z"])
    #expect(imported.status == 0, "\(imported)")
    return box
  }

  @Test func replayWritesFiveReportsPerFormatAndThePageByteIdenticallyTwice() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    for out in ["one", "two"] {
      let run = try await box.shelflog(
        ["replay", "--db", "log.sqlite", "--at", "2018-02-01", "--out", out])
      #expect(run.status == 0, "\(run)")
      #expect(run.stdout.isEmpty)
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: box.path("one")).sorted()
    #expect(
      files.count == 17 && files.contains("index.html") && files.contains("manifest.json"),
      "\(files)")
    for file in files {
      #expect(try box.read("one/\(file)") == box.read("two/\(file)"), "\(file)")
    }
    let inventory = try #require(
      try JSONSerialization.jsonObject(with: box.read("one/inventory.json")) as? [String: Any])
    let books = try #require(inventory["books"] as? [[String: Any]])
    #expect(books.map { $0["available"] as? Int } == [9, 5])
    #expect(books.map { $0["status"] as? String } == ["active", "removed"])
    let anomalies = try String(decoding: box.read("one/anomalies.csv"), as: UTF8.self)
    #expect(
      anomalies.contains("return_without_loan,2018-01-13T10:00:00Z,5,x1,9781680502992,user9,"))
  }

  @Test func replayFormatListAndRefusals() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    let jsonOnly = try await box.shelflog(
      ["replay", "--db", "log.sqlite", "--at", "2018-02-01", "--out", "j", "--format", "json"])
    #expect(jsonOnly.status == 0)
    let files = try FileManager.default.contentsOfDirectory(atPath: box.path("j")).sorted()
    #expect(
      files == [
        "activity.json", "anomalies.json", "inventory.json", "loans.json", "manifest.json",
        "summary.json",
      ])
    let html = try await box.shelflog(
      ["replay", "--db", "log.sqlite", "--at", "2018-02-01", "--out", "h", "--format", "html"])
    #expect(html.status == 0, "\(html)")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: box.path("h")).sorted()
        == ["index.html", "manifest.json"])
    for refused in [
      ["replay", "--db", "log.sqlite", "--out", "t", "--format", "json,table"],
      ["report", "summary", "--db", "log.sqlite", "--format", "html"],
      ["report", "activity", "--db", "log.sqlite", "--user", "ann"],
      ["report", "loans", "--db", "log.sqlite", "--every", "week"],
      ["report", "activity", "--db", "log.sqlite", "--every", "year"],
      ["replay", "--db", "log.sqlite", "--out", "t", "--from", "March"],
    ] {
      let run = try await box.shelflog(refused)
      #expect(run.status == 64, "\(refused): \(run)")
      #expect(run.stderrLines.count == 1, "\(refused): \(run)")
    }
    #expect(!FileManager.default.fileExists(atPath: box.path("t")))
  }

  @Test func reportPrintsOneReportNarrowedByUserOrISBN() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    let table = try await box.shelflog(
      ["report", "inventory", "--db", "log.sqlite", "--at", "2018-02-01"])
    #expect(table.status == 0)
    #expect(table.stdoutLines.contains { $0.hasPrefix("9781593275846  Elixir in Action") })
    let loans = try await box.shelflog(
      [
        "report", "loans", "--db", "log.sqlite", "--at", "2018-02-01", "--user", "user123",
        "--format", "csv",
      ])
    #expect(loans.stdout.split(separator: "\r\n").count == 2)
    let none = try await box.shelflog(
      [
        "report", "anomalies", "--db", "log.sqlite", "--at", "2018-02-01", "--isbn", "1593275846",
        "--format", "json",
      ])
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any])
    #expect((object["anomalies"] as? [Any])?.isEmpty == true)
    let bad = try await box.shelflog(["report", "shelves", "--db", "log.sqlite"])
    #expect(bad.status == 64)
    let missing = try await box.shelflog(["report", "summary", "--db", "nope.sqlite"])
    #expect(missing.status == 66)
    #expect(!FileManager.default.fileExists(atPath: box.path("nope.sqlite")))
  }

  @Test func knownAtReproducesTheReportOfThatDay() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    let before = try await box.shelflog(
      [
        "report", "summary", "--db", "log.sqlite", "--at", "2018-02-01", "--known-at", "2018-01-20",
        "--format", "json",
      ])
    try box.write(
      "late.csv", csv(fullHeader, ["b2,BorrowBook,978-1593275846,,,,user7,2018-01-10T12:00:00Z"]))
    let late = try await box.shelflog(
      ["import", "late.csv", "--db", "log.sqlite", "--recorded-at", "2018-01-30T00:00:00Z"])
    #expect(late.status == 0)
    let again = try await box.shelflog(
      [
        "report", "summary", "--db", "log.sqlite", "--at", "2018-02-01", "--known-at", "2018-01-20",
        "--format", "json",
      ])
    #expect(again.stdout == before.stdout)
    let now = try await box.shelflog(
      ["report", "summary", "--db", "log.sqlite", "--at", "2018-02-01", "--format", "json"])
    #expect(now.stdout.contains("\"copies_on_loan\": 2"))
    #expect(before.stdout.contains("\"copies_on_loan\": 1"))
  }

  @Test func policyFileAndFlags() async throws {
    let box = try await importedBox()
    defer { box.remove() }
    try box.write("policy.json", "{\"loan_days\": 30, \"max_loans\": 2}")
    let lenient = try await box.shelflog(
      [
        "report", "summary", "--db", "log.sqlite", "--at", "2018-02-01", "--policy", "policy.json",
        "--format", "json",
      ])
    #expect(lenient.stdout.contains("\"overdue_loans\": 0"), "\(lenient)")
    let strict = try await box.shelflog(
      [
        "report", "summary", "--db", "log.sqlite", "--at", "2018-02-01", "--policy", "policy.json",
        "--loan-days", "7", "--format", "json",
      ])
    #expect(strict.stdout.contains("\"overdue_loans\": 1"), "\(strict)")
    try box.write("typo.json", "{\"loan_dayz\": 30}")
    let typo = try await box.shelflog([
      "report", "summary", "--db", "log.sqlite", "--policy", "typo.json",
    ])
    #expect(typo.status == 65)
    #expect(typo.stderr.contains("loan_dayz"))
    let missing = try await box.shelflog([
      "report", "summary", "--db", "log.sqlite", "--policy", "none.json",
    ])
    #expect(missing.status == 66)
  }

  @Test func auditImportsACaseFolderThenWritesReports() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try FileManager.default.createDirectory(
      atPath: box.path("case/batches"), withIntermediateDirectories: true)
    try box.write("case/batches/0001.csv", Self.batch)
    try box.write(
      "case/batches/0002.csv",
      csv(fullHeader, ["b2,BorrowBook,9781593275846,,,,ann,2018-01-15T10:00:00Z"]))
    let first = try await box.shelflog(
      ["audit", "case", "--db", "log.sqlite", "--out", "out", "--at", "2018-02-01"])
    #expect(first.status == 0, "\(first)")
    // A line per batch, then the model's (docs/current-model.md).
    #expect(first.stdoutLines.count == 3)
    #expect(first.stdoutLines.last?.hasSuffix("rebuilt (no model yet); folded 6 events") == true)
    let events = try await box.events()
    // docs/check.md: batch i is recorded at 2000-01-01T00:00:00Z plus i seconds.
    #expect(events.map { $0["recorded_at"] as? String }.last == "2000-01-01T00:00:01Z")
    let summary = try String(decoding: box.read("out/summary.json"), as: UTF8.self)
    #expect(summary.contains("\"open_loans\": 2"))
    // The nightly job run twice: batches already imported, same reports.
    let second = try await box.shelflog(
      ["audit", "case", "--db", "log.sqlite", "--out", "out2", "--at", "2018-02-01"])
    #expect(second.status == 0)
    #expect(second.stdout.contains("already imported"))
    #expect(second.stdoutLines.last?.hasSuffix(": up to date") == true, "\(second)")
    #expect(try box.read("out/summary.json") == box.read("out2/summary.json"))
  }

  @Test func auditWritesReportsEvenWhenABatchIsRejected() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.batch)
    try box.write(
      "bad.csv", csv(fullHeader, ["z1,BorrowBook,978-0000000000,,,,ann,2018-01-15T10:00:00Z"]))
    let run = try await box.shelflog(
      ["audit", "good.csv", "bad.csv", "--db", "log.sqlite", "--out", "out", "--at", "2018-02-01"])
    #expect(run.status == 65)
    #expect(run.stderr.contains("bad.csv:2:3: bad_isbn"))
    #expect(FileManager.default.fileExists(atPath: box.path("out/inventory.md")))
    let unwritable = try await box.shelflog(
      [
        "audit", "good.csv", "--db", "log.sqlite", "--out", "/proc/shelflog-out", "--at",
        "2018-02-01",
      ])
    #expect(unwritable.status == 73, "\(unwritable)")
  }
}
