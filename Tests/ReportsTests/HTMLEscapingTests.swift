import EventLog
import Foundation
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

@testable import Reports

/// Escaping is security: on random logs whose titles, authors and command ids mix markup,
/// quotes, entities, script closers and random Unicode, the HTML page keeps exactly the
/// template's elements and attributes (no value becomes markup), and its embedded JSON parses
/// to the JSON reports' values.
@Suite("HTML escaping")
struct HTMLEscapingTests {
  /// Pieces a hostile batch would try, and ordinary text.
  private static let pieces = [
    "<", ">", "&", "\"", "'", "</script>", "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<!--", "-->", "]]>", "&amp;", "&lt;", "&#60;", "{{title}}", "{{{data}}}", "\\u003c",
    "</style>",
    "<svg onload=alert(1)>", "javascript:alert(1)", "\" onmouseover=\"x", "' autofocus onfocus='x",
    "\u{2028}", "\u{2029}", "\u{202E}", "\u{FEFF}", "\t", "é", "和", "📚", "\u{301}", "`", "=",
    "Voyage", " ", "x",
  ]

  private static func hostileText(_ generator: inout SplitMix64) -> String {
    var text = "T"
    for _ in 0..<Int.random(in: 1...6, using: &generator) {
      if Int.random(in: 0..<4, using: &generator) == 0 {
        // Any scalar but controls and surrogates.
        let value = UInt32.random(in: 0x20...0x2FFFF, using: &generator)
        if let scalar = Unicode.Scalar(value), !(0x7F...0x9F).contains(value) {
          text.unicodeScalars.append(scalar)
        }
      } else {
        text += pieces.randomElement(using: &generator) ?? "x"
      }
    }
    return text + "x"
  }

  private static func csvField(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  @Test(arguments: 0..<25)
  func hostileTextsStayText(seed: Int) throws {
    var generator = SplitMix64(seed: UInt64(7_000 + seed))
    let log = try TestLog()
    var body = ""
    for index in 0..<8 {
      let isbn = ["9781593275846", "9780306406157"][index % 2]
      let id = Self.csvField(Self.hostileText(&generator))
      body +=
        "\(id),AddBook,\(isbn),\(Self.csvField(Self.hostileText(&generator))),"
        + "\(Self.csvField(Self.hostileText(&generator))),1,,2024-03-0\(index + 1)T09:00:00Z\n"
      body += "b\(index),BorrowBook,\(isbn),,,,u\(index % 3),2024-03-0\(index + 1)T10:00:00Z\n"
    }
    let summary = try log.importBatch(body, allowPartial: true)
    #expect(summary.accepted > 8, "\(log.rejects)")
    let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-03-31")))
    let projection = try Replayer.replay(
      log.store, cut: cut, policy: .standard, activity: ActivityOptions(every: .week))
    var page = ""
    HTMLReport(projection: projection).write(to: &page)

    let tags = try HTMLTags(page)
    #expect(tags.unknownElements.isEmpty, "elements: \(tags.unknownElements)")
    #expect(tags.unknownAttributes.isEmpty, "attributes: \(tags.unknownAttributes)")
    #expect(tags.count("script") == 2 && tags.count("style") == 1)
    #expect(tags.count("svg") == 3)

    // The embedded JSON has no raw <, > or &, parses, and is the JSON reports' text.
    let data = try #require(tags.embeddedJSON)
    #expect(!data.contains { $0 == "<" || $0 == ">" || $0 == "&" })
    let embedded = try #require(
      try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
    #expect(embedded.keys.sorted() == ["activity", "anomalies", "inventory", "loans", "summary"])
    let writer = ReportWriter(projection: projection)
    var files: [String] = []
    for name in [ReportName.summary, .inventory, .loans, .activity, .anomalies] {
      var text = ""
      writer.write(name, as: .json, to: &text)
      files.append("\"\(name.rawValue)\": " + text.dropLast())
    }
    #expect(unescapedScriptJSON(data) == "{" + files.joined(separator: ",\n") + "}")
  }

  /// The checker itself sees markup that slips through, so the test above cannot pass by
  /// seeing nothing.
  @Test func theTokenizerSeesInjectedMarkup() throws {
    let tags = try HTMLTags(
      "<p class=\"a\">x<img src=x onerror=alert(1)></p><script>if (a < b) {}</script>"
        + "<td title='<b>'>y</td>")
    #expect(tags.unknownElements == ["img"])
    #expect(tags.unknownAttributes == ["src", "onerror", "title"])
    #expect(tags.count("script") == 1 && tags.count("td") == 1)
  }
}

/// The elements and attribute names of a page, read by a small tokenizer that knows only what
/// the template writes (and skips the raw text of `script` and `style`).
struct HTMLTags {
  static let elements: Set<String> = [
    "!doctype", "html", "head", "meta", "link", "title", "style", "body", "header", "h1", "dl",
    "dt", "dd", "nav", "a", "main", "section", "h2", "table", "tr", "th", "td", "p", "figure",
    "svg", "desc", "text", "rect", "line", "polyline", "input", "div", "thead", "tbody", "footer",
    "script",
  ]
  static let attributes: Set<String> = [
    "lang", "charset", "name", "content", "http-equiv", "rel", "href", "class", "scope", "id",
    "role", "aria-labelledby", "viewbox", "width", "height", "xmlns", "x", "y", "x1", "y1", "x2",
    "y2", "text-anchor", "transform", "fill", "points", "stroke", "stroke-width", "dx", "type",
    "data-table", "placeholder", "aria-label", "hidden", "data-type", "data-left-out", "html",
  ]

  private(set) var counts: [String: Int] = [:]
  private(set) var unknownElements: Set<String> = []
  private(set) var unknownAttributes: Set<String> = []
  private(set) var embeddedJSON: String?

  struct Malformed: Error, CustomStringConvertible {
    var description: String
  }

  init(_ page: String) throws {
    let bytes = Array(page.utf8)
    var index = 0
    func isNameByte(_ byte: UInt8) -> Bool {
      (0x61...0x7A).contains(byte | 0x20) || (0x30...0x39).contains(byte) || byte == 0x2D
        || byte == 0x21
    }
    while index < bytes.count {
      guard bytes[index] == UInt8(ascii: "<") else {
        index += 1
        continue
      }
      index += 1
      let closing = index < bytes.count && bytes[index] == UInt8(ascii: "/")
      if closing { index += 1 }
      var nameEnd = index
      while nameEnd < bytes.count, isNameByte(bytes[nameEnd]) { nameEnd += 1 }
      let name = String(decoding: bytes[index..<nameEnd], as: UTF8.self).lowercased()
      guard !name.isEmpty else {
        throw Malformed(description: "a < that starts no tag at \(index)")
      }
      index = nameEnd
      var attributeStart = -1
      var isDataScript = false
      while index < bytes.count, bytes[index] != UInt8(ascii: ">") {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
          let quote = byte
          let valueStart = index + 1
          index += 1
          while index < bytes.count, bytes[index] != quote { index += 1 }
          let value = String(decoding: bytes[valueStart..<min(index, bytes.count)], as: UTF8.self)
          if value == "shelflog-data" { isDataScript = true }
        } else if byte == UInt8(ascii: "="), index + 1 < bytes.count,
          bytes[index + 1] != UInt8(ascii: "\""), bytes[index + 1] != UInt8(ascii: "'")
        {
          if attributeStart >= 0 {
            let attribute = String(decoding: bytes[attributeStart..<index], as: UTF8.self)
            if !closing, !Self.attributes.contains(attribute.lowercased()) {
              unknownAttributes.insert(attribute)
            }
            attributeStart = -1
          }
          // An unquoted value runs to white space or the tag's end.
          while index + 1 < bytes.count, bytes[index + 1] != UInt8(ascii: ">"),
            bytes[index + 1] != UInt8(ascii: " ")
          {
            index += 1
          }
        } else if isNameByte(byte) && attributeStart < 0 {
          attributeStart = index
        } else if !isNameByte(byte) && attributeStart >= 0 {
          let attribute = String(decoding: bytes[attributeStart..<index], as: UTF8.self)
          if !closing, !Self.attributes.contains(attribute.lowercased()) {
            unknownAttributes.insert(attribute)
          }
          attributeStart = -1
        }
        index += 1
      }
      index += 1
      if closing { continue }
      counts[name, default: 0] += 1
      if !Self.elements.contains(name) { unknownElements.insert(name) }
      if name == "script" || name == "style" {
        let end = Array("</\(name)>".utf8)
        var search = index
        while search + end.count <= bytes.count,
          !bytes[search..<(search + end.count)].elementsEqual(end)
        {
          search += 1
        }
        guard search + end.count <= bytes.count else {
          throw Malformed(description: "<\(name)> is never closed")
        }
        if isDataScript {
          embeddedJSON = String(decoding: bytes[index..<search], as: UTF8.self)
        }
        index = search + end.count
      }
    }
  }

  func count(_ element: String) -> Int { counts[element, default: 0] }
}
