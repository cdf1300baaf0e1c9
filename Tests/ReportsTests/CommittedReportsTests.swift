import EventLog
import Foundation
import LibraryDomain
import Replay
import Reports
import ShelflogTestSupport
import Testing

/// `reports/demo/` holds example reports generated from `fixtures/demo`; this fails when they no
/// longer match what the code writes.
@Suite("Committed example reports")
struct CommittedReportsTests {
  static let refresh =
    "swift run -c release shelflog audit fixtures/demo --db /tmp/shelflog-demo.sqlite"
    + " --out reports/demo --at 2024-06-30 (with a fresh --db)"

  @Test func reportsDemoMatchesTheCode() throws {
    let root = repositoryRoot()
    let log = try TestLog()
    try log.importCase(root.appendingPathComponent("fixtures/demo"))
    let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-06-30")))
    let projection = try Replayer.replay(
      log.store, cut: cut, policy: .standard, activity: ActivityOptions())
    let writer = ReportWriter(projection: projection)
    var page = ""
    HTMLReport(projection: projection).write(to: &page)
    let html = root.appendingPathComponent("reports/demo/index.html")
    #expect(
      page == (try String(contentsOf: html, encoding: .utf8)),
      "\(html.path) is stale; refresh with: \(Self.refresh)")
    var files: [Manifest.File] = []
    for name in ReportName.allCases {
      for format in [ReportFormat.json, .csv, .md] {
        let file = root.appendingPathComponent("reports/demo/\(name.rawValue).\(format.rawValue)")
        var text = ""
        writer.write(name, as: format, to: &text)
        let committed = try String(contentsOf: file, encoding: .utf8)
        #expect(text == committed, "\(file.path) is stale; refresh with: \(Self.refresh)")
        files.append(
          Manifest.File(
            name: file.lastPathComponent, bytes: text.utf8.count, sha256: sha256Hex(text.utf8)))
      }
    }
    files.append(
      Manifest.File(name: "index.html", bytes: page.utf8.count, sha256: sha256Hex(page.utf8)))
    let manifest = Manifest(
      cut: cut, policy: .standard, activity: Manifest.ActivityOptionsText(every: .month, from: nil),
      logHead: projection.head, files: files)
    let committed = try String(
      contentsOf: root.appendingPathComponent("reports/demo/manifest.json"), encoding: .utf8)
    #expect(
      manifest.json == committed,
      "reports/demo/manifest.json is stale; refresh with: \(Self.refresh)")
  }
}
