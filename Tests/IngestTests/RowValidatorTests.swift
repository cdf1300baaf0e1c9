import Ingest
import LibraryDomain
import Testing

/// Reads a whole CSV text through the reader and the validator.
func validate(_ text: String) throws -> (rows: [ValidatedRow], rejects: [Reject]) {
  try validate(bytes: Array(text.utf8))
}

func validate(bytes: [UInt8]) throws -> (rows: [ValidatedRow], rejects: [Reject]) {
  var reader = CSVReader(source: BytesSource(bytes))
  var record = CSVRecord()
  guard try reader.next(into: &record) else { return ([], []) }
  let validator = RowValidator(header: try BatchHeader(record: record))
  var rows: [ValidatedRow] = []
  var rejects: [Reject] = []
  while try reader.next(into: &record) {
    if let row = validator.validate(record, rejects: &rejects) { rows.append(row) }
  }
  return (rows, rejects)
}

private let header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

/// One reject case: a batch body, and the (line, column, code) expected of its only reject.
struct RejectCase: CustomTestStringConvertible, Sendable {
  var name: String
  var body: String
  var line: Int
  var column: Int?
  var code: RejectCode
  var testDescription: String { name }
}

@Suite("Row validation")
struct RowValidatorTests {
  static let cases: [RejectCase] = [
    RejectCase(
      name: "quote inside an unquoted field",
      body: "c1,Add\"Book,9781593275846,T,A,1,,2024-03-01T09:00:00Z\n",
      line: 2, column: 2, code: .malformedCSV),
    RejectCase(
      name: "text after a closing quote",
      body: "c1,\"AddBook\"x,9781593275846,T,A,1,,2024-03-01T09:00:00Z\n",
      line: 2, column: 2, code: .malformedCSV),
    RejectCase(
      name: "wrong field count after a record spanning lines",
      body:
        "c1,AddBook,9781593275846,\"Two\nlines\",A,1,,2024-03-01T09:00:00Z\nc2,RemoveBook,9781593275846\n",
      line: 4, column: 4, code: .malformedCSV),
    RejectCase(
      name: "unknown command", body: "c1,LendBook,9781593275846,,,,u1,2024-03-01T09:00:00Z\n",
      line: 2, column: 2, code: .unknownCommand),
    RejectCase(
      name: "empty command", body: "c1,,9781593275846,,,,u1,2024-03-01T09:00:00Z\n",
      line: 2, column: 2, code: .missingField),
    RejectCase(
      name: "empty isbn", body: "c1,RemoveBook,,,,,,2024-03-01T09:00:00Z\n",
      line: 2, column: 3, code: .missingField),
    RejectCase(
      name: "blank title for AddBook after a CRLF record",
      body:
        "c0,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\r\nc1,AddBook,9781593275846,  ,A,1,,2024-03-01T09:00:00Z\r\n",
      line: 3, column: 4, code: .missingField),
    RejectCase(
      name: "bad check digit", body: "c1,RemoveBook,9781593275847,,,,,2024-03-01T09:00:00Z\n",
      line: 2, column: 3, code: .badISBN),
    RejectCase(
      name: "time without offset", body: "c1,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00\n",
      line: 2, column: 8, code: .badTimestamp),
    RejectCase(
      name: "quantity zero", body: "c1,AddBook,9781593275846,T,A,0,,2024-03-01T09:00:00Z\n",
      line: 2, column: 6, code: .badQuantity),
    RejectCase(
      name: "quantity over a million",
      body: "c1,AddBook,9781593275846,T,A,1000001,,2024-03-01T09:00:00Z\n",
      line: 2, column: 6, code: .badQuantity),
    RejectCase(
      name: "user id with a space",
      body: "c1,BorrowBook,9781593275846,,,,user 1,2024-03-01T09:00:00Z\n",
      line: 2, column: 7, code: .badUserID),
    RejectCase(
      name: "user id of 65 characters",
      body:
        "c1,ReturnBook,9781593275846,,,,\(String(repeating: "u", count: 65)),2024-03-01T09:00:00Z\n",
      line: 2, column: 7, code: .badUserID),
    RejectCase(
      name: "empty user id for BorrowBook",
      body: "c1,BorrowBook,9781593275846,,,,,2024-03-01T09:00:00Z\n",
      line: 2, column: 7, code: .missingField),
    RejectCase(
      name: "title over 1,024 characters",
      body:
        "c1,AddBook,9781593275846,\(String(repeating: "é", count: 1_025)),A,1,,2024-03-01T09:00:00Z\n",
      line: 2, column: 4, code: .fieldTooLong),
    RejectCase(
      name: "command id over 128 characters",
      body:
        "\(String(repeating: "k", count: 129)),RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n",
      line: 2, column: 1, code: .fieldTooLong),
    RejectCase(
      name: "field over 65,536 bytes, quoted over several lines",
      body:
        "c1,AddBook,9781593275846,\"\(String(repeating: "ab\n", count: 30_000))\",A,1,,2024-03-01T09:00:00Z\n",
      line: 2, column: 4, code: .fieldTooLong),
  ]

  @Test(arguments: cases)
  func rejectsOneFault(_ testCase: RejectCase) throws {
    let result = try validate(header + testCase.body)
    let reject = try #require(result.rejects.first)
    #expect(result.rejects.count == 1, "\(result.rejects)")
    #expect(reject.line == testCase.line)
    #expect(reject.column == testCase.column)
    #expect(reject.code == testCase.code)
    #expect(!reject.message.isEmpty)
    // Rows before the faulty one are accepted: a fault never spills over to its neighbours.
    #expect(
      result.rows.count == testCase.line - 2
        - (testCase.body.hasPrefix("c1,AddBook,9781593275846,\"Two") ? 1 : 0))
  }

  @Test func invalidUTF8IsBadEncodingWithItsColumn() throws {
    var bytes = Array((header + "c1,AddBook,9781593275846,Caf").utf8)
    bytes += [0xC3, 0x28]
    bytes += Array(",A,1,,2024-03-01T09:00:00Z\n".utf8)
    let result = try validate(bytes: bytes)
    #expect(result.rejects.map(\.code) == [.badEncoding])
    #expect(result.rejects.first?.column == 4)
    #expect(result.rejects.first?.line == 2)
  }

  @Test func nulByteIsMalformed() throws {
    let result = try validate(
      header + "c1,AddBook,9781593275846,T\u{0}x,A,1,,2024-03-01T09:00:00Z\n")
    #expect(result.rejects.map(\.code) == [.malformedCSV])
    #expect(result.rejects.first?.column == 4)
  }

  @Test func rowWithSeveralFaultsIsReportedOncePerFaultInColumnOrder() throws {
    let result = try validate(header + "c1,AddBook,978-0,,A,-3,,yesterday\n")
    #expect(result.rejects.map(\.code) == [.badISBN, .missingField, .badQuantity, .badTimestamp])
    #expect(result.rejects.map(\.column) == [3, 4, 6, 8])
    #expect(
      result.rejects.allSatisfy { $0.line == 2 && $0.raw == "c1,AddBook,978-0,,A,-3,,yesterday" })
  }

  @Test func columnAbsentFromHeaderIsMissingFieldWithoutColumn() throws {
    let result = try validate(
      "command,isbn,occurred_at\nBorrowBook,9781593275846,2024-03-01T09:00:00Z\n")
    #expect(result.rejects.map(\.code) == [.missingField])
    #expect(result.rejects.first?.column == nil)
    #expect(result.rejects.first?.message.contains("user_id") == true)
  }

  @Test func validRowsBecomeNormalisedEvents() throws {
    let result = try validate(
      header
        + "c1,AddBook,1-59327-584-6,\"  Elixir, in \"\"Action\"\"  \",Saša Jurić,10,,2024-03-01T10:00:00+01:00\n"
        + ",BorrowBook,978-1593275846,ignored,ignored,ignored,user.1@x-y_z,2024-03-02T00:00:00.5Z\n"
        + "\n"
        + "c3,RemoveBook,9781593275846,,,,someone,2024-03-03T00:00:00-00:00\n")
    #expect(result.rejects.isEmpty, "\(result.rejects)")
    try #require(result.rows.count == 3)
    let isbn = try #require(ISBN("9781593275846"))
    #expect(
      result.rows[0].event
        == .bookAdded(
          BookAdded(isbn: isbn, title: "Elixir, in \"Action\"", author: "Saša Jurić", quantity: 10))
    )
    #expect(result.rows[0].occurredAt.description == "2024-03-01T09:00:00Z")
    #expect(result.rows[1].event == .bookBorrowed(BookBorrowed(isbn: isbn, userID: "user.1@x-y_z")))
    #expect(result.rows[1].commandID.isEmpty)
    #expect(result.rows[1].occurredAt.description == "2024-03-02T00:00:00.500000Z")
    #expect(result.rows[2].event == .bookRemoved(BookRemoved(isbn: isbn)))
    #expect(result.rows[2].line == 5)
  }

  @Test func headerFaultsRefuseTheBatch() throws {
    #expect(throws: IngestError.self) { try validate("command,isbn\nRemoveBook,9781593275846\n") }
    #expect(throws: IngestError.self) {
      try validate(
        "command,isbn,occurred_at,isbn\nRemoveBook,9781593275846,2024-03-01T09:00:00Z,x\n")
    }
    do {
      _ = try validate("command,isbn,title\n")
      Issue.record("a header without occurred_at was accepted")
    } catch let error as IngestError {
      #expect(error.message.contains("occurred_at"))
    }
  }

  @Test func unknownColumnsAreNamedForTheWarning() throws {
    var reader = CSVReader(source: BytesSource(Array("command,isbn,occurred_at,shelf,note\n".utf8)))
    var record = CSVRecord()
    _ = try reader.next(into: &record)
    let header = try BatchHeader(record: record)
    #expect(header.unknownNames == ["shelf", "note"])
    #expect(header.index(of: .occurredAt) == 2)
  }
}
