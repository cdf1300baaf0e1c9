import Foundation
import ShelflogTestSupport
import Testing

/// docs/current-model.md through the executable: `project` killed at any instant, a rewritten
/// log, `--status`, `audit`, and `log --follow`.
@Suite("Current model: the commands", .serialized)
struct CurrentModelCommandTests {
  /// `project` killed with SIGKILL at random instants (in a rebuild, in a late batch's refold,
  /// in the nightly fold-on) leaves the model it had before, whole, or the new one; the next
  /// run completes it to exactly the model an uninterrupted run makes.
  @Test func killedProjectLeavesAWholeModelAndTheNextRunCompletesIt() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    for (name, arguments) in [
      ("a.csv", ["--rows", "12000", "--seed", "5"]),
      ("late.csv", ["--rows", "3000", "--seed", "6"]),
      ("nightly.csv", ["--rows", "3000", "--seed", "7", "--start", "2031-01-01"]),
    ] {
      let made = try await box.shelflog(["generate", "--out", name] + arguments)
      try #require(made.status == 0, "\(made)")
    }
    let base = try await box.shelflog(["audit", "a.csv", "--db", "base.sqlite", "--out", "r"])
    try #require(base.status == 0, "\(base)")
    #expect(base.stdout.contains("rebuilt (no model yet)"), "\(base)")

    var random = SplitMix64(seed: 0x0DE1_C0DE)
    // No model yet (a rebuild), a late batch (a refold from the first event: no snapshots),
    // a nightly batch (folding on).
    for (scenario, batch) in [("rebuild", nil), ("late", "late.csv"), ("nightly", "nightly.csv")] {
      try FileManager.default.copyItem(
        atPath: box.path("base.sqlite"), toPath: box.path("t.sqlite"))
      if scenario == "rebuild" {
        let drop = try await box.sqlite3(
          "t.sqlite",
          [
            "model_checkpoint", "current_books", "current_loans", "current_users",
            "current_anomalies",
          ]
          .map { "DROP TABLE \($0);" })
        try #require(drop.status == 0, "\(drop)")
      }
      if let batch {
        let added = try await box.shelflog(["import", batch, "--db", "t.sqlite"])
        try #require(added.status == 0, "\(added)")
      }
      let before = try ModelTables.read(box.path("t.sqlite"))
      // The model an uninterrupted run makes, and how long that run takes here (only to
      // spread the kill delays, never asserted).
      try FileManager.default.copyItem(atPath: box.path("t.sqlite"), toPath: box.path("u.sqlite"))
      let started = ContinuousClock.now
      let whole = try await box.shelflog(["project", "--db", "u.sqlite"])
      let duration = ContinuousClock.now - started
      try #require(whole.status == 0, "\(whole)")
      let after = try ModelTables.read(box.path("u.sqlite"))
      #expect(after != before, "\(scenario): the run changed nothing")
      let nanoseconds = UInt64(
        max(
          duration.components.seconds * 1_000_000_000
            + duration.components.attoseconds / 1_000_000_000, 10_000_000))
      // Until 3 runs were killed (at most 12): on a loaded machine one run may take much
      // longer or shorter than the calibration, so a fixed number of trials may kill none.
      var killed = 0
      var trials = 0
      while killed < 3 && trials < 12 {
        trials += 1
        let trial = trials
        let name = "k\(trial).sqlite"
        try FileManager.default.copyItem(atPath: box.path("t.sqlite"), toPath: box.path(name))
        let program = try KillableProgram(box: box, arguments: ["project", "--db", name])
        try await Task.sleep(nanoseconds: random.next() % (nanoseconds * 9 / 10 + 1))
        program.kill()
        let (_, signalled) = await program.wait()
        if signalled { killed += 1 }
        let left = try ModelTables.read(box.path(name))
        #expect(left == before || left == after, "\(scenario), trial \(trial): a partial model")
        let rerun = try await box.shelflog(["project", "--db", name])
        #expect(rerun.status == 0, "\(rerun)")
        #expect(try ModelTables.read(box.path(name)) == after, "\(scenario), trial \(trial)")
      }
      #expect(killed > 0, "\(scenario): no run was killed")
      for name in ["t.sqlite", "u.sqlite"] + (1...trials).map({ "k\($0).sqlite" }) {
        for suffix in ["", "-wal", "-shm"] {
          try? FileManager.default.removeItem(atPath: box.path(name + suffix))
        }
      }
    }
  }

  /// Acceptance: a log rewritten under the checkpoint (triggers dropped, an event edited) makes
  /// `project` rebuild and say why; `verify` still names the edit; `--status` says what the
  /// next run will do.
  @Test func aRewrittenLogMakesProjectRebuildAndVerifyNamesTheEdit() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await TamperingTests.makeLog(box)
    let first = try await box.shelflog(["project", "--db", "log.sqlite"])
    #expect(first.status == 0 && first.stdout.contains("rebuilt (no model yet)"), "\(first)")
    let edit = try await box.sqlite3(
      "log.sqlite",
      TamperingTests.dropTriggers + [
        "UPDATE log_events SET user_id = 'mallory' WHERE position = 3;"
      ])
    try #require(edit.status == 0, "\(edit)")
    let status = try await box.shelflog(["project", "--db", "log.sqlite", "--status"])
    #expect(status.status == 0, "\(status)")
    #expect(status.stdout.contains("model at position 5 of 5 (0 events behind)"), "\(status)")
    #expect(status.stdout.contains("the next project rebuilds it"), "\(status)")
    let project = try await box.shelflog(["project", "--db", "log.sqlite"])
    #expect(project.status == 0, "\(project)")
    #expect(
      project.stdout.contains("rebuilt (the log's append-only triggers changed"), "\(project)")
    let loans = try await box.sqlite3("log.sqlite", ["SELECT user_id FROM current_loans;"])
    #expect(loans.stdoutLines == ["mallory"], "\(loans)")
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 1, "\(verify)")
    #expect(verify.stdout.contains("FAILED at position 3"), "\(verify)")
  }

  /// Acceptance: `log --follow` while two imports run prints every event once, in position
  /// order, exactly as `log --format jsonl` prints them; `--after` starts after a position.
  @Test(arguments: Backend.available)
  func followPrintsEveryEventOnceInPositionOrder(on backend: Backend) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try box.write("seed.csv", CrashTests.seed)
    try box.write("one.csv", CrashTests.batch(1))
    try box.write("two.csv", CrashTests.batch(2))
    let seeded = try await box.shelflog(["import", "seed.csv", "--db", log.db])
    try #require(seeded.status == 0, "\(seeded)")
    let follower = try KillableProgram(
      box: box, arguments: ["log", "--follow", "--after", "1", "--db", log.db])
    defer { follower.kill() }
    try await Task.sleep(nanoseconds: 200_000_000)
    async let one = box.shelflog(["import", "one.csv", "--db", log.db])
    async let two = box.shelflog(["import", "two.csv", "--db", log.db])
    let results = try await [one, two]
    for result in results { try #require(result.status == 0, "\(result)") }
    let total = CrashTests.seedRows + 2 * CrashTests.rowsPerBatch
    let deadline = ContinuousClock.now + .seconds(60)
    while follower.output.split(separator: "\n").count < total - 1, ContinuousClock.now < deadline {
      try await Task.sleep(nanoseconds: 50_000_000)
    }
    // A little longer: anything printed twice would show now.
    try await Task.sleep(nanoseconds: 300_000_000)
    follower.kill()
    _ = await follower.wait()
    let printed = follower.output.split(separator: "\n").map(String.init)
    let positions = try printed.map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      return try #require(object?["position"] as? Int, "no position: \(line)")
    }
    #expect(positions == Array(2...total))
    let listed = try await box.shelflog(["log", "--db", log.db, "--format", "jsonl"])
    #expect(printed == Array(listed.stdoutLines.dropFirst()))
  }

  /// The three queries docs/current-model.md shows run on a model and find what they promise:
  /// an overdue loan, a user at the limit, a book with negative availability.
  @Test(arguments: Backend.available)
  func theDocumentedQueriesAnswer(on backend: Backend) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    let page = try String(
      contentsOf: repositoryRoot().appendingPathComponent("docs/current-model.md"), encoding: .utf8)
    let block = try #require(page.components(separatedBy: "```sql\n").dropFirst().first)
    // Each query without its comment line (sqlite3 would take "--" for an option).
    let queries = try #require(block.components(separatedBy: "```").first)
      .components(separatedBy: "\n\n").map { query in
        query.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n")
      }
    try #require(queries.count == 3, "\(queries)")
    try box.write(
      "b.csv",
      csv(
        fullHeader,
        [
          "a,AddBook,9780306406157,Dune,Frank Herbert,1,,2024-03-01T09:00:00Z",
          "b,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
          "c,BorrowBook,9780306406157,,,,bob,2024-03-01T11:00:00Z",
        ]))
    let audit = try await box.shelflog(
      ["audit", "b.csv", "--db", log.db, "--out", "r", "--max-loans", "1"])
    try #require(audit.status == 0, "\(audit)")
    // The same SQL on both backends (`rows` requires the client to succeed), but for "now",
    // which the page gives for PostgreSQL too.
    let sqliteNow = "CAST(strftime('%s', 'now') AS INTEGER) * 1000000"
    let postgresNow = "(extract(epoch FROM now()) * 1000000)::bigint"
    #expect(page.contains(sqliteNow) && page.contains(postgresNow))
    let overdue = try await log.rows(
      box,
      backend == .postgres
        ? queries[0].replacingOccurrences(of: sqliteNow, with: postgresNow) : queries[0])
    #expect(overdue.map { $0.split(separator: "|").first ?? "" } == ["alice", "bob"])
    #expect(try await log.rows(box, queries[1]) == ["alice|1|1", "bob|1|1"])
    #expect(try await log.rows(box, queries[2]) == ["9780306406157|Dune|1|2|-1"])
  }
}
