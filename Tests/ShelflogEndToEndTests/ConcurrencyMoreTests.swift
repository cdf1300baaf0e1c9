import Crypto
import Foundation
import ShelflogTestSupport
import Testing

/// docs/importing.md, "Two imports into one log at once", with more writers, and readers that run
/// while an import commits: every batch lands exactly once or its import exits 75 after
/// `--wait`, and a reader sees all of a batch or none of it.
@Suite("More concurrency: several writers, readers during commits", .serialized)
struct ConcurrencyMoreTests {
  /// Batch text with command ids `<prefix>-<n>` and the batch's SHA-256.
  static func batch(prefix: String, rows: Int, isbn: String) -> (text: String, sha: String) {
    var text = fullHeader + "\n"
    text.reserveCapacity(rows * 80)
    for index in 0..<rows {
      let time = String(
        format: "2024-03-%02dT%02d:%02d:00Z", 1 + index / 1440 % 28, index / 60 % 24, index % 60)
      if index % 3 == 0 {
        text += "\(prefix)-\(index),AddBook,\(isbn),Title \(prefix),Author,1,,\(time)\n"
      } else {
        text += "\(prefix)-\(index),BorrowBook,\(isbn),,,,user\(index % 11),\(time)\n"
      }
    }
    let sha = SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    return (text, sha)
  }

  /// Starts one import per batch at once (each its own process), waits for all, and checks
  /// that each exited 0 or 75, a 75 only once its wait ran out, that an exit-0 batch is in the
  /// log exactly once, a 75 batch not at all, and that `verify` passes. Then re-runs the busy
  /// ones and checks the whole log.
  func importAtOnce(
    _ box: Sandbox, _ log: LogUnderTest, batches: Int, rows: Int, wait: Int? = nil
  ) async throws {
    let extra = wait.map { ["--wait", String($0)] } ?? []
    let prefixes = (0..<batches).map { "W\($0)" }
    var names: [String] = []
    for (index, prefix) in prefixes.enumerated() {
      names.append(
        try box.write(
          "\(prefix).csv", Self.batch(prefix: prefix, rows: rows, isbn: isbn13(700 + index)).text))
    }
    let clock = ContinuousClock()
    let started = clock.now
    let programs = try names.map { name in
      try box.startShelflog(["import", name, "--db", log.db] + extra)
    }
    // Each program's result and how long after the start it ended (an upper bound of its run).
    let ended = await withTaskGroup(of: (Int, RunResult, Duration).self) { group in
      for (index, program) in programs.enumerated() {
        group.addTask { (index, await program.wait(), clock.now - started) }
      }
      var ended: [Int: (RunResult, Duration)] = [:]
      for await (index, result, elapsed) in group { ended[index] = (result, elapsed) }
      return ended
    }
    let results = (0..<batches).map { ended[$0]!.0 }

    let events = try await box.events(db: log.db)
    var perPrefix: [String: [String]] = [:]
    for id in values(events, "command_id") {
      perPrefix[String(id.prefix { $0 != "-" }), default: []].append(id)
    }
    var landed = 0
    for (index, result) in results.enumerated() {
      let prefix = prefixes[index]
      let ids = perPrefix[prefix] ?? []
      #expect(result.status == 0 || result.status == 75, "\(prefix): \(result)")
      if result.status == 0 {
        landed += 1
        #expect(result.stdout.contains("\(rows) accepted"), "\(prefix): \(result)")
        #expect(ids.count == rows, "\(prefix) exited 0 and has \(ids.count) of \(rows) events")
        #expect(Set(ids).count == ids.count, "\(prefix): duplicated events")
      } else {
        #expect(ids.isEmpty, "\(prefix) exited \(result.status) but has \(ids.count) events")
        #expect(result.stderr.contains("busy"), "\(prefix): \(result)")
        // a second import waits up to --wait seconds (default 30), then exits 75. The
        // program cannot have run longer than `elapsed`, so this only fails on an early 75.
        let elapsed = ended[index]!.1
        #expect(
          result.status != 75 || elapsed >= .milliseconds((wait ?? 30) * 1_000 - 100),
          "\(prefix) exited 75 after \(elapsed), before its \(wait ?? 30) s wait ran out: \(result)"
        )
      }
    }
    print("\(batches) imports at once \(extra): exits \(results.map(\.status))")
    if let refused = results.first(where: { $0.status != 0 && $0.status != 75 }) {
      print("refused: \(refused.stderr)")
    }
    #expect(landed > 0, "no import got the log: \(results)")
    #expect(events.count == landed * rows)
    #expect(events.map { $0["position"] as? Int } == (0..<events.count).map { $0 + 1 })
    // One transaction per batch: each batch's events are contiguous.
    let runs = zip(events, events.dropFirst()).filter {
      ($0.0["batch"] as? String) != ($0.1["batch"] as? String)
    }
    #expect(runs.count == max(landed - 1, 0), "batches interleave")
    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0, "\(verify)")
    #expect(verify.stdout.contains("\(landed * rows) events in \(landed) batches"), "\(verify)")

    // The busy ones were not remembered: importing everything again adds exactly them.
    let again = try await box.shelflog(["import"] + names + ["--db", log.db])
    #expect(again.status == 0, "\(again)")
    let all = values(try await box.events(db: log.db), "command_id")
    #expect(all.count == batches * rows && Set(all).count == all.count, "\(all.count) events")
    let verifyAll = try await box.shelflog(["verify", "--db", log.db])
    #expect(verifyAll.status == 0, "\(verifyAll)")
  }

  @Test(arguments: Backend.available) func fourImportsAtOnceWithTheDefaultWait(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    try await importAtOnce(box, log, batches: 4, rows: 5_000)
  }

  @Test(arguments: Backend.available) func fourImportsAtOnceWithAShortWait(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    // Long enough batches that a one-second wait usually runs out for some of them.
    try await importAtOnce(box, log, batches: 4, rows: 15_000, wait: 1)
  }

  @Test(arguments: Backend.available) func readersDuringAnImportSeeWholeBatches(on backend: Backend)
    async throws
  {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    let sizes = [40, 12_000, 12_000, 12_000]
    var names: [String] = []
    for (index, rows) in sizes.enumerated() {
      let (text, _) = Self.batch(prefix: "R\(index)", rows: rows, isbn: isbn13(800 + index))
      names.append(try box.write("r\(index).csv", text))
    }
    let first = try await box.shelflog(["import", names[0], "--db", log.db])
    try #require(first.status == 0, "\(first)")
    // What a consistent reader may see: the log after 1, 2, 3 or 4 whole batches.
    let allowed = Set((1...sizes.count).map { sizes.prefix($0).reduce(0, +) })

    let writer = try box.startShelflog(
      ["import"] + Array(names.dropFirst()) + ["--db", log.db])
    let done = Flag()
    let writerTask = Task {
      let result = await writer.wait()
      await done.set()
      return result
    }

    var observations: [Observation] = []
    var duringImport = 0
    var round = 0
    var roundsAfter = 0
    while roundsAfter < 2 {
      let startedDuring = !(await done.value)
      round += 1
      let observation: Observation
      switch round % 3 {
      case 0: observation = try await observeSummary(box, log)
      case 1: observation = try await observeLog(box, log, sizes: sizes)
      default: observation = try await observeReplay(box, log, round: round)
      }
      observations.append(observation)
      if startedDuring { duringImport += 1 } else { roundsAfter += 1 }
    }
    let result = await writerTask.value
    #expect(result.status == 0, "\(result)")
    #expect(result.stdoutLines.count == 3, "\(result)")

    let final = try await box.events(db: log.db)
    #expect(final.count == sizes.reduce(0, +))
    let hashes = values(final, "hash")
    for observation in observations {
      #expect(
        allowed.contains(observation.events),
        "\(observation.source) saw \(observation.events) events: not whole batches \(allowed.sorted())"
      )
      // The head a reader saw is the final log's hash at the last position it saw.
      if observation.events > 0 && observation.events <= hashes.count {
        #expect(
          observation.head == hashes[observation.events - 1],
          "\(observation.source) saw head \(observation.head ?? "null") at \(observation.events)")
      }
      #expect(observation.head.map(Set(hashes).contains) ?? false, "\(observation)")
    }
    #expect(duringImport > 0, "no reader ran while the import did")
    let verify = try await box.shelflog(["verify", "--db", log.db])
    #expect(verify.status == 0, "\(verify)")
    let seen = Set(observations.map(\.events)).sorted()
    print(
      "readers during an import: \(observations.count) reads (\(duringImport) while it ran),"
        + " event counts seen \(seen)")
  }

  /// What one reader saw: how many events and the head hash.
  struct Observation: CustomStringConvertible {
    var source: String
    var events: Int
    var head: String?

    var description: String { "\(source): \(events) events, head \(head ?? "null")" }
  }

  /// `report summary --format json`: `events` and `log_head`.
  func observeSummary(_ box: Sandbox, _ log: LogUnderTest) async throws -> Observation {
    let result = try await box.shelflog(
      ["report", "summary", "--db", log.db, "--format", "json"])
    try #require(result.status == 0, "report: \(result)")
    return try Self.summaryObservation(Data(result.stdout.utf8), source: "report summary")
  }

  /// `replay --out DIR --format json`: the `summary.json` it wrote.
  func observeReplay(_ box: Sandbox, _ log: LogUnderTest, round: Int) async throws -> Observation {
    let out = "replay-\(round)"
    let result = try await box.shelflog(
      ["replay", "--db", log.db, "--out", out, "--format", "json"])
    try #require(result.status == 0, "replay: \(result)")
    let summary = try box.read("\(out)/summary.json")
    let observed = try Self.summaryObservation(summary, source: "replay summary.json")
    // The other reports come from the same snapshot: the inventory's copies match the summary.
    let inventory = try box.read("\(out)/inventory.json")
    let object = try JSONSerialization.jsonObject(with: inventory) as? [String: Any]
    let books = object?["books"] as? [[String: Any]] ?? []
    let total = books.filter { $0["status"] as? String == "active" }
      .reduce(0) { $0 + ($1["total"] as? Int ?? 0) }
    let summaryObject = try JSONSerialization.jsonObject(with: summary) as? [String: Any]
    #expect(total == summaryObject?["copies_total"] as? Int, "replay reports disagree")
    return observed
  }

  /// `log --format jsonl`: positions 1…n without gaps and whole batches only.
  func observeLog(_ box: Sandbox, _ log: LogUnderTest, sizes: [Int]) async throws -> Observation {
    let events = try await box.events(db: log.db)
    #expect(events.map { $0["position"] as? Int } == (0..<events.count).map { $0 + 1 })
    var perBatch: [String: Int] = [:]
    for batch in values(events, "batch") { perBatch[batch, default: 0] += 1 }
    let counts = perBatch.values.sorted()
    #expect(counts.allSatisfy(Set(sizes).contains), "log shows a partial batch: \(counts)")
    return Observation(source: "log", events: events.count, head: values(events, "hash").last)
  }

  static func summaryObservation(_ json: Data, source: String) throws -> Observation {
    let object = try #require(
      try JSONSerialization.jsonObject(with: json) as? [String: Any], "\(source): not JSON")
    let events = try #require(object["events"] as? Int, "\(source): no events in \(object)")
    return Observation(source: source, events: events, head: object["log_head"] as? String)
  }
}

/// Set once, read from any task.
private actor Flag {
  private(set) var value = false

  func set() { value = true }
}
