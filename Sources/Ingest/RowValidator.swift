import LibraryDomain

/// Turns CSV records into validated rows, or into one reject per fault (docs/importing.md).
public struct RowValidator: Sendable {
  public static let maxTextScalars = 1_024
  public static let maxCommandIDScalars = 128
  public static let maxUserIDLength = 64
  public static let maxQuantity = 1_000_000

  public let header: BatchHeader

  public init(header: BatchHeader) {
    self.header = header
  }

  /// Validates one record; appends its faults to `rejects` and returns nil when it has any.
  public func validate(_ record: borrowing CSVRecord, rejects: inout [Reject]) -> ValidatedRow? {
    var check = RowCheck(line: record.line)
    var faultyColumns: Set<Int> = []
    var structural = false
    for fault in record.faults {
      check.fail(fault.column, fault.kind.rejectCode, fault.kind.summary)
      switch fault.kind {
      case .fieldTooLong, .badEncoding: faultyColumns.insert(fault.column)
      default: structural = true
      }
    }
    if structural {
      check.flush(into: &rejects, raw: record)
      return nil
    }
    let fields = Fields(header: header, record: record, faulty: faultyColumns)

    let command = fields.required(.command, &check) { bytes -> CommandName? in
      CommandName.parse(bytes)
    } invalid: { text in
      (
        .unknownCommand,
        "unknown command \(quoted(text)); expected AddBook, BorrowBook, ReturnBook or RemoveBook",
        nil
      )
    }
    let isbn = fields.required(.isbn, &check) {
      ISBN.parse($0)
    } invalid: { text in
      let hint = RejectHint.isbn(text)
      return (.badISBN, hint.message, hint.cause)
    }
    let occurredAt = fields.required(.occurredAt, &check) {
      Timestamp.parse($0)
    } invalid: { text in
      let hint = RejectHint.time(text)
      return (.badTimestamp, hint.message, hint.cause)
    }
    let commandID = fields.text(.commandID) ?? ""
    if commandID.utf8.count > Self.maxCommandIDScalars,
      commandID.unicodeScalars.count > Self.maxCommandIDScalars
    {
      check.fail(
        fields.column(.commandID), .fieldTooLong,
        "command_id is longer than \(Self.maxCommandIDScalars) characters")
    }

    let event = command.flatMap { makeEvent($0, isbn: isbn, fields: fields, check: &check) }
    guard check.isClean, let event, let occurredAt else {
      check.flush(into: &rejects, raw: record)
      return nil
    }
    return ValidatedRow(
      line: record.line, commandID: commandID, commandIDColumn: fields.column(.commandID),
      occurredAt: occurredAt, event: event)
  }

  private func makeEvent(
    _ command: CommandName, isbn: ISBN?, fields: Fields, check: inout RowCheck
  ) -> LibraryEvent? {
    // The command's own fields are checked even when the ISBN is bad: one reject per fault.
    switch command {
    case .addBook:
      let title = fields.catalogText(.title, &check)
      let author = fields.catalogText(.author, &check)
      let quantity = fields.required(.quantity, &check) {
        Self.quantity($0)
      } invalid: { text in
        (.badQuantity, "quantity \(quoted(text)) is not a whole number from 1 to 1,000,000", nil)
      }
      guard let isbn, let title, let author, let quantity else { return nil }
      return .bookAdded(BookAdded(isbn: isbn, title: title, author: author, quantity: quantity))
    case .borrowBook, .returnBook:
      let user = fields.required(.userID, &check) {
        Self.userID($0)
      } invalid: { text in
        (
          .badUserID,
          "user_id \(quoted(text)) must be 1 to 64 characters of A-Z a-z 0-9 . _ @ -", nil
        )
      }
      guard let isbn, let user else { return nil }
      return command == .borrowBook
        ? .bookBorrowed(BookBorrowed(isbn: isbn, userID: user))
        : .bookReturned(BookReturned(isbn: isbn, userID: user))
    case .removeBook:
      return isbn.map { .bookRemoved(BookRemoved(isbn: $0)) }
    }
  }

  // MARK: - Field rules on bytes

  /// Leading zeros are allowed however many there are; the value is bounded as it is read, so a
  /// long run of digits can never overflow.
  static func quantity(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard !bytes.isEmpty else { return nil }
    var value = 0
    for byte in bytes {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + Int(byte - UInt8(ascii: "0"))
      if value > maxQuantity { return nil }
    }
    return value >= 1 ? value : nil
  }

  static func userID(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
    guard !bytes.isEmpty, bytes.count <= maxUserIDLength else { return nil }
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
        UInt8(ascii: "@"), UInt8(ascii: "-"):
        continue
      default:
        return nil
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Quotes a field value for a message, cut short when long.
func quoted(_ text: String) -> String {
  let limit = 40
  let shown = text.unicodeScalars.count > limit ? String(text.prefix(limit)) + "…" : text
  return "\"\(shown)\""
}
