import Crypto
import Foundation
import ShelflogTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// docs/importing.md, "Batch atomicity": an import killed at any instant leaves the log exactly as
/// before or after each batch, never in between, and re-running it completes the log with every
/// event exactly once. The short form of `Scripts/crash-test.sh` (which runs 200 trials).
@Suite("Crash: imports killed with SIGKILL", .serialized)
struct CrashTests {
  static let batchCount = 3
  static let rowsPerBatch = 3_000
  static let trials = 20
  static let seedRows = 3

  /// The ISBNs the batches use (computing a check digit per row would dominate generation).
  static let isbns = (0..<40).map { isbn13(500 + $0) }

  /// Batch `number` (1-based): rows of all four commands with command ids `k<number>-<n>`.
  static func batch(_ number: Int) -> String {
    var text = fullHeader + "\n"
    text.reserveCapacity(rowsPerBatch * 70)
    for index in 0..<rowsPerBatch {
      let isbn = isbns[(index * 7 + number) % isbns.count]
      let time =
        "2024-0\(number)-\(String(format: "%02d", 1 + index / 1440 % 28))T"
        + String(format: "%02d:%02d:00Z", index / 60 % 24, index % 60)
      let user = "u\(index % 113)"
      let row: String
      switch index % 8 {
      case 0: row = "AddBook,\(isbn),\"Title \(index % 97), \(number)\",Author \(index % 13),2,"
      case 3, 6: row = "ReturnBook,\(isbn),,,,\(user)"
      case 7 where index % 64 == 7: row = "RemoveBook,\(isbn),,,,"
      default: row = "BorrowBook,\(isbn),,,,\(user)"
      }
      text += "k\(number)-\(index),\(row),\(time)\n"
    }
    return text
  }

  static let seed = csv(
    fullHeader,
    (0..<seedRows).map { "seed-\($0),AddBook,\(isbns[$0]),Seed,Author,1,,2023-12-31T00:00:0\($0)Z" }
  )

  @Test(arguments: Backend.available)
  func killedImportsLeaveWholeBatchesAndReRunsCompleteThem(on backend: Backend) async throws {
    let box = try Sandbox()
    let log = try LogUnderTest(backend)
    defer { box.remove() }
    var names: [String] = []
    var shas: [String] = []
    for number in 1...Self.batchCount {
      let text = Self.batch(number)
      names.append(try box.write("batch-\(number).csv", text))
      shas.append(SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined())
    }
    try box.write("seed.csv", Self.seed)
    let importArguments = ["import"] + names + ["--db", log.db]
    let expectedIDs = Set(
      (0..<Self.seedRows).map { "seed-\($0)" }
        + (1...Self.batchCount).flatMap { number in
          (0..<Self.rowsPerBatch).map { "k\(number)-\($0)" }
        })

    // How long one import takes here; used only to spread the kill delays, never asserted.
    try await freshLog(box, log)
    let clock = ContinuousClock()
    let started = clock.now
    let calibration = try await box.shelflog(importArguments)
    let duration = clock.now - started
    try #require(calibration.status == 0, "calibration import: \(calibration)")
    let durationNanoseconds = UInt64(
      max(
        duration.components.seconds * 1_000_000_000
          + duration.components.attoseconds / 1_000_000_000, 10_000_000))

    var random = SplitMix64(seed: 0x5EED_C0FF_EE00_0006)
    var killedMidImport = 0
    var landedHistogram = Array(repeating: 0, count: Self.batchCount + 1)
    for trial in 1...Self.trials {
      try await freshLog(box, log)
      let program = try KillableProgram(box: box, arguments: importArguments)
      if trial.isMultiple(of: 2) {
        // Anywhere from start-up to a little after the import ends.
        try await Task.sleep(nanoseconds: random.next() % (durationNanoseconds * 6 / 5 + 1))
      } else {
        // Just after a chosen number of batches committed: right at or after a commit.
        let committed = Int(random.next() % UInt64(Self.batchCount))
        while program.isRunning, try await committedBatches(log, box) < committed + 1 {
          try await Task.sleep(nanoseconds: 2_000_000)
        }
        try await Task.sleep(nanoseconds: random.next() % 20_000_000)
      }
      program.kill()
      let (status, killed) = await program.wait()
      if killed { killedMidImport += 1 }
      let context = "trial \(trial) (\(killed ? "killed" : "exit \(status)"))"
      #expect(killed ? status == SIGKILL : status == 0, "\(context): \(program.output)")

      let verify = try await box.shelflog(["verify", "--db", log.db])
      #expect(verify.status == 0, "\(context): verify after the kill: \(verify)")
      let counts = try await eventsPerBatch(log, box)
      let recorded = try await recordedBatches(log, box)
      var landed = 0
      for (index, sha) in shas.enumerated() {
        let count = counts[sha] ?? 0
        #expect(
          count == 0 || count == Self.rowsPerBatch,
          "\(context): batch-\(index + 1) is partial: \(count) of \(Self.rowsPerBatch) events")
        #expect(
          recorded.contains(sha) == (count > 0),
          "\(context): batch-\(index + 1) has \(count) events; in batches: \(recorded.contains(sha))"
        )
        if count == Self.rowsPerBatch { landed += 1 }
        // A batch the killed import already reported as imported must be there.
        let reported = program.output.split(separator: "\n").contains {
          $0.contains(" accepted") && $0.contains("sha256 \(sha.prefix(12))")
        }
        #expect(!reported || count == Self.rowsPerBatch, "\(context): batch-\(index + 1) lost")
      }
      landedHistogram[landed] += 1
      // What verify saw (first, before sqlite3 opened the log) is what the log holds.
      let inLog = "\(counts.values.reduce(0, +)) events in \(recorded.count) batches"
      #expect(verify.stdout.hasPrefix("ok: \(inLog);"), "\(context): \(inLog); \(verify)")
      #expect(
        counts.values.reduce(0, +) == Self.seedRows + landed * Self.rowsPerBatch, "\(context)")

      let rerun = try await box.shelflog(importArguments)
      #expect(rerun.status == 0, "\(context): re-run: \(rerun)")
      let verifyAgain = try await box.shelflog(["verify", "--db", log.db])
      #expect(verifyAgain.status == 0, "\(context): verify after the re-run: \(verifyAgain)")
      let ids = values(try await box.events(db: log.db), "command_id")
      let unique = Set(ids)
      #expect(ids.count == unique.count, "\(context): \(ids.count - unique.count) duplicated")
      let lost = expectedIDs.subtracting(unique).count
      let unexpected = unique.subtracting(expectedIDs).count
      #expect(unique == expectedIDs, "\(context): \(lost) lost, \(unexpected) unexpected")
    }
    print(
      "crash test: \(Self.trials) trials, \(killedMidImport) killed mid-import; batches in the log"
        + " after the kill (count: trials): "
        + landedHistogram.enumerated().map { "\($0.offset): \($0.element)" }.joined(separator: ", ")
    )
    // The odd trials kill the import right after a commit with a batch still to go.
    #expect(killedMidImport > 0, "no trial killed the import before it ended")
  }

  /// The very first import into a new log, killed about 20 ms in, can leave a log whose only
  /// table is GRDB's `grdb_migrations` (GRDB commits that table on its own, then the schema
  /// migration in a transaction of its own): `Scripts/crash-test.sh` kills imports into new
  /// logs and found exactly this file. Re-running the import must complete the log.
  @Test func firstImportKilledWhileCreatingTheLogIsCompletedByAReRun() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let left = try await box.sqlite3(
      "log.sqlite",
      [
        "PRAGMA journal_mode = WAL;",
        "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);",
      ])
    try #require(left.status == 0, "sqlite3: \(left)")
    try box.write("batch-1.csv", Self.batch(1))

    let rerun = try await box.shelflog(["import", "batch-1.csv", "--db", "log.sqlite"])
    #expect(rerun.status == 0, "re-run after the kill: \(rerun)")
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 0, "\(verify)")
    #expect(verify.stdout.hasPrefix("ok: \(Self.rowsPerBatch) events in 1 batches"), "\(verify)")
  }

  /// Removes the log and imports the seed batch into a new one.
  private func freshLog(_ box: Sandbox, _ log: LogUnderTest) async throws {
    try await log.reset(box)
    let seed = try await box.shelflog(["import", "seed.csv", "--db", log.db])
    try #require(seed.status == 0, "seed import: \(seed)")
  }

  /// Rows of the `batches` table, read with the database's client (0 when it cannot say yet).
  private func committedBatches(_ log: LogUnderTest, _ box: Sandbox) async throws -> Int {
    let result = try await log.startClient(box, ["SELECT count(*) FROM batches;"]).wait()
    return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
  }

  /// The number of events of each batch (by SHA-256), read with the database's client.
  private func eventsPerBatch(_ log: LogUnderTest, _ box: Sandbox) async throws -> [String: Int] {
    var counts: [String: Int] = [:]
    for line in try await log.rows(box, "SELECT batch, count(*) FROM events GROUP BY batch;") {
      let parts = line.split(separator: "|")
      if parts.count == 2, let count = Int(parts[1]) { counts[String(parts[0])] = count }
    }
    return counts
  }

  /// The SHA-256 of every batch in the `batches` table.
  private func recordedBatches(_ log: LogUnderTest, _ box: Sandbox) async throws -> Set<String> {
    Set(try await log.rows(box, "SELECT sha256 FROM batches;"))
  }
}

/// A `shelflog` started in a sandbox that a test can send SIGKILL; output goes to a file.
final class KillableProgram: Sendable {
  private let process: Process
  private let outputURL: URL

  init(box: Sandbox, arguments: [String]) throws {
    let executable = try #require(BinaryHarness.shelflog, "no built shelflog")
    outputURL = box.url.appendingPathComponent(".killable-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: outputURL.path, contents: nil)
    let output = try FileHandle(forWritingTo: outputURL)
    process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = BinaryHarness.environment([:])
    process.currentDirectoryURL = box.url
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
  }

  var isRunning: Bool { process.isRunning }

  /// Sends SIGKILL (a no-op once the program has ended, so a reused pid is never hit).
  func kill() {
    guard process.isRunning else { return }
    #if canImport(Glibc)
      _ = Glibc.kill(process.processIdentifier, SIGKILL)
    #else
      _ = Darwin.kill(process.processIdentifier, SIGKILL)
    #endif
  }

  /// Waits off the cooperative pool; returns the exit status, or the signal that ended it.
  func wait() async -> (status: Int32, signalled: Bool) {
    let process = self.process
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      DispatchQueue.global().async {
        process.waitUntilExit()
        continuation.resume()
      }
    }
    return (process.terminationStatus, process.terminationReason == .uncaughtSignal)
  }

  /// What the program printed (standard output and error).
  var output: String {
    String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self)
  }
}

/// A small seeded generator (SplitMix64), so every run kills at the same fractions of the import.
private struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
