import Foundation
import Testing

/// Resource faults (issue 6): a read-only log, a full disk, an unwritable `--out` folder, a log
/// that is not SQLite (or not shelflog's), a log from a newer shelflog. Each is one clear
/// `shelflog: error:` line, the documented exit code, and the log unchanged.
@Suite("Resource faults")
struct ResourceFaultTests {
  /// A batch of 20,000 borrows (about 1.3 MB of CSV, more once stored): too big for a small disk.
  static func bigBatch(prefix: String) -> String {
    csv(
      fullHeader,
      (0..<20_000).map { "\(prefix)\($0),BorrowBook,9780306406157,,,,u\($0),2024-03-02T10:00:00Z" })
  }

  static let smallBatch = csv(
    fullHeader, ["t1,ReturnBook,9780306406157,,,,alice,2024-03-02T10:00:00Z"])

  // MARK: Read-only log

  /// `chattr +i` on the log file (root ignores permission bits, not the immutable flag): import
  /// is exit 73 naming the log, its bytes stay the same, and read commands still work.
  @Test func immutableLogFileRefusesImport() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    try box.write("more.csv", Self.smallBatch)
    let bytes = box.logBytes()

    try await withImmutable([box.path("log.sqlite")], in: box) {
      let result = try await box.shelflog(["import", "more.csv", "--db", "log.sqlite"])
      #expect(result.status == 73, "\(result)")
      expectOneErrorLine(result, naming: ["log.sqlite", "read-only"])
      #expect(box.logBytes()["db"] == bytes["db"], "the log file is unchanged")
      #expect(try await box.verifyHead() == before.head, "verify reads an immutable log")
    }
    #expect(try await box.logState() == before)
  }

  /// The log on a filesystem mounted read-only: import is exit 73 naming the log, and no byte of
  /// it changes.
  @Test func readOnlyFilesystemRefusesImport() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("more.csv", Self.smallBatch)
    try await ScratchMount.withTmpfs(in: box, kibibytes: 1024) { mount in
      let log = mount.path("log.sqlite")
      let before = try await box.seedLog(db: log)
      let bytes = box.logBytes(db: log)
      try await mount.remount("ro", in: box)

      let result = try await box.shelflog(["import", "more.csv", "--db", log])
      #expect(result.status == 73, "\(result)")
      expectOneErrorLine(result, naming: [log, "read-only"])
      #expect(box.logBytes(db: log) == bytes, "the log is unchanged")

      try await mount.remount("rw", in: box)
      #expect(try await box.logState(db: log) == before)
    }
  }

  /// Read commands never write, so they work on a log on read-only media (an archived copy, an
  /// auditor's read-only mount): `verify` shows the same head, `log` and `report` exit 0.
  @Test func readCommandsWorkOnAReadOnlyFilesystem() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await ScratchMount.withTmpfs(in: box, kibibytes: 1024) { mount in
      let log = mount.path("log.sqlite")
      let before = try await box.seedLog(db: log)
      // As on archived media: the database file alone (the last writer to close removes the
      // WAL and shared-memory files; a reader leaves them).
      _ = try await box.sqlite3(log, ["PRAGMA wal_checkpoint(TRUNCATE);"])
      for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: log + suffix) {
        try #require(box.logBytes(db: log)["wal"]??.isEmpty != false, "WAL checkpointed")
        try FileManager.default.removeItem(atPath: log + suffix)
      }
      try await mount.remount("ro", in: box)

      let verify = try await box.shelflog(["verify", "--db", log])
      #expect(verify.status == 0, "\(verify)")
      #expect(verify.stdout.contains(before.head), "\(verify)")
      let listing = try await box.shelflog(["log", "--db", log, "--format", "jsonl"])
      #expect(listing.status == 0, "\(listing)")
      #expect(listing.stdoutLines.count == before.events, "\(listing)")
      let report = try await box.shelflog(
        ["report", "inventory", "--db", log, "--at", "2024-04-01", "--format", "csv"])
      #expect(report.status == 0, "\(report)")
    }
  }

  // MARK: Full disk

  /// A 256 KiB filesystem that holds the log but not the next batch: exit 74 naming the log and
  /// saying the disk is full; the log keeps its head, events and batches; once there is room
  /// the same file imports (it was not recorded as imported).
  @Test func fullDiskRefusesImportAndKeepsTheLog() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("big.csv", Self.bigBatch(prefix: "f"))
    try await ScratchMount.withTmpfs(in: box, kibibytes: 256) { mount in
      let log = mount.path("log.sqlite")
      let before = try await box.seedLog(db: log)

      let result = try await box.shelflog(["import", "big.csv", "--db", log])
      #expect(result.status == 74, "\(result)")
      expectOneErrorLine(result, naming: [log, "full"])
      #expect(try await box.logState(db: log) == before)

      try await mount.remount("size=16m", in: box)
      let retry = try await box.shelflog(
        ["import", "big.csv", "--db", log, "--recorded-at", "2024-03-06T00:00:00Z"])
      #expect(retry.status == 0, "\(retry)")
      #expect(retry.stdout.contains("20000 accepted"), "\(retry)")
      let after = try await box.logState(db: log)
      #expect(after.events == before.events + 20_000 && after.batches == 2, "\(after)")
    }
  }

  /// The fallback for a full disk without mount: a file size limit (`ulimit -f`). The write
  /// fails with EFBIG, or SIGXFSZ kills the process unless it ignores that signal; either way
  /// the contract wants exit 74 and one line, and the log unchanged.
  @Test func fileSizeLimitIsAnIOError() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    try box.write("big.csv", Self.bigBatch(prefix: "u"))
    let dbSize = box.logBytes()["db"]??.count ?? 0
    // 400 blocks is 200 KiB (dash) or 400 KiB (bash): above the seeded log, below the batch.
    try #require(dbSize < 200 * 1024, "seeded log is \(dbSize) bytes")

    let result = try await box.shelflogWithFileSizeLimit(
      blocks: 400, ["import", "big.csv", "--db", "log.sqlite"])
    #expect(result.status == 74, "exit 74, not killed by SIGXFSZ (25): \(result)")
    expectOneErrorLine(result, naming: ["log.sqlite"])
    #expect(try await box.logState() == before)
  }

  /// `replay --out` on a filesystem that fills up: exit 74 naming the report and saying why;
  /// no half-written report and no temporary file is left; the log is unchanged.
  @Test func fullDiskDuringReplayLeavesOnlyWholeReports() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write("big.csv", Self.bigBatch(prefix: "r"))
    try await box.seedLog()
    let imported = try await box.shelflog(
      ["import", "big.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-06T00:00:00Z"])
    try #require(imported.status == 0, "\(imported)")
    let before = try await box.logState()

    try await ScratchMount.withTmpfs(in: box, kibibytes: 64) { mount in
      let out = mount.path("reports")
      let result = try await box.shelflog(
        ["replay", "--db", "log.sqlite", "--at", "2024-04-01", "--out", out])
      #expect(result.status == 74, "\(result)")
      expectOneErrorLine(result, naming: [out])
      let line = result.stderr.lowercased()
      #expect(line.contains("space") || line.contains("full"), "says why: \(result)")

      let names = ["summary", "inventory", "loans", "anomalies"].flatMap { name in
        ["json", "csv", "md"].map { "\(name).\($0)" }
      }
      let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
      #expect(left.allSatisfy(names.contains), "only finished reports: \(left)")
      for file in left where file.hasSuffix(".json") {
        let data = try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(file))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(file) is whole")
      }
    }
    #expect(try await box.logState() == before)
  }

  // MARK: Unwritable output

  /// An `--out` folder that cannot be written (immutable, so even root cannot add files), or a
  /// path through a regular file: exit 73 naming the path, nothing written, log unchanged.
  @Test func unwritableOutFolderIsCannotCreate() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let before = try await box.seedLog()
    try FileManager.default.createDirectory(
      atPath: box.path("locked"), withIntermediateDirectories: false)
    try box.write("plain-file", "not a folder\n")

    try await withImmutable([box.path("locked")], in: box) {
      let result = try await box.shelflog(
        ["replay", "--db", "log.sqlite", "--at", "2024-04-01", "--out", "locked"])
      #expect(result.status == 73, "\(result)")
      expectOneErrorLine(result, naming: ["locked"])
      #expect(try FileManager.default.contentsOfDirectory(atPath: box.path("locked")).isEmpty)
    }

    for out in ["plain-file/reports", "plain-file"] {
      let result = try await box.shelflog(
        ["replay", "--db", "log.sqlite", "--at", "2024-04-01", "--out", out])
      #expect(result.status == 73, "\(result)")
      expectOneErrorLine(result, naming: [out])
    }
    #expect(try box.read("plain-file") == Data("not a folder\n".utf8))
    #expect(try await box.logState() == before)
  }

  // MARK: Not a log

  /// A log file that is not SQLite (text, random bytes, the SQLite magic followed by garbage):
  /// every command is exit 66 naming it, and neither the file nor its folder changes.
  @Test(arguments: ["text", "random", "fake-header"])
  func logThatIsNotSQLiteIsNoInput(kind: String) async throws {
    let box = try Sandbox()
    defer { box.remove() }
    var bytes: Data
    switch kind {
    case "text": bytes = Data(seedBatch.utf8)
    case "random":
      bytes = Data((0..<65_536).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) })
    default:
      bytes = Data("SQLite format 3\u{0}".utf8)
      bytes.append(Data((0..<8176).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }))
    }
    try box.write("not-a-log.sqlite", bytes)
    try box.write("more.csv", Self.smallBatch)

    let commands: [[String]] = [
      ["import", "more.csv"], ["verify"], ["log"], ["report", "inventory"],
      ["replay", "--out", "reports"], ["audit", "more.csv", "--out", "reports"],
    ]
    for command in commands {
      let result = try await box.shelflog(command + ["--db", "not-a-log.sqlite"])
      #expect(result.status == 66, "\(command): \(result)")
      expectOneErrorLine(result, naming: ["not-a-log.sqlite"])
      #expect(try box.read("not-a-log.sqlite") == bytes, "\(command) left the file as it was")
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: box.path(".")).sorted()
    #expect(
      files.filter { !$0.hasPrefix(".") } == ["more.csv", "not-a-log.sqlite"],
      "no -wal, -shm or reports folder: \(files)")
  }

  /// A SQLite database of another program, given as `--db` by mistake, is not a shelflog log
  /// (README: exit 66): import must not add shelflog's tables to it.
  @Test func foreignSQLiteDatabaseIsNotALog() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let made = try await box.sqlite3(
      "other.sqlite",
      [
        "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT);",
        "INSERT INTO customers VALUES (1, 'x');",
      ])
    try #require(made.status == 0, "\(made)")
    let bytes = try box.read("other.sqlite")
    try box.write("more.csv", Self.smallBatch)

    let verify = try await box.shelflog(["verify", "--db", "other.sqlite"])
    #expect(verify.status == 66, "\(verify)")
    expectOneErrorLine(verify, naming: ["other.sqlite"])
    let result = try await box.shelflog(["import", "more.csv", "--db", "other.sqlite"])
    #expect(result.status == 66, "\(result)")
    expectOneErrorLine(result, naming: ["other.sqlite"])
    #expect(try box.read("other.sqlite") == bytes, "the other program's database is unchanged")
  }

  // MARK: Newer schema

  /// A log migrated by a newer shelflog (an unknown `grdb_migrations` row): every command is
  /// exit 65 naming the log and saying it is newer, and no byte of the log changes.
  @Test func newerSchemaVersionIsRefused() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await box.seedLog()
    let insert = try await box.sqlite3(
      "log.sqlite", ["INSERT INTO grdb_migrations VALUES ('v99-future');"])
    try #require(insert.status == 0, "\(insert)")
    try box.write("more.csv", Self.smallBatch)
    let bytes = box.logBytes()
    let dump = try await box.sqlite3(
      "log.sqlite",
      ["SELECT * FROM grdb_migrations; SELECT * FROM batches; SELECT * FROM events;"]
    ).stdout
    #expect(box.logBytes() == bytes, "reading with sqlite3 changes nothing")

    let commands: [[String]] = [
      ["import", "more.csv"], ["verify"], ["log"], ["report", "inventory"],
      ["replay", "--out", "reports"], ["audit", "more.csv", "--out", "reports"],
    ]
    for command in commands {
      let prior = box.logBytes()["db"]
      let result = try await box.shelflog(command + ["--db", "log.sqlite"])
      #expect(result.status == 65, "\(command): \(result)")
      expectOneErrorLine(result, naming: ["log.sqlite", "newer"])
      #expect(box.logBytes()["db"] == prior, "\(command) left the log's bytes as they were")
    }
    #expect(box.logBytes()["db"] == bytes["db"], "the log's bytes are as before")
    let after = try await box.sqlite3(
      "log.sqlite",
      ["SELECT * FROM grdb_migrations; SELECT * FROM batches; SELECT * FROM events;"]
    ).stdout
    #expect(after == dump, "same migrations, batches and events")
  }
}
