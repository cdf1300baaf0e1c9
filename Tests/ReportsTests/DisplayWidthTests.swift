import Testing

@testable import Reports

@Suite("Display width and fitted tables")
struct DisplayWidthTests {
  @Test(arguments: [
    ("abc", 3), ("Café", 4), ("Cafe\u{301}", 4), ("和書", 4), ("📚", 2), ("a\u{200B}b", 2),
    ("Ｆｕｌｌ", 8), ("", 0),
  ])
  func columnsOfText(text: String, columns: Int) {
    #expect(DisplayWidth.of(text) == columns)
  }

  @Test func truncateCutsWithAnEllipsisAndNeverSplitsAWideCharacter() {
    #expect(DisplayWidth.truncate("Voyage au centre", to: 8) == "Voyage …")
    #expect(DisplayWidth.truncate("和書和書", to: 4) == "和…")
    #expect(DisplayWidth.truncate("short", to: 8) == "short")
    for width in 1...12 {
      #expect(DisplayWidth.of(DisplayWidth.truncate("和a書bc和d書e", to: width)) <= width)
    }
  }

  /// A fitted table: title and author narrowed, nothing else cut, every line within the width.
  @Test func terminalTableFitsByCuttingTitleAndAuthorOnly() {
    var table = TableWriter(style: .terminal, title: nil)
    table.layout = TerminalLayout(width: 60)
    var out = ""
    table.begin(["isbn", "title", "author", "total"], to: &out)
    table.row(
      [
        .text("9781593275846"), .text(String(repeating: "Long title ", count: 10)),
        .text(String(repeating: "和", count: 30)), .number(12),
      ], to: &out)
    table.end(to: &out)
    let lines = out.split(separator: "\n").map(String.init)
    #expect(lines.allSatisfy { DisplayWidth.of($0) <= 60 }, "\(lines)")
    #expect(lines[1].hasPrefix("9781593275846  ") && lines[1].hasSuffix("  12"))
    #expect(lines[1].contains("…"))
  }
}
