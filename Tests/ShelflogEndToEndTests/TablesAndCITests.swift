import Foundation
import ShelflogTestSupport
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Tables that fit the terminal, `check --junit`, and the help text every option carries,
/// through the binary.
@Suite("Tables, JUnit and help")
struct TablesAndCITests {
  /// A log whose titles and authors are far wider than a terminal.
  private func logWithLongTitles(_ box: Sandbox) async throws {
    var rows: [String] = []
    for index in 0..<6 {
      let title = String(repeating: "Voyage au centre de la Terre ", count: 8) + "\(index)"
      let author = "Jules Verne " + String(repeating: "和", count: 40)
      rows.append(
        "a\(index),AddBook,\(isbn13(index)),\"\(title)\",\(author),2,,2024-01-05T09:00:00Z")
    }
    try box.write("books.csv", csv(fullHeader, rows))
    let run = try await box.shelflog([
      "import", "books.csv", "--db", "log.sqlite", "--recorded-at", "2024-01-06T00:00:00Z",
    ])
    #expect(run.status == 0, "\(run)")
  }

  /// The columns a line takes on a terminal, as the test counts them on its own: East Asian
  /// wide characters two, the rest of this text one.
  private func columns(_ line: String) -> Int {
    line.unicodeScalars.reduce(0) { $0 + ((0x4E00...0x9FFF).contains($1.value) ? 2 : 1) }
  }

  /// `script` gives the program a pseudo-terminal; its output comes back with CRLF.
  private func onTerminal(
    _ box: Sandbox, _ command: String, columns: Int
  ) async throws -> [String] {
    let shelflog = try #require(BinaryHarness.shelflog)
    let run = try await box.run(
      "/usr/bin/script", ["-qec", "\(shelflog.path) \(command)", "/dev/null"],
      environment: ["COLUMNS": String(columns), "TERM": "dumb"])
    #expect(run.status == 0, "\(run)")
    return run.stdout.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(
      String.init)
  }

  @Test func tablesFitEightyColumnsOnATerminal() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await logWithLongTitles(box)
    let inventory = try await onTerminal(
      box, "report inventory --db log.sqlite --at 2024-02-01", columns: 80)
    #expect(inventory.count >= 8, "\(inventory)")
    for line in inventory { #expect(columns(line) <= 80, "\(columns(line)): \(line)") }
    #expect(inventory.contains { $0.contains("…") }, "long cells are cut with …")
    let log = try await onTerminal(box, "log --db log.sqlite", columns: 80)
    for line in log { #expect(columns(line) <= 80, "\(columns(line)): \(line)") }
    #expect(log.count == 7 && log.dropFirst().allSatisfy { $0.hasSuffix("…") }, "\(log)")

    let wide = try await onTerminal(
      box, "report inventory --db log.sqlite --at 2024-02-01 --wide", columns: 80)
    #expect(wide.contains { columns($0) > 200 }, "--wide shows cells whole")
    #expect(!wide.contains { $0.contains("…") })
  }

  @Test func aPipeIsNeverCutUnlessColumnsIsSet() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try await logWithLongTitles(box)
    let piped = try await box.shelflog(["report", "inventory", "--db", "log.sqlite"])
    #expect(piped.stdoutLines.contains { columns($0) > 200 })
    #expect(!piped.stdout.contains("…"))
    let asked = try await box.shelflog(
      ["report", "inventory", "--db", "log.sqlite"], environment: ["COLUMNS": "100"])
    #expect(asked.stdoutLines.allSatisfy { columns($0) <= 100 }, "\(asked)")
  }

  /// `check --junit`: XML that parses, one testsuite per case and one testcase per expected
  /// cut; after an expected number is edited, a failure naming the difference.
  @Test func junitReportParsesAndShowsAnEditedNumber() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    try FileManager.default.copyItem(
      at: repositoryRoot().appendingPathComponent("fixtures/seed-example"),
      to: box.url.appendingPathComponent("seed-example"))
    let pass = try await box.shelflog(["check", "seed-example", "--junit", "junit.xml"])
    #expect(pass.status == 0, "\(pass)")
    let cuts = try FileManager.default.contentsOfDirectory(
      atPath: box.path("seed-example/expected"))
    var parsed = try JUnitDocument(try box.read("junit.xml"))
    #expect(
      parsed.suites == [JUnitDocument.Suite(name: "seed-example", tests: cuts.count, failures: 0)])
    #expect(Set(parsed.cases) == Set(cuts))
    #expect(parsed.failures.isEmpty)

    // A cut whose folder holds the summary report.
    let cut = try #require(
      cuts.sorted().first {
        FileManager.default.fileExists(atPath: box.path("seed-example/expected/\($0)/summary.json"))
      })
    let file = "seed-example/expected/\(cut)/summary.json"
    let text = String(decoding: try box.read(file), as: UTF8.self)
    let edited = text.replacingOccurrences(
      of: #""events": (\d+)"#, with: "\"events\": 99999", options: .regularExpression)
    #expect(edited != text)
    try box.write(file, edited)
    let fail = try await box.shelflog(["check", "seed-example", "--junit", "junit.xml"])
    #expect(fail.status == 1, "\(fail)")
    parsed = try JUnitDocument(try box.read("junit.xml"))
    #expect(parsed.suites.first?.failures == 1)
    let failure = try #require(parsed.failures.first)
    #expect(failure.testcase == cut)
    #expect(failure.message.contains("summary.events: expected 99999"), "\(failure)")
  }

  /// Every option and argument of every command has help text (what `--help`, the manual and
  /// the completion scripts show), and the completion scripts are generated.
  @Test func everyOptionHasHelpAndCompletionsGenerate() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let dump = try await box.shelflog(["--experimental-dump-help"])
    #expect(dump.status == 0)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
    var missing: [String] = []
    var commands = [(try #require(object["command"] as? [String: Any]), "shelflog")]
    while let (command, path) = commands.popLast() {
      for argument in command["arguments"] as? [[String: Any]] ?? [] {
        let names = (argument["names"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        let name = names?.first ?? (argument["valueName"] as? String ?? "?")
        if name == "help" || name == "version" { continue }
        if (argument["abstract"] as? String ?? "").isEmpty { missing.append("\(path) \(name)") }
      }
      for sub in command["subcommands"] as? [[String: Any]] ?? []
      where sub["commandName"] as? String != "help" {
        commands.append((sub, "\(path) \(sub["commandName"] as? String ?? "?")"))
      }
    }
    #expect(missing.isEmpty, "options without help: \(missing)")
    for shell in ["bash", "zsh", "fish"] {
      let script = try await box.shelflog(["--generate-completion-script", shell])
      #expect(script.status == 0 && script.stdout.contains("report"), "\(shell)")
    }
  }
}

/// What the tests read of a JUnit file, through an XML parser (so it must parse).
private struct JUnitDocument {
  struct Suite: Equatable {
    var name: String
    var tests: Int
    var failures: Int
  }

  var suites: [Suite] = []
  var cases: [String] = []
  var failures: [(testcase: String, message: String)] = []

  init(_ data: Data) throws {
    let delegate = Collector()
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    guard parser.parse() else {
      throw CocoaError(
        .coderReadCorrupt, userInfo: ["parser": "\(String(describing: parser.parserError))"])
    }
    suites = delegate.suites
    cases = delegate.cases
    failures = delegate.failures
  }

  private final class Collector: NSObject, XMLParserDelegate {
    var suites: [Suite] = []
    var cases: [String] = []
    var failures: [(testcase: String, message: String)] = []

    func parser(
      _ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
      qualifiedName: String?, attributes: [String: String] = [:]
    ) {
      switch element {
      case "testsuite":
        suites.append(
          Suite(
            name: attributes["name"] ?? "", tests: Int(attributes["tests"] ?? "") ?? -1,
            failures: Int(attributes["failures"] ?? "") ?? -1))
      case "testcase": cases.append(attributes["name"] ?? "")
      case "failure": failures.append((cases.last ?? "", attributes["message"] ?? ""))
      default: break
      }
    }
  }
}
