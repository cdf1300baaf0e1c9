import Foundation
import Testing

/// `shelflog snapshot`, and reports resumed from its snapshots, through the binary.
@Suite("Snapshots through the binary")
struct SnapshotCommandTests {
  private func generatedLog() async throws -> Sandbox {
    let box = try Sandbox()
    for (seed, recorded) in [("5", "2031-01-01T00:00:00Z"), ("6", "2031-01-02T00:00:00Z")] {
      let made = try await box.shelflog(
        ["generate", "--rows", "3000", "--seed", seed, "--out", "w\(seed).csv"])
      #expect(made.status == 0, "\(made)")
      let imported = try await box.shelflog(
        ["import", "w\(seed).csv", "--db", "log.sqlite", "--recorded-at", recorded])
      #expect(imported.status == 0, "\(imported)")
    }
    return box
  }

  @Test func reportsFromSnapshotsMatchFullReplaysAndRefreshIsIncremental() async throws {
    let box = try await generatedLog()
    defer { box.remove() }
    let first = try await box.shelflog(["snapshot", "--db", "log.sqlite", "--every", "700"])
    #expect(first.status == 0, "\(first)")
    #expect(first.stdout.contains("snapshots: 9 stored for max_loans 5; replayed 6000 events"))
    let again = try await box.shelflog(["snapshot", "--db", "log.sqlite", "--every", "700"])
    #expect(again.stdout.contains("0 stored for max_loans 5; replayed 0 events from the snapshot"))

    for at in ["2020-01-02", "2020-01-20T12:00:00Z", "2020-02-10", "2031-01-01"] {
      for (report, format) in [("summary", "json"), ("inventory", "csv")] {
        let cut = ["--db", "log.sqlite", "--at", at, "--format", format]
        let resumed = try await box.shelflog(["report", report] + cut)
        let full = try await box.shelflog(["report", report] + cut + ["--no-snapshots"])
        #expect(resumed.status == 0 && full.status == 0, "\(resumed)")
        #expect(resumed.stdout == full.stdout, "\(report) at \(at)")
      }
    }
    let known = ["--db", "log.sqlite", "--at", "2031-01-01", "--known-at", "2031-01-01"]
    let resumed = try await box.shelflog(["report", "summary"] + known)
    let full = try await box.shelflog(["report", "summary"] + known + ["--no-snapshots"])
    #expect(resumed.stdout == full.stdout)
    #expect(resumed.stdout.contains("events                           3000"))
  }

  @Test func verifyNamesADamagedSnapshotAndRebuildRepairsIt() async throws {
    let box = try await generatedLog()
    defer { box.remove() }
    _ = try await box.shelflog(["snapshot", "--db", "log.sqlite", "--every", "2000"])
    #expect(try await box.shelflog(["verify", "--db", "log.sqlite"]).status == 0)
    let tampered = try await box.sqlite3(
      "log.sqlite", ["UPDATE snapshots SET state = zeroblob(length(state)) WHERE id = 2;"])
    #expect(tampered.status == 0, "\(tampered)")
    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("FAILED at snapshot 2"), "\(verify)")
    let rebuilt = try await box.shelflog(["snapshot", "--db", "log.sqlite", "--rebuild"])
    #expect(rebuilt.stdout.contains("replayed 6000 events from the start"), "\(rebuilt)")
    #expect(try await box.shelflog(["verify", "--db", "log.sqlite"]).status == 0)
  }
}
