import Foundation
import ShelflogTestSupport
import Testing

/// `explain`, `diff` and `reproduce` through the binary.
@Suite("Provenance: explain, diff, reproduce")
struct ProvenanceTests {
  /// The late-arrival case: a Monday batch, then a Friday batch of slips that occurred earlier.
  private func lateArrivalLog() async throws -> Sandbox {
    let box = try Sandbox()
    let fixture = repositoryRoot().appendingPathComponent("fixtures/late-arrival").path
    let audit = try await box.shelflog([
      "audit", fixture, "--db", "log.sqlite", "--out", "first", "--at", "2024-03-10",
      "--format", "json",
    ])
    #expect(audit.status == 0, "\(audit)")
    return box
  }

  @Test func explainBookAndUserInEveryFormat() async throws {
    let box = try await lateArrivalLog()
    defer { box.remove() }
    let isbns = try await box.events().compactMap { $0["isbn"] as? String }
    let isbn = try #require(isbns.first)
    let json = try await box.shelflog([
      "explain", "book", isbn, "--db", "log.sqlite", "--at", "2024-03-10", "--format", "json",
    ])
    #expect(json.status == 0, "\(json)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    #expect(object["isbn"] as? String == isbn)
    let events = try #require(object["events"] as? [[String: Any]])
    #expect(!events.isEmpty)
    #expect(
      events.first.map { Array($0.keys).sorted() }
        == [
          "after", "anomalies", "batch", "command_id", "hash", "occurred_at", "position",
          "quantity", "recorded_at", "type", "user_id",
        ])
    let table = try await box.shelflog([
      "explain", "book", isbn, "--db", "log.sqlite", "--at", "2024-03-10",
    ])
    #expect(
      table.status == 0 && table.stdout.contains("book \(isbn) at 2024-03-10T23:59:59.999999Z"))
    let markdown = try await box.shelflog([
      "explain", "book", isbn, "--db", "log.sqlite", "--at", "2024-03-10", "--format", "md",
    ])
    #expect(markdown.status == 0 && markdown.stdout.contains("| position |"))

    // Known at Wednesday, the Friday batch is left out as not known.
    let user = try await box.events().compactMap { $0["user_id"] as? String }.first { !$0.isEmpty }
    let earlier = try await box.shelflog([
      "explain", "user", try #require(user), "--db", "log.sqlite", "--at", "2024-03-10",
      "--known-at", "2024-03-06T02:00:00Z", "--format", "json",
    ])
    #expect(earlier.status == 0, "\(earlier)")
    let explained = try #require(
      try JSONSerialization.jsonObject(with: Data(earlier.stdout.utf8)) as? [String: Any])
    let excluded = explained["excluded"] as? [[String: Any]] ?? []
    #expect(excluded.allSatisfy { $0["reason"] as? String == "not_known" })
  }

  @Test func explainAnswersAnUnknownSubjectAndRefusesMalformedInput() async throws {
    let box = try await lateArrivalLog()
    defer { box.remove() }
    let unknown = try await box.shelflog([
      "explain", "book", "978-0-306-40615-7", "--db", "log.sqlite", "--format", "json",
    ])
    #expect(unknown.status == 0, "\(unknown)")
    #expect(
      unknown.stdout.contains("\"events\": []") && unknown.stdout.contains("\"excluded\": []"))
    let nobody = try await box.shelflog(["explain", "user", "nobody", "--db", "log.sqlite"])
    #expect(nobody.status == 0, "\(nobody)")
    for arguments in [
      ["explain", "book", "978-0-306-40615-8", "--db", "log.sqlite"],
      ["explain", "book", "9781593275846", "--db", "log.sqlite", "--at", "yesterday"],
      ["explain", "user", "ann", "--db", "log.sqlite", "--known-at", "2024-13-01"],
    ] {
      let run = try await box.shelflog(arguments)
      #expect(run.status == 64, "\(arguments): \(run)")
      #expect(run.stderrLines.count == 1)
    }
  }

  @Test func diffExitsZeroWhenEqualAndOneWhenRestated() async throws {
    let box = try await lateArrivalLog()
    defer { box.remove() }
    let same = try await box.shelflog(["diff", "2024-03-10", "2024-03-10", "--db", "log.sqlite"])
    #expect(same.status == 0, "\(same)")
    #expect(same.stdout.contains("equal"))
    // How the 10th, as known on the 6th, has been restated since by the late batch.
    let restated = try await box.shelflog([
      "diff", "2024-03-10@2024-03-06T02:00:00Z", "2024-03-10", "--db", "log.sqlite",
      "--format", "json",
    ])
    #expect(restated.status == 1, "\(restated)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(restated.stdout.utf8)) as? [String: Any])
    #expect(
      Array(object.keys).sorted() == [
        "a", "anomalies", "b", "causes", "inventory", "loans", "summary",
      ])
    let causes = try #require(object["causes"] as? [[String: Any]])
    #expect(
      causes.count == 1 && (causes.first?["file"] as? String)?.contains("friday") == true,
      "\(causes)")
    let malformed = try await box.shelflog([
      "diff", "2024-03-10@soon", "2024-03-10", "--db", "log.sqlite",
    ])
    #expect(malformed.status == 64)
  }

  @Test func reproduceChecksEveryFileAndTheChain() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let fixture = repositoryRoot().appendingPathComponent("fixtures/demo").path
    let audit = try await box.shelflog([
      "audit", fixture, "--db", "log.sqlite", "--out", "r", "--at", "2024-06-30",
    ])
    #expect(audit.status == 0, "\(audit)")
    let manifest =
      try JSONSerialization.jsonObject(with: box.read("r/manifest.json")) as? [String: Any]
    let listed = (manifest?["files"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
    #expect(listed?.count == 16 && listed?.contains("manifest.json") == false)

    let same = try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"])
    #expect(same.status == 0, "\(same)")
    #expect(same.stdout.hasPrefix("reproduced: 16 files identical at position 3297"))

    // A later batch is left out: the reports still reproduce.
    try box.write(
      "later.csv",
      csv(fullHeader, ["l1,BorrowBook,9781593275846,,,,late.user,2024-06-01T09:00:00Z"]))
    let later = try await box.shelflog([
      "import", "later.csv", "--db", "log.sqlite", "--recorded-at", "2024-07-03T00:00:00Z",
    ])
    #expect(later.status == 0, "\(later)")
    #expect(try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"]).status == 0)

    // An edited report is named with its first differing field.
    let summary = String(decoding: try box.read("r/summary.json"), as: UTF8.self)
    try box.write(
      "r/summary.json",
      summary.replacingOccurrences(of: "\"events\": 3297", with: "\"events\": 3296"))
    let edited = try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"])
    #expect(edited.status == 1, "\(edited)")
    #expect(edited.stdout.contains("summary.json: differs: summary.events"))
    try box.write("r/summary.json", summary)

    // A missing file.
    let loans = try box.read("r/loans.csv")
    try FileManager.default.removeItem(atPath: box.path("r/loans.csv"))
    let missing = try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"])
    #expect(missing.status == 1 && missing.stdout.contains("loans.csv: missing"), "\(missing)")
    try box.write("r/loans.csv", loans)

    // A log rewritten below the pinned position, its triggers dropped and its hash left alone.
    let tampered = try await box.sqlite3(
      "log.sqlite",
      [
        "DROP TRIGGER events_append_only_update;",
        "UPDATE log_events SET user_id = 'someone.else' WHERE position = 100;",
      ])
    #expect(tampered.status == 0, "\(tampered)")
    let rewritten = try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"])
    #expect(rewritten.status == 1, "\(rewritten)")
    #expect(rewritten.stdout.contains("the log was rewritten: at position 100"), "\(rewritten)")
  }

  @Test func reproduceRefusesAMissingOrUnusableManifest() async throws {
    let box = try await lateArrivalLog()
    defer { box.remove() }
    let none = try await box.shelflog(["reproduce", "nowhere", "--db", "log.sqlite"])
    #expect(none.status == 66, "\(none)")
    let replay = try await box.shelflog([
      "replay", "--db", "log.sqlite", "--at", "2024-03-10", "--out", "r", "--format", "json",
    ])
    #expect(replay.status == 0)
    let manifest = String(decoding: try box.read("r/manifest.json"), as: UTF8.self)
    for (broken, reason) in [
      ("{not json", "not a JSON object"),
      (
        manifest.replacingOccurrences(of: "\"summary.json\"", with: "\"../summary.json\""),
        "outside its folder"
      ),
      (
        manifest.replacingOccurrences(of: "\"summary.json\"", with: "\"/etc/passwd\""),
        "outside its folder"
      ),
      (manifest.replacingOccurrences(of: "\"shelflog\": \"", with: "\"shelflog\": \"9"), "newer"),
    ] {
      try box.write("r/manifest.json", broken)
      let run = try await box.shelflog(["reproduce", "r", "--db", "log.sqlite"])
      #expect(run.status == 65, "\(broken.prefix(40)): \(run)")
      #expect(run.stderr.contains(reason), "\(run)")
      #expect(run.stdout.isEmpty)
    }
  }
}
