import EventLog
import Foundation
import LibraryDomain
import Replay
import Reports
import ShelflogTestSupport
import Testing

private let hostile = "Ça, \"quoted\" | <b>bold</b> 📚 \u{200F}rtl"

/// A small log whose title needs quoting in every format.
private func hostileLog() throws -> TestLog {
  let log = try TestLog()
  try log.importBatch(
    "a1,AddBook,9781593275846,\"\(hostile.replacingOccurrences(of: "\"", with: "\"\""))\",A,2,,2024-03-01T09:00:00Z\n"
      + ",BorrowBook,9781593275846,,,,ann,2024-03-02T09:00:00Z\n"
      + "x1,ReturnBook,9781593275846,,,,bob,2024-03-03T09:00:00Z\n")
  return log
}

private func render(
  _ log: TestLog, _ name: ReportName, _ format: ReportFormat, filter: ReportFilter = ReportFilter()
) throws -> String {
  let cut = ReplayCut(at: try #require(Timestamp(cut: "2024-06-30")))
  let projection = try Replayer.replay(log.store, cut: cut, policy: .standard)
  var text = ""
  ReportWriter(projection: projection, filter: filter).write(name, as: format, to: &text)
  return text
}

@Suite("Report formats")
struct ReportFormatTests {
  @Test func sameLogAndFlagsGiveTheSameBytes() throws {
    let log = try hostileLog()
    for name in ReportName.allCases {
      for format in [ReportFormat.json, .csv, .md, .table] {
        #expect(try render(log, name, format) == render(log, name, format))
      }
    }
  }

  @Test func jsonKeepsSpecKeyOrderAndParses() throws {
    let log = try hostileLog()
    let inventory = try render(log, .inventory, .json)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(inventory.utf8)) as? [String: Any])
    let books = try #require(object["books"] as? [[String: Any]])
    #expect(books.first?["title"] as? String == hostile)
    #expect(object["known_at"] is NSNull)
    let keys = [
      "\"isbn\"", "\"title\"", "\"author\"", "\"total\"", "\"on_loan\"", "\"available\"",
      "\"status\"",
    ]
    let offsets = keys.compactMap { inventory.range(of: $0)?.lowerBound }
    #expect(offsets.count == keys.count && offsets == offsets.sorted())
    let summary = try render(log, .summary, .json)
    let summaryKeys = [
      "at", "known_at", "events", "titles_active", "copies_total", "copies_on_loan", "open_loans",
      "overdue_loans", "anomalies", "log_head",
    ].compactMap { summary.range(of: "\"\($0)\"")?.lowerBound }
    #expect(summaryKeys.count == 10 && summaryKeys == summaryKeys.sorted())
    let anomalies = try #require(
      try JSONSerialization.jsonObject(with: Data(render(log, .anomalies, .json).utf8))
        as? [String: Any])
    let list = try #require(anomalies["anomalies"] as? [[String: Any]])
    #expect(list.map { $0["type"] as? String } == ["return_without_loan"])
    #expect(list.first?["command_id"] as? String == "x1")
  }

  @Test func csvQuotesPerRFC4180WithAHeaderRow() throws {
    let csv = try render(hostileLog(), .inventory, .csv)
    let lines = csv.components(separatedBy: "\r\n")
    #expect(lines.first == "isbn,title,author,total,on_loan,available,status")
    #expect(
      lines.dropFirst().first
        == "9781593275846,\"Ça, \"\"quoted\"\" | <b>bold</b> 📚 \u{200F}rtl\",A,2,1,1,active")
    let loans = try render(hostileLog(), .loans, .csv)
    #expect(loans.hasPrefix("user_id,isbn,title,borrowed_at,returned_at,overdue\r\n"))
    #expect(loans.contains(",2024-03-02T09:00:00Z,,true\r\n"))
  }

  @Test func markdownEscapesPipesAndMarkup() throws {
    let markdown = try render(hostileLog(), .inventory, .md)
    #expect(markdown.hasPrefix("## inventory at 2024-06-30T23:59:59.999999Z\n\n| isbn | title |"))
    #expect(markdown.contains("Ça, \"quoted\" \\| &lt;b&gt;bold&lt;/b&gt; 📚"))
    // Every row has as many cells as the header.
    let rows = markdown.split(separator: "\n").filter { $0.hasPrefix("|") }
    let cells = rows.map { $0.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count }
    #expect(Set(cells).count == 1)
  }

  @Test func filtersNarrowLoansAndAnomalies() throws {
    let log = try hostileLog()
    let annLoans = try render(log, .loans, .csv, filter: ReportFilter(userID: "ann"))
    #expect(annLoans.split(separator: "\r\n").count == 2)
    let bobLoans = try render(log, .loans, .csv, filter: ReportFilter(userID: "bob"))
    #expect(bobLoans.split(separator: "\r\n").count == 1)
    let bobAnomalies = try render(log, .anomalies, .csv, filter: ReportFilter(userID: "bob"))
    #expect(bobAnomalies.split(separator: "\r\n").count == 2)
    let other = try render(log, .anomalies, .csv, filter: ReportFilter(isbn: ISBN("9781680502992")))
    #expect(other.split(separator: "\r\n").count == 1)
  }

  @Test func terminalTableAlignsColumnsAndShowsNullAsDash() throws {
    let table = try render(hostileLog(), .loans, .table)
    let lines = table.split(separator: "\n")
    #expect(lines.first == "loans at 2024-06-30T23:59:59.999999Z")
    let header = try #require(lines.first { $0.hasPrefix("user_id") })
    let row = try #require(lines.first { $0.hasPrefix("ann") })
    let headerColumn = try #require(header.range(of: "borrowed_at")?.lowerBound)
    let rowColumn = try #require(row.range(of: "2024-03-02")?.lowerBound)
    #expect(
      header.distance(from: header.startIndex, to: headerColumn)
        == row.distance(from: row.startIndex, to: rowColumn))
    #expect(row.contains(" - "))
  }
}
