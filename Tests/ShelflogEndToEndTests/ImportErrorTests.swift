import Foundation
import Testing

/// Exit codes and messages of `import` for bad input, bad flags and bad output paths.
@Suite("Import errors")
struct ImportErrorTests {
  static let good = csv(
    fullHeader, ["a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"])
  static let other = csv(
    fullHeader, ["b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z"])

  @Test func missingFileAppendsNothingFromTheOthers() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    try box.write("other.csv", Self.other)
    let first = try await box.shelflog(
      ["import", "good.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(first.status == 0, "\(first)")

    let result = try await box.shelflog(
      ["import", "other.csv", "missing.csv", "--db", "log.sqlite"])
    #expect(result.status == 66, "\(result)")
    #expect(result.stderr.contains("missing.csv"), "\(result)")
    #expect(try await box.eventCount() == 1)
    let later = try await box.shelflog(["import", "other.csv", "--db", "log.sqlite"])
    #expect(later.status == 0 && later.stdout.contains("1 accepted"), "\(later)")
  }

  /// A named input that cannot be read as a file (here a folder) is exit 66 like a missing one,
  /// and found before anything of the other files is appended.
  @Test func unreadableInputAppendsNothingFromTheOthers() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    try FileManager.default.createDirectory(
      atPath: box.path("folder.csv"), withIntermediateDirectories: false)
    let result = try await box.shelflog(
      [
        "import", "good.csv", "folder.csv", "--db", "log.sqlite",
        "--recorded-at", "2024-03-05T00:00:00Z",
      ])
    #expect(result.status == 66, "\(result)")
    #expect(result.stderr.contains("folder.csv"), "\(result)")
    if FileManager.default.fileExists(atPath: box.path("log.sqlite")) {
      #expect(try await box.eventCount() == 0, "nothing appended from good.csv: \(result)")
    }
  }

  @Test func unknownFlagIsUsageError() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    let result = try await box.shelflog([
      "import", "good.csv", "--db", "log.sqlite", "--frobnicate",
    ])
    #expect(result.status == 64, "\(result)")
    #expect(result.stderr.contains("--frobnicate"), "\(result)")
    #expect(!FileManager.default.fileExists(atPath: box.path("log.sqlite")))
  }

  @Test func headerWithoutOccurredAtIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write(
      "nohdr.csv",
      csv("command_id,command,isbn,title,author,quantity", ["a1,AddBook,9780306406157,D,F,1"]))
    let result = try await box.shelflog(["import", "nohdr.csv", "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("nohdr.csv"), "\(result)")
    #expect(result.stderr.contains("occurred_at"), "\(result)")
    #expect(result.stderrLines.count == 1, "\(result)")
    #expect(try await box.eventCount() == 0)
  }

  @Test func headerRepeatingAColumnIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write(
      "twice.csv",
      csv(
        "command,isbn,occurred_at,user_id,isbn",
        ["BorrowBook,9780306406157,2024-03-01T10:00:00Z,alice,9780306406157"]))
    let result = try await box.shelflog(["import", "twice.csv", "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    let message = result.stderr.lowercased()
    #expect(message.contains("twice.csv"), "\(result)")
    #expect(message.contains("isbn"), "\(result)")
    #expect(message.contains("repeat") || message.contains("duplicate"), "\(result)")
    #expect(try await box.eventCount() == 0)
  }

  @Test func emptyFileIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("empty.csv", Data())
    let result = try await box.shelflog(["import", "empty.csv", "--db", "log.sqlite"])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("empty.csv"), "\(result)")
    #expect(try await box.eventCount() == 0)
  }

  @Test func recordedAtEarlierThanTheLogIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    try box.write("other.csv", Self.other)
    let first = try await box.shelflog(
      ["import", "good.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T10:30:00+01:00"])
    #expect(first.status == 0, "\(first)")
    let events = try await box.events()
    #expect(values(events, "recorded_at") == ["2024-03-05T09:30:00Z"])

    let back = try await box.shelflog(
      ["import", "other.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T09:29:59.999999Z"])
    #expect(back.status == 65, "\(back)")
    #expect(back.stderr.contains("recorded"), "\(back)")
    #expect(try await box.eventCount() == 1)

    // The same instant is not earlier.
    let same = try await box.shelflog(
      ["import", "other.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T09:30:00Z"])
    #expect(same.status == 0, "\(same)")
    #expect(try await box.eventCount() == 2)
  }

  @Test(arguments: ["yesterday", "2024-03-05T10:30:00", "2024-02-30T00:00:00Z", ""])
  func recordedAtThatIsNotATimeIsUsageError(_ value: String) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    let result = try await box.shelflog(
      ["import", "good.csv", "--db", "log.sqlite", "--recorded-at", value])
    #expect(result.status == 64, "\(result)")
    #expect(result.stderr.contains("--recorded-at"), "\(result)")
    #expect(!FileManager.default.fileExists(atPath: box.path("log.sqlite")))
  }

  @Test func notASQLiteFileAsLog() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let junk = Data(String(repeating: "this is not a database, just text\n", count: 200).utf8)
    try box.write("junk.sqlite", junk)
    try box.write("good.csv", Self.good)

    let log = try await box.shelflog(["log", "--db", "junk.sqlite"])
    #expect(log.status == 66, "\(log)")
    #expect(log.stderrLines.count == 1, "\(log)")

    let result = try await box.shelflog(["import", "good.csv", "--db", "junk.sqlite"])
    #expect(result.status == 66, "\(result)")
    #expect(result.stderrLines.count == 1, "one clear line: \(result)")
    #expect(result.stderr.hasPrefix("shelflog: error: "), "\(result)")
    #expect(result.stderr.contains("junk.sqlite"), "\(result)")
    #expect(try box.read("junk.sqlite") == junk, "the file is left as it was")
  }

  @Test func rejectsFileInMissingFolderCannotBeCreated() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    try box.write("other.csv", Self.other)
    _ = try await box.shelflog(
      ["import", "good.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T00:00:00Z"])
    let result = try await box.shelflog(
      ["import", "other.csv", "--db", "log.sqlite", "--rejects", "no/such/dir/rejects.csv"])
    #expect(result.status == 73, "\(result)")
    #expect(result.stderr.contains("no/such/dir/rejects.csv"), "\(result)")
    #expect(try await box.eventCount() == 1)
  }

  @Test func logOfMissingFileIsNoInputAndCreatesNothing() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let result = try await box.shelflog(["log", "--db", "absent.sqlite"])
    #expect(result.status == 66, "\(result)")
    #expect(result.stderr.contains("absent.sqlite"), "\(result)")
    #expect(!FileManager.default.fileExists(atPath: box.path("absent.sqlite")))
    let verify = try await box.shelflog(["verify", "--db", "absent.sqlite"])
    #expect(verify.status == 66, "\(verify)")
  }

  @Test func shelflogDBEnvironmentNamesTheLog() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("good.csv", Self.good)
    let environment = ["SHELFLOG_DB": box.path("env.sqlite")]
    let result = try await box.shelflog(
      ["import", "good.csv", "--recorded-at", "2024-03-05T00:00:00Z"], environment: environment)
    #expect(result.status == 0, "\(result)")
    #expect(FileManager.default.fileExists(atPath: box.path("env.sqlite")))
    #expect(!FileManager.default.fileExists(atPath: box.path("shelflog.sqlite")))
    #expect(try await box.eventCount(db: "env.sqlite") == 1)
  }
}

/// Several files in one call: each is a batch of its own.
@Suite("Several files")
struct SeveralFilesTests {
  @Test func eachFileIsItsOwnBatch() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let texts = [
      csv(fullHeader, ["a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"]),
      csv(
        fullHeader,
        [
          "b1,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
          "b2,BorrowBook,9780306406150,,,,bob,2024-03-01T10:00:00Z",
        ]),
      csv(
        fullHeader,
        [
          "c1,BorrowBook,9780306406157,,,,carol,2024-03-01T11:00:00Z",
          "c2,ReturnBook,9780306406157,,,,carol,2024-03-01T12:00:00Z",
        ]),
    ]
    for (index, text) in texts.enumerated() { try box.write("f\(index).csv", text) }

    let result = try await box.shelflog(
      [
        "import", "f0.csv", "f1.csv", "f2.csv", "--db", "log.sqlite", "--json",
        "--recorded-at", "2024-03-05T00:00:00Z",
      ])
    #expect(result.status == 65, "f1 has a rejected row: \(result)")
    let batches = try batchSummaries(result)
    #expect(batches.map { $0["file"] as? String } == ["f0.csv", "f1.csv", "f2.csv"])
    #expect(batches.map { $0["status"] as? String } == ["imported", "rejected", "imported"])
    #expect(batches.map { $0["sha256"] as? String } == texts.map { sha256Hex(Data($0.utf8)) })
    #expect(batches.map { $0["first_position"] as? Int } == [1, nil, 2])
    #expect(batches.map { $0["last_position"] as? Int } == [1, nil, 3])

    let events = try await box.events()
    #expect(values(events, "command_id") == ["a1", "c1", "c2"])
    #expect(values(events, "batch") == [0, 2, 2].map { sha256Hex(Data(texts[$0].utf8)) })
  }

  /// A file refused whole (bad header) still gets its object in the `--json` output, so a
  /// script sees what became of every file it named.
  @Test func jsonNamesEveryFileEvenOneRefusedWhole() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write(
      "ok.csv",
      csv(fullHeader, ["a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"]))
    try box.write("nohdr.csv", csv("command,isbn", ["RemoveBook,9780306406157"]))
    let result = try await box.shelflog(
      [
        "import", "ok.csv", "nohdr.csv", "--db", "log.sqlite", "--json",
        "--recorded-at", "2024-03-05T00:00:00Z",
      ])
    #expect(result.status == 65, "\(result)")
    #expect(result.stderr.contains("occurred_at"), "\(result)")
    let batches = try batchSummaries(result)
    #expect(batches.map { $0["file"] as? String } == ["ok.csv", "nohdr.csv"], "\(result)")
    #expect(batches.map { $0["status"] as? String } == ["imported", "refused"], "\(result)")
    #expect((batches.last?["message"] as? String)?.contains("occurred_at") == true, "\(result)")
    #expect(try await box.eventCount() == 1)
  }
}
