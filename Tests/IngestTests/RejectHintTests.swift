import Testing

@testable import Ingest

/// The probable causes a reject names, and where it names none.
@Suite("Reject hints")
struct RejectHintTests {
  @Test(arguments: [
    ("439023483", "0439023483"), ("4-3902-3483", "0439023483"), ("61120081", "0061120081"),
    ("80412700X", "080412700X"), ("80412700x", "080412700x"), ("7432735 67", "0743273567"),
  ])
  func leadingZerosLostNamesTheISBNToCheck(input: String, restored: String) {
    let hint = RejectHint.isbn(input)
    #expect(hint.cause == .leadingZerosLost)
    #expect(
      hint.message.hasSuffix("did you mean \(restored)? leading zeros lost, e.g. by a spreadsheet"))
  }

  /// No hint where zeros put back do not make a valid ISBN-10, or the length is wrong.
  @Test(arguments: ["439023484", "123456", "4390234830", "9.78043902348", "43902348X1", "ISBN"])
  func noHintWithoutAValidRestoredISBN(input: String) {
    let hint = RejectHint.isbn(input)
    #expect(hint.cause != .leadingZerosLost, "\(hint)")
  }

  @Test(arguments: ["9.78043902348e+12", "9.78043902348E+12", "9780439023481e0", " 9.78e12 "])
  func scientificNotationSaysTheDigitsAreGone(input: String) {
    let hint = RejectHint.isbn(input)
    #expect(hint.cause == .scientificNotation)
    #expect(hint.message.contains("cannot be recovered"))
  }

  @Test(arguments: [
    ("03/01/2024", RejectCause.slashedDate), ("3/1/24", .slashedDate),
    ("12/31/2024 10:00", .slashedDate), ("2024-03-01 09:30", .spaceForT),
    ("2024-03-01 09:30:00Z", .spaceForT), ("2024-03-01T09:30", .missingOffset),
    ("2024-03-01T09:30:00.5", .missingOffset), ("45352.5", .spreadsheetSerial),
    ("45352", .spreadsheetSerial),
  ])
  func timeFormsNameTheirCauseAndTheExpectedForm(input: String, cause: RejectCause) {
    let hint = RejectHint.time(input)
    #expect(hint.cause == cause, "\(hint)")
    #expect(hint.message.contains("expected YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±hh:mm)"))
  }

  @Test func spaceForTWithAnOffsetSaysOnlyTheSpace() {
    let hint = RejectHint.time("2024-03-01 09:30:00+01:00")
    #expect(hint.message.contains("it has a space instead of T;"))
  }

  @Test func spreadsheetSerialNamesItsDay() {
    #expect(RejectHint.time("45352.5").message.contains("(2024-03-01T12:00:00 in the sheet's own"))
    #expect(RejectHint.time("45352").message.contains("(2024-03-01T00:00:00 in the sheet's own"))
  }

  @Test(arguments: ["yesterday", "2024", "2024-13-01T00:00:00Z", "12:00", "", "1e5"])
  func otherTimesGetTheExpectedFormOnly(input: String) {
    let hint = RejectHint.time(input)
    #expect(hint.cause == nil, "\(hint)")
    #expect(hint.message.contains("expected YYYY-MM-DDTHH:MM:SS[.ffffff](Z|±hh:mm)"))
  }

  /// Through the validator: the cause travels with the reject.
  @Test func validatorRejectsCarryTheCause() throws {
    let text = "command,isbn,user_id,occurred_at\nBorrowBook,439023483,ann,03/01/2024\n"
    var reader = CSVReader(source: BytesSource(Array(text.utf8)))
    var record = CSVRecord()
    _ = try reader.next(into: &record)
    let validator = RowValidator(header: try BatchHeader(record: record))
    _ = try reader.next(into: &record)
    var rejects: [Reject] = []
    #expect(validator.validate(record, rejects: &rejects) == nil)
    #expect(rejects.map(\.code) == [.badISBN, .badTimestamp])
    #expect(rejects.map(\.cause) == [.leadingZerosLost, .slashedDate])
  }
}
