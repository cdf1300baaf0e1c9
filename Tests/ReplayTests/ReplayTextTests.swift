import EventLog
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// Every text an event holds comes back from a replay exactly, on both backends: titles and
/// authors with tabs, backslashes, line breaks, bidirectional marks and emoji, a title near
/// the longest allowed (1,024 characters), user ids of every character allowed and of the
/// longest length. On PostgreSQL a replay reads an event's texts from one
/// `bytea` the server packs, split at zero bytes (`PackedReplayRow`): a text that ended early
/// or ran into the next would show here.
@Suite("Replay texts")
struct ReplayTextTests {
  static let books: [(isbn: String, title: String, author: String)] = [
    ("9781593275846", "Tab\there, and \\N and \\x00 as text", "Back\\slash\\"),
    ("9781680502992", "Line\nbreak and\r\nreturn", "\\"),
    ("9780306406157", "\u{200F}שלום \u{202E}evil\u{202C} end", "📚 👩‍👩‍👧‍👦 🇺🇳"),
    ("9780131103627", String(repeating: "A long title, ", count: 73) + "e", "X"),
    ("9780262033848", "\"Quoted\", with commas", "O'Brien; DROP TABLE events;--"),
  ]
  static let users = ["ann", "b.e_n-e@d", String(repeating: "z", count: 64), "A"]

  /// A CSV field, quoted.
  static func field(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  @Test(arguments: Backend.available) func everyTextComesBackExactly(on backend: Backend) throws {
    let log = try TestLog(backend)
    var body = ""
    for (index, book) in Self.books.enumerated() {
      body +=
        "add\(index),AddBook,\(book.isbn),\(Self.field(book.title)),\(Self.field(book.author)),"
        + "3,,2024-03-01T09:00:00Z\n"
    }
    for (index, user) in Self.users.enumerated() {
      body +=
        "borrow-\(user),BorrowBook,\(Self.books[index].isbn),,,,\(Self.field(user)),"
        + "2024-03-02T09:00:00Z\n"
    }
    let summary = try log.importBatch(body)
    try #require(summary.accepted == Self.books.count + Self.users.count, "\(log.rejects)")

    let projection = try Replayer.replay(
      log.store, cut: ReplayCut(at: TestLog.time(1_000_000_000)), policy: .standard)
    let books = projection.books.map { ($0.isbn.description, $0.title, $0.author) }
    let expected = Self.books.sorted { $0.isbn < $1.isbn }.map { ($0.isbn, $0.title, $0.author) }
    #expect(books.count == expected.count)
    for (got, want) in zip(books, expected) {
      #expect(got.0 == want.0)
      #expect(Array(got.1.unicodeScalars) == Array(want.1.unicodeScalars), "\(got.0)")
      #expect(Array(got.2.unicodeScalars) == Array(want.2.unicodeScalars), "\(got.0)")
    }
    #expect(
      projection.users == Self.users.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) })
    for user in projection.users {
      #expect(projection.loans(of: user).map(\.userID) == [user])
    }
  }
}
