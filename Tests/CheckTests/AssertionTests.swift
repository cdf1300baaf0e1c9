import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

@testable import Check

@Suite("Assertions")
struct AssertionTests {
  @Test(arguments: [
    ("events = 4", "events", nil, "4"),
    ("  available 1-59327-584-6 = 9   # ISBN-10 form", "available", "1-59327-584-6", "9"),
    ("anomalies over_borrow ann = 2", "anomalies", "over_borrow", "2"),
    ("title 9781593275846 = Elixir = in Action", "title", "9781593275846", "Elixir = in Action"),
  ])
  func parsesALine(line: String, metric: String, subject: String?, value: String) throws {
    let assertion = try #require(try Assertion.parse(Substring(line), line: 3))
    #expect(assertion.metric == metric && assertion.subject == subject)
    #expect(assertion.expected == value && assertion.line == 3)
  }

  @Test func skipsBlankAndCommentLines() throws {
    #expect(try Assertion.parse("", line: 1) == nil)
    #expect(try Assertion.parse("   # just a note", line: 2) == nil)
  }

  @Test(arguments: [
    "events 4", "available = 9", "available 978 = 9", "anomalies nonsense = 1", "shelves = 2",
    "events = ", "open_loans a b c = 1",
  ])
  func refusesAMalformedLine(line: String) {
    #expect(throws: CheckError.self) { try Assertion.parse(Substring(line), line: 7) }
  }

  @Test func evaluatesAgainstAProjection() throws {
    let log = try TestLog()
    try log.importBatch(
      "a1,AddBook,9781593275846,Elixir in Action,Sasa Juric,1,,2024-03-01T09:00:00Z\n"
        + "b1,BorrowBook,9781593275846,,,,ann,2024-03-02T09:00:00Z\n"
        + "b2,BorrowBook,9781593275846,,,,bob,2024-03-03T09:00:00Z\n"
        + "x1,ReturnBook,9780306406157,,,,cy,2024-03-04T09:00:00Z\n")
    let projection = try Replayer.replay(
      log.store, cut: ReplayCut(at: try #require(Timestamp(cut: "2024-04-30"))), policy: .standard)
    let cases: [(String, String)] = [
      ("events = 0", "4"), ("available 9781593275846 = 0", "-1"), ("on_loan 1593275846 = 0", "2"),
      ("status 9780306406157 = x", "unknown"), ("total 9780306406157 = 1", "absent"),
      ("title 9781593275846 = x", "Elixir in Action"), ("author 9781593275846 = x", "Sasa Juric"),
      ("open_loans ann = 0", "1"), ("loans cy = 1", "0"), ("overdue_loans bob = 0", "1"),
      ("open_loans = 0", "2"), ("overdue_loans = 0", "2"), ("copies_on_loan = 0", "2"),
      ("titles_active = 0", "1"), ("copies_total = 0", "1"),
      ("anomalies total = 0", "2"), ("anomalies over_borrow = 0", "1"),
      ("anomalies over_borrow bob = 0", "1"), ("anomalies over_borrow ann = 1", "0"),
      ("anomalies return_without_loan 9780306406157 = 0", "1"),
      ("log_head = x", try #require(try log.events().last?.hash)),
    ]
    for (line, actual) in cases {
      let assertion = try #require(try Assertion.parse(Substring(line), line: 1))
      #expect(assertion.actual(in: projection) == actual, "\(line)")
    }
  }

  @Test func updateRewritesTheValueAndKeepsTheComment() throws {
    let line = "available 9781593275846 = 9  # elixir"
    let assertion = try #require(try Assertion.parse(Substring(line), line: 1))
    #expect(assertion.rewritten(line, actual: "8") == "available 9781593275846 = 8  # elixir")
  }
}
