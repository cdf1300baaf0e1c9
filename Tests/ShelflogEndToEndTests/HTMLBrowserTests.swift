import Foundation
import ShelflogTestSupport
import Testing

/// Headless Chromium, from Debian's packages (`apt-get install chromium`; `.ci/run` installs
/// it). Without it the browser tests are skipped, never passed.
enum Chromium {
  static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  /// What a headless run of a page gave: the DOM after its scripts ran, what the page wrote to
  /// the console, and the network requests it started (the browser's own, made for no page,
  /// are left out).
  struct Visit {
    var dom: String
    var console: [String]
    var pageRequests: [String]
  }

  /// Loads `page` (a file) headless and dumps its DOM.
  static func visit(_ page: String, in box: Sandbox) async throws -> Visit {
    let chromium = try #require(path)
    let id = UUID().uuidString
    var arguments = [
      "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--user-data-dir=\(box.path("chromium-\(id)"))", "--enable-logging=stderr", "--v=0",
      "--log-net-log=\(box.path("net-\(id).json"))",
    ]
    arguments += ["--dump-dom", "file://\(page)"]
    let run = try await box.run(chromium, arguments, environment: ["HOME": box.path(".")])
    #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
    let console = run.stderrLines.filter { $0.contains(":CONSOLE") }
    return Visit(
      dom: run.stdout, console: console,
      pageRequests: try pageRequests(box.path("net-\(id).json")))
  }

  /// URLs of requests in a Chromium net log that a page started: every request but those the
  /// browser makes for itself (their initiator is "not an origin").
  private static func pageRequests(_ netLog: String) throws -> [String] {
    let data = try Data(contentsOf: URL(fileURLWithPath: netLog))
    let log = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let types = (log["constants"] as? [String: Any])?["logEventTypes"] as? [String: Int] ?? [:]
    let start = try #require(types["URL_REQUEST_START_JOB"])
    var urls: [String] = []
    for event in log["events"] as? [[String: Any]] ?? [] where event["type"] as? Int == start {
      // The job's start carries its URL and initiator; its end has no parameters.
      guard let params = event["params"] as? [String: Any], let url = params["url"] as? String
      else { continue }
      if params["initiator"] as? String != "not an origin" { urls.append(url) }
    }
    return urls
  }

  /// Takes a screenshot of `page` into `png`.
  static func screenshot(_ page: String, to png: String, in box: Sandbox) async throws {
    let chromium = try #require(path)
    let run = try await box.run(
      chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--user-data-dir=\(box.path("chromium-shot"))", "--hide-scrollbars",
        "--window-size=1200,1800", "--screenshot=\(png)", "file://\(page)",
      ], environment: ["HOME": box.path(".")])
    #expect(run.status == 0, "\(run.stderr.suffix(2_000))")
  }
}

/// The HTML report in a real browser, through the binary: it loads from `file://` with no
/// console message and no request outside the page; its scripts run (the content security
/// policy admits exactly them); hostile titles stay text in the DOM; the embedded JSON is the
/// JSON files'; the figures are in the markup, for a reader with scripts off; a screenshot is
/// taken.
@Suite(
  "HTML report in a browser",
  .enabled(if: Chromium.path != nil, "needs Chromium (apt-get install chromium)"))
struct HTMLBrowserTests {
  @Test func demoPageLoadsOfflineCleanly() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let fixture = repositoryRoot().appendingPathComponent("fixtures/demo").path
    let audit = try await box.shelflog([
      "audit", fixture, "--db", "log.sqlite", "--out", "out", "--at", "2024-06-30",
    ])
    #expect(audit.status == 0, "\(audit)")
    let page = box.path("out/index.html")
    let visit = try await Chromium.visit(page, in: box)
    #expect(visit.console.isEmpty, "console: \(visit.console)")
    #expect(visit.pageRequests.isEmpty, "requests: \(visit.pageRequests)")
    #expect(visit.dom.contains("<h1>Library report at 2024-06-30T23:59:59.999999Z</h1>"))
    // The page's script ran: it shows the filter boxes it hides otherwise.
    #expect(visit.dom.contains("class=\"filter\"") && !visit.dom.contains("hidden=\"\""))
    try expectEmbeddedJSONEqualsTheFiles(visit.dom, folder: box.path("out"))

    // With scripts off the page is its markup: the figures are in it, outside any script.
    let source = String(decoding: try box.read("out/index.html"), as: UTF8.self)
    let scriptless = source.replacingOccurrences(
      of: "<script[^>]*>.*?</script>", with: "", options: .regularExpression)
    let summary =
      try JSONSerialization.jsonObject(
        with: try box.read("out/summary.json")) as? [String: Any]
    for key in ["copies_on_loan", "open_loans", "overdue_loans"] {
      let value = try #require(summary?[key] as? Int)
      let row =
        "<th scope=\"row\">\(key.replacingOccurrences(of: "_", with: " "))</th>"
        + "<td class=\"number\">\(value)</td>"
      #expect(scriptless.contains(row), "\(key) with scripts off")
    }

    try await Chromium.screenshot(page, to: box.path("page.png"), in: box)
    let png = try box.read("page.png")
    #expect(png.count > 20_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
  }

  @Test func hostileTitlesAreTextInTheDOM() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let hostile = [
      "</script><img src=x onerror=alert(1)>", "\"><svg onload=alert(2)>",
      "<!-- {{{data}}} --><b>bold</b>", "' onmouseover='alert(3)", "&lt;script&gt;",
    ]
    var rows: [String] = []
    for (index, title) in hostile.enumerated() {
      let field = "\"" + title.replacingOccurrences(of: "\"", with: "\"\"") + "\""
      rows.append(
        "h\(index),AddBook,\(isbn13(index)),\(field),\(field),1,,2024-03-0\(index + 1)T09:00:00Z")
      rows.append(
        "b\(index),BorrowBook,\(isbn13(index)),,,,u\(index),2024-03-0\(index + 1)T10:00:00Z")
    }
    try box.write("hostile.csv", csv(fullHeader, rows))
    let audit = try await box.shelflog([
      "audit", "hostile.csv", "--db", "log.sqlite", "--out", "out", "--at", "2024-03-31",
      "--recorded-at", "2024-04-01T00:00:00Z",
    ])
    #expect(audit.status == 0, "\(audit)")
    let visit = try await Chromium.visit(box.path("out/index.html"), in: box)
    #expect(visit.console.isEmpty, "console: \(visit.console)")
    #expect(visit.pageRequests.isEmpty, "requests: \(visit.pageRequests)")
    for marker in ["<img", "<svg onload", "<b>bold", "onerror=\"", "onmouseover=\""] {
      #expect(!visit.dom.contains(marker), "\(marker) became markup")
    }
    #expect(visit.dom.contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"))
    #expect(visit.dom.contains("&amp;lt;script&amp;gt;"))
    #expect(visit.dom.components(separatedBy: "<script").count - 1 == 2)
    try expectEmbeddedJSONEqualsTheFiles(visit.dom, folder: box.path("out"))
  }

  /// The checks above can fail: a page that logs, fails and loads something from outside is
  /// caught by them.
  @Test func theChecksCatchAFaultyPage() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try box.write(
      "faulty.html",
      "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\">"
        + "<script>console.error(\"boom\"); missing();</script></body></html>")
    let visit = try await Chromium.visit(box.path("faulty.html"), in: box)
    #expect(visit.console.count == 2, "\(visit.console)")
    #expect(visit.pageRequests == ["http://127.0.0.1:9/x.png"])
  }

  /// The `shelflog-data` element holds the five JSON files' text (its `<`, `>`, `&` escaped).
  private func expectEmbeddedJSONEqualsTheFiles(_ dom: String, folder: String) throws {
    let start = try #require(dom.range(of: "id=\"shelflog-data\">"))
    let end = try #require(dom.range(of: "</script>", range: start.upperBound..<dom.endIndex))
    let embedded = unescapedScriptJSON(String(dom[start.upperBound..<end.lowerBound]))
    var files: [String] = []
    for name in ["summary", "inventory", "loans", "activity", "anomalies"] {
      let text = String(
        decoding: try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).json")),
        as: UTF8.self)
      files.append("\"\(name)\": " + text.dropLast())
    }
    #expect(embedded == "{" + files.joined(separator: ",\n") + "}")
  }
}
