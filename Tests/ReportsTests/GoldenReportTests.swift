import EventLog
import Foundation
import LibraryDomain
import Replay
import Reports
import ShelflogTestSupport
import Testing

/// Golden files: the JSON reports of each fixture case's `expected/<T>[@K]/` (docs/check.md),
/// and CSV and Markdown renderings under `Tests/ReportsTests/Golden/<case>/<T>[@K]/`.
/// Re-record with `SHELFLOG_RECORD_GOLDEN=1 swift test --filter GoldenReportTests`, then review
/// the diff.
@Suite("Golden reports")
struct GoldenReportTests {
  static let cases = ["seed-example", "demo"]
  static let recording = ProcessInfo.processInfo.environment["SHELFLOG_RECORD_GOLDEN"] == "1"

  @Test(arguments: cases)
  func reportsMatchTheirGoldenFiles(caseName: String) throws {
    let root = repositoryRoot()
    let folder = root.appendingPathComponent("fixtures/\(caseName)")
    let expected = folder.appendingPathComponent("expected")
    let cuts = try FileManager.default.contentsOfDirectory(atPath: expected.path).sorted()
    #expect(!cuts.isEmpty, "\(caseName) has no expected reports")
    let log = try TestLog()
    try log.importCase(folder)
    for cutName in cuts {
      let cut = try #require(ReplayCut(notation: cutName))
      let writer = ReportWriter(
        projection: try Replayer.replay(
          log.store, cut: cut, policy: .standard, activity: ActivityOptions()))
      let golden = root.appendingPathComponent("Tests/ReportsTests/Golden/\(caseName)/\(cutName)")
      for name in ReportName.allCases {
        try compare(
          writer, name, .json, expected.appendingPathComponent("\(cutName)/\(name.rawValue).json"))
        try compare(writer, name, .csv, golden.appendingPathComponent("\(name.rawValue).csv"))
        try compare(writer, name, .md, golden.appendingPathComponent("\(name.rawValue).md"))
      }
    }
  }

  private func compare(
    _ writer: ReportWriter, _ name: ReportName, _ format: ReportFormat, _ file: URL
  ) throws {
    var text = ""
    writer.write(name, as: format, to: &text)
    if Self.recording {
      try FileManager.default.createDirectory(
        at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
      try text.write(to: file, atomically: true, encoding: .utf8)
      return
    }
    let golden = try String(contentsOf: file, encoding: .utf8)
    #expect(
      text == golden,
      "\(file.path) differs; re-record with SHELFLOG_RECORD_GOLDEN=1 and review the diff")
  }
}
