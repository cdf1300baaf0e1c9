import Testing

@testable import Check

@Suite("JUnit report")
struct JUnitReportTests {
  @Test func countsCasesAndCutsAndEscapesText() {
    var report = JUnitReport()
    var checked = CaseReport()
    let difference = Difference(
      file: "case/expected/2024-03-10/inventory.json", line: nil,
      place: "inventory.books[978].title", expected: "\"<b>&'\"", actual: "\"x\"")
    checked.cuts = [("2024-03-10", [difference]), ("2024-03-10@2024-03-06", [])]
    report.add(case: "fixtures/a&b", checked)
    report.add(case: "fixtures/broken", error: "no batches/ folder\u{1}")
    let xml = report.xml
    #expect(
      xml.contains("<testsuites name=\"shelflog check\" tests=\"3\" failures=\"1\" errors=\"1\">"))
    #expect(xml.contains("<testsuite name=\"fixtures/a&amp;b\" tests=\"2\" failures=\"1\""))
    #expect(
      xml.contains("<testcase name=\"2024-03-10@2024-03-06\" classname=\"fixtures/a&amp;b\"/>"))
    #expect(xml.contains("expected &quot;&lt;b&gt;&amp;&apos;&quot;"))
    #expect(xml.contains("<error message=\"no batches/ folder\u{FFFD}\"/>"))
    #expect(!xml.contains("<b>"))
  }
}
