import Foundation
import ShelflogTestSupport
import Testing

/// `shelflog check` through the binary: a pass, a readable diff for a JSON report and for an
/// assertion line, and `--update`.
@Suite("check through the binary")
struct CheckCommandTests {
  /// A copy of the seed-example case in a sandbox.
  private func seedCase() throws -> Sandbox {
    let box = try Sandbox()
    try FileManager.default.copyItem(
      at: repositoryRoot().appendingPathComponent("fixtures/seed-example"),
      to: box.url.appendingPathComponent("case"))
    return box
  }

  @Test func bundledFixturesPass() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let fixtures = repositoryRoot().appendingPathComponent("fixtures")
    // As CI runs it: `shelflog check fixtures/*`, which also names fixtures/README.md.
    let entries = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted()
      .map { fixtures.appendingPathComponent($0).path }
    let cases = entries.filter { FileManager.default.fileExists(atPath: $0 + "/batches") }
    #expect(cases.count >= 7 && entries.count > cases.count)
    let run = try await box.shelflog(["check"] + entries)
    #expect(run.status == 0, "\(run)")
    #expect(run.stderr.contains("README.md: not a folder, skipped"))
    #expect(
      run.stdoutLines.filter { $0.hasSuffix(")") && $0.contains(": ok (") }.count == cases.count)
  }

  @Test func editedNumberInAJSONReportIsNamedAndUpdateRestoresIt() async throws {
    let box = try seedCase()
    defer { box.remove() }
    let file = "case/expected/2018-02-01/inventory.json"
    let original = try box.read(file)
    let text = String(decoding: original, as: UTF8.self)
    try box.write(file, text.replacingOccurrences(of: "\"available\": 9", with: "\"available\": 8"))

    let failed = try await box.shelflog(["check", "case"])
    #expect(failed.status == 1, "\(failed)")
    #expect(
      failed.stdoutLines.contains(
        "case/expected/2018-02-01/inventory.json: inventory.books[9781593275846].available:"
          + " expected 8, actual 9"), "\(failed)")

    let updated = try await box.shelflog(["check", "case", "--update"])
    #expect(updated.status == 0)
    #expect(updated.stdoutLines.contains("updated \(file)"))
    #expect(try box.read(file) == original)
    let again = try await box.shelflog(["check", "case"])
    #expect(again.status == 0)
  }

  @Test func failedAssertionNamesFileLineExpectedAndActual() async throws {
    let box = try seedCase()
    defer { box.remove() }
    let file = "case/expected/2018-02-01/assertions.txt"
    let text = String(decoding: try box.read(file), as: UTF8.self)
    try box.write(
      file,
      text.replacingOccurrences(
        of: "available 9781593275846 = 9", with: "available 9781593275846 = 7"))
    let failed = try await box.shelflog(["check", "case"])
    #expect(failed.status == 1)
    #expect(
      failed.stdoutLines.contains(
        "case/expected/2018-02-01/assertions.txt:4: available 9781593275846: expected 7, actual 9"),
      "\(failed)")
    let updated = try await box.shelflog(["check", "case", "--update"])
    #expect(updated.status == 0)
    #expect(String(decoding: try box.read(file), as: UTF8.self) == text)
    #expect(try await box.shelflog(["check", "case"]).status == 0)
  }

  @Test func malformedCaseIsADataErrorAndOtherCasesStillRun() async throws {
    let box = try seedCase()
    defer { box.remove() }
    try box.write("case/expected/2018-02-01/assertions.txt", "shelves = 3\n")
    try FileManager.default.createDirectory(
      atPath: box.path("empty"), withIntermediateDirectories: true)
    let run = try await box.shelflog(["check", "empty", "case"])
    #expect(run.status == 65)
    #expect(run.stderr.contains("empty: no batches/ folder"))
    #expect(run.stderr.contains("assertions.txt:1: unknown assertion 'shelves'"), "\(run)")
  }
}
