import LibraryDomain
import Replay

/// One line of an `assertions.txt`: `metric [subject] = value`, in the spirit of ledger's
/// balance assertions. It pins one number (or word) and survives changes elsewhere.
///
/// Grammar (one per line; `#` starts a comment; blank lines are ignored):
///
///     events | titles_active | copies_total | copies_on_loan | open_loans | overdue_loans = N
///     log_head = HASH | null
///     total | on_loan | available ISBN = N
///     status ISBN = active | removed | unknown
///     title | author ISBN = TEXT
///     open_loans | loans | overdue_loans USER = N
///     anomalies TYPE | total = N
///     anomalies TYPE ISBN_OR_USER = N
struct Assertion: Equatable {
  var line: Int
  var metric: String
  var subject: String?
  var qualifier: String?
  var expected: String

  /// The left-hand side as written, for messages.
  var name: String { [metric, subject, qualifier].compactMap { $0 }.joined(separator: " ") }

  static let summaryMetrics = [
    "events", "titles_active", "copies_total", "copies_on_loan", "open_loans", "overdue_loans",
    "log_head",
  ]
  static let bookMetrics = ["total", "on_loan", "available", "status", "title", "author"]
  static let userMetrics = ["open_loans", "loans", "overdue_loans"]

  /// Parses one line; nil for blank and comment lines; throws for a malformed one.
  static func parse(_ text: Substring, line: Int) throws(CheckError) -> Assertion? {
    let content =
      text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
      .first ?? ""
    guard !content.allSatisfy(\.isWhitespace) else { return nil }
    let sides = content.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard sides.count == 2 else {
      throw .malformed(line: line, reason: "expected 'metric [subject] = value'")
    }
    let words = sides[0].split(whereSeparator: \.isWhitespace).map(String.init)
    let value = sides[1].trimmingWhitespace()
    guard let metric = words.first, words.count <= 3, !value.isEmpty else {
      throw .malformed(line: line, reason: "expected 'metric [subject] = value'")
    }
    let assertion = Assertion(
      line: line, metric: metric, subject: words.dropFirst().first,
      qualifier: words.dropFirst(2).first,
      expected: value)
    try assertion.validate()
    return assertion
  }

  private func validate() throws(CheckError) {
    let known: Bool
    switch (metric, subject, qualifier) {
    case (_, nil, nil): known = Self.summaryMetrics.contains(metric)
    case ("anomalies", let type?, _):
      known = type == "total" ? qualifier == nil : AnomalyType(rawValue: type) != nil
    case (_, let subject?, nil) where Self.bookMetrics.contains(metric):
      known = ISBN(subject) != nil
      if !known { throw .malformed(line: line, reason: "\(subject) is not a valid ISBN") }
    case (_, _, nil): known = Self.userMetrics.contains(metric)
    default: known = false
    }
    if !known { throw .malformed(line: line, reason: "unknown assertion '\(name)'") }
  }

  /// The actual value in a projection, as text.
  func actual(in projection: Projection) -> String {
    let library = projection.library
    switch (metric, subject) {
    case ("anomalies", "total"?): return String(projection.anomalyTotal)
    case ("anomalies", let type?):
      guard let type = AnomalyType(rawValue: type) else { return "?" }
      guard let qualifier else { return String(projection.anomalyCounts[type] ?? 0) }
      var count = 0
      let isbn = ISBN(qualifier)
      projection.forEachAnomaly { anomaly in
        if anomaly.type == type && (anomaly.isbn == isbn || anomaly.userID == qualifier) {
          count += 1
        }
      }
      return String(count)
    case (_, let isbn?) where Self.bookMetrics.contains(metric):
      guard let isbn = ISBN(isbn), let book = library.book(isbn: isbn) else {
        return metric == "status" ? "unknown" : "absent"
      }
      switch metric {
      case "total": return String(book.total)
      case "on_loan": return String(book.onLoan)
      case "available": return String(book.available)
      case "status": return book.status.rawValue
      case "title": return book.title
      default: return book.author
      }
    case (_, let user?):
      let loans = projection.loans(of: user)
      switch metric {
      case "open_loans": return String(loans.filter { $0.returnedAt == nil }.count)
      case "loans": return String(loans.count)
      default:
        return String(
          loans.filter { $0.isOverdue(at: projection.cut.at, policy: projection.policy) }.count)
      }
    default:
      return summaryValue(projection)
    }
  }

  private func summaryValue(_ projection: Projection) -> String {
    let library = projection.library
    let totals = library.totals
    switch metric {
    case "events": return String(library.eventCount)
    case "titles_active": return String(totals.titlesActive)
    case "copies_total": return String(totals.copiesTotal)
    case "copies_on_loan": return String(totals.copiesOnLoan)
    case "open_loans": return String(projection.openLoanCount)
    case "overdue_loans": return String(projection.overdueLoanCount)
    default: return projection.logHead ?? "null"
    }
  }
}

extension Substring {
  func trimmingWhitespace() -> String {
    String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
  }
}
