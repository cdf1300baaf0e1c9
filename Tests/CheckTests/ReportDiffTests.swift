import ShelflogTestSupport
import Testing

@testable import Check

@Suite("Report diff")
struct ReportDiffTests {
  private static let inventory = """
    {
      "at": "2024-06-30T23:59:59.999999Z",
      "known_at": null,
      "books": [
        {"isbn": "9781593275846", "title": "Elixir \\"in\\" Action", "total": 10, "on_loan": 1, "available": 9},
        {"isbn": "9781680502992", "title": "Programming", "total": 5, "on_loan": 0, "available": 5}
      ]
    }
    """

  private func diff(_ expected: String, _ actual: String) -> [String] {
    var diff = ReportDiff(file: "inventory.json", report: "inventory")
    diff.compare(expected: expected, actual: actual)
    return diff.differences.map { "\($0.place): \($0.expected) -> \($0.actual)" }
  }

  @Test func sameContentInOtherWhiteSpaceIsNoDifference() {
    let compact = Self.inventory.replacingOccurrences(of: "\n", with: "")
      .replacingOccurrences(of: "  ", with: "")
    #expect(diff(Self.inventory, compact).isEmpty)
  }

  @Test func namesTheRowByISBNAndTheField() {
    let edited = Self.inventory.replacingOccurrences(
      of: "\"available\": 9", with: "\"available\": 8")
    #expect(diff(edited, Self.inventory) == ["inventory.books[9781593275846].available: 8 -> 9"])
  }

  @Test func missingExtraAndReorderedRows() {
    let lines = Self.inventory.split(separator: "\n").map(String.init)
    let swapped = (lines[0..<4] + [lines[5] + ",", String(lines[4].dropLast())] + lines[6...])
      .joined(separator: "\n")
    #expect(
      diff(Self.inventory, swapped) == [
        "inventory.books order: 9781593275846, 9781680502992 -> 9781680502992, 9781593275846"
      ])
    let dropped = (lines[0..<4] + [String(lines[4].dropLast())] + lines[6...]).joined(
      separator: "\n")
    #expect(
      diff(Self.inventory, dropped).first?.hasPrefix("inventory.books[9781680502992]: {") == true)
    #expect(
      diff(dropped, Self.inventory).first?.hasSuffix(
        "-> {\"isbn\": \"9781680502992\", \"title\": \"Programming\", \"total\": 5, \"on_loan\": 0, \"available\": 5}"
      ) == true)
  }

  @Test func anomaliesAreMatchedByPositionAndType() {
    let expected = """
      {"anomalies": [{"type": "over_borrow", "position": 7, "user_id": "ann"},
                     {"type": "loan_limit_exceeded", "position": 7, "user_id": "ann"}]}
      """
    let actual = expected.replacingOccurrences(
      of: "\"loan_limit_exceeded\", \"position\": 7, \"user_id\": \"ann\"",
      with: "\"loan_limit_exceeded\", \"position\": 7, \"user_id\": \"bob\"")
    #expect(
      diff(expected, actual) == [
        "inventory.anomalies[position 7 loan_limit_exceeded].user_id: \"ann\" -> \"bob\""
      ])
  }

  @Test func invalidJSONIsADifference() {
    #expect(
      diff("{\"at\": ", Self.inventory) == ["inventory: not valid JSON -> a inventory report"])
  }

  @Test(arguments: [
    ("{\"a\": [1, 2.5, -3e2, true, false, null, \"x\\u00e9\\ud83d\\udcda\\n\"]}", true),
    ("{\"a\": }", false),
    ("[1, 2", false),
    ("{} x", false),
  ])
  func parsesJSON(text: String, valid: Bool) {
    let value = JSONValue.parse(text)
    #expect((value != nil) == valid)
    if valid {
      #expect(
        value?["a"]
          == .array([
            .number("1"), .number("2.5"), .number("-3e2"), .bool(true), .bool(false), .null,
            .string("xé📚\n"),
          ]))
    }
  }
}
