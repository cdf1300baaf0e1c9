import Ingest
import LibraryDomain

// MARK: - Header and rows

extension IngestInvariants {
  /// The header is refused exactly when it has a fault, repeats a name or lacks a required
  /// column; otherwise every known column is found where its name stands.
  static func checkHeader(_ outcome: PassOutcome) {
    guard let record = outcome.records.first else {
      require(outcome.header == nil && outcome.verdicts.isEmpty, "no record, yet a header")
      return
    }
    let names = record.fields.map { trimmed(String(decoding: $0, as: UTF8.self)) }
    let repeats = Set(names).count != names.count
    let lacks = Column.required.contains { !names.contains($0.rawValue) }
    let refusable = !record.faults.isEmpty || repeats || lacks
    switch outcome.header {
    case nil:
      fail("a first record but no header result")
    case .failure(.badHeader(let line, let column, let reason)):
      require(refusable, "header \(names) refused: \(reason)")
      require(line == record.line, "header refused at line \(line), not \(record.line)")
      require(!reason.isEmpty, "header refused without a reason")
      if let column { require(column >= 1, "header refused at column \(column)") }
      require(outcome.verdicts.isEmpty, "rows validated under a refused header")
    case .failure(.io(let code)):
      fail("header read failed with errno \(code)")
    case .success(let header):
      require(!refusable, "header \(names) with faults \(record.faults) accepted")
      require(header.fieldCount == record.fields.count, "header field count differs")
      for column in Column.allCases {
        require(
          header.index(of: column) == names.firstIndex(of: column.rawValue),
          "header puts \(column.rawValue) at \(String(describing: header.index(of: column)))")
      }
      require(
        header.unknownNames == names.filter { Column(rawValue: $0) == nil },
        "header's unknown names \(header.unknownNames)")
      require(
        outcome.verdicts.count == outcome.records.count - 1,
        "\(outcome.verdicts.count) verdicts for \(outcome.records.count - 1) records")
    }
  }

  /// Every record after an accepted header is accepted or rejected as docs/importing.md says, with
  /// one reject per fault in column order, each on the record's line with a message and the text.
  static func checkVerdicts(_ outcome: PassOutcome) {
    guard case .success(let header) = outcome.header else { return }
    for (record, verdict) in zip(outcome.records.dropFirst(), outcome.verdicts) {
      let expected = ExpectedRejects(record: record, header: header).faults
      switch verdict {
      case .accepted(let row):
        require(expected.isEmpty, "line \(record.line) accepted; expected rejects \(expected)")
        checkRow(row, record: record, header: header)
      case .rejected(let rejects):
        let found = rejects.map { ExpectedRejects.Fault(column: $0.column, code: $0.code) }
        require(found == expected, "line \(record.line): rejects \(found), expected \(expected)")
        let raw = String(decoding: record.raw, as: UTF8.self) + (record.rawTruncated ? "…" : "")
        for reject in rejects {
          require(reject.line == record.line && reject.line >= 2, "reject on line \(reject.line)")
          require(!reject.message.isEmpty, "line \(record.line): reject without a message")
          require(reject.raw == raw, "line \(record.line): reject's raw text differs")
        }
      }
    }
  }

  /// An accepted row holds the values its fields spell, and they survive a round trip.
  static func checkRow(_ row: ValidatedRow, record: RecordSnapshot, header: BatchHeader) {
    let line = record.line
    func field(_ column: Column) -> [UInt8]? {
      header.index(of: column).map { record.fields[$0] }
    }
    func text(_ column: Column) -> String? {
      field(column).map { String(decoding: $0, as: UTF8.self) }
    }
    require(row.line == line, "row of line \(line) says line \(row.line)")
    require(row.commandID == text(.commandID) ?? "", "line \(line): command id differs")
    require(
      row.commandIDColumn == header.index(of: .commandID).map { $0 + 1 },
      "line \(line): command id column differs")
    require(
      row.event.type.rawValue == CommandName(rawValue: text(.command) ?? "")?.eventType.rawValue,
      "line \(line): event \(row.event.type) for command \(text(.command) ?? "")")

    let isbn = row.event.isbn
    require(
      Array(isbn.digits.utf8) == Reference.isbnDigits(field(.isbn) ?? []),
      "line \(line): ISBN \(isbn) from \(text(.isbn) ?? "")")
    require(ISBN(isbn.digits) == isbn, "line \(line): ISBN \(isbn) does not parse back")

    let time = row.occurredAt
    require(
      time.microseconds == Reference.timestampMicroseconds(field(.occurredAt) ?? []),
      "line \(line): time \(time) from \(text(.occurredAt) ?? "")")
    require(
      Timestamp(rfc3339: time.description) == time,
      "line \(line): time \(time.description) does not parse back")

    switch row.event {
    case .bookAdded(let added):
      require(added.title == trimmedWhitespace(text(.title) ?? ""), "line \(line): title differs")
      require(
        added.author == trimmedWhitespace(text(.author) ?? ""), "line \(line): author differs")
      require(
        added.quantity == Reference.number(field(.quantity)?[...] ?? []),
        "line \(line): quantity \(added.quantity)")
    case .bookBorrowed(let borrowed):
      require(borrowed.userID == text(.userID), "line \(line): user differs")
    case .bookReturned(let returned):
      require(returned.userID == text(.userID), "line \(line): user differs")
    case .bookRemoved:
      break
    }
  }

  /// Space and tab trimmed at both ends, by characters, as header names are.
  static func trimmed(_ text: String) -> String {
    var characters = Substring(text)
    while let first = characters.first, first == " " || first == "\t" {
      characters.removeFirst()
    }
    while let last = characters.last, last == " " || last == "\t" { characters.removeLast() }
    return String(characters)
  }

  /// Unicode white space trimmed at both ends, as titles and authors are.
  static func trimmedWhitespace(_ text: String) -> String {
    let scalars = Array(text.unicodeScalars)
    guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
      let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
    else { return "" }
    var result = String.UnicodeScalarView()
    result.append(contentsOf: scalars[first...last])
    return String(result)
  }
}

/// The rejects docs/importing.md gives one record, worked out from its fields without the validator.
struct ExpectedRejects {
  struct Fault: Equatable, CustomStringConvertible {
    var column: Int?
    var code: RejectCode
    var description: String { "\(column.map(String.init) ?? "-"):\(code.rawValue)" }
  }

  private(set) var faults: [Fault] = []
  private let record: RecordSnapshot
  private let header: BatchHeader
  private var faulty: Set<Int> = []

  init(record: RecordSnapshot, header: BatchHeader) {
    self.record = record
    self.header = header
    for fault in record.faults {
      faults.append(Fault(column: fault.column, code: fault.kind.rejectCode))
      switch fault.kind {
      case .fieldTooLong, .badEncoding: faulty.insert(fault.column)
      default: break
      }
    }
    if faults.count == faulty.count { checkFields() }
    // Column order, absent columns last; faults of one column keep their order.
    faults = faults.enumerated().sorted { lhs, rhs in
      let left = lhs.element.column ?? Int.max
      let right = rhs.element.column ?? Int.max
      return left != right ? left < right : lhs.offset < rhs.offset
    }.map(\.element)
  }

  private mutating func checkFields() {
    let command = required(.command, .unknownCommand) { bytes in
      CommandName.allCases.first { Array($0.rawValue.utf8) == bytes }
    }
    _ = required(.isbn, .badISBN) { Reference.isbnDigits($0) }
    _ = required(.occurredAt, .badTimestamp) { Reference.timestampMicroseconds($0) }
    if let (column, bytes) = field(.commandID), !faulty.contains(column),
      String(decoding: bytes, as: UTF8.self).unicodeScalars.count > 128
    {
      faults.append(Fault(column: column, code: .fieldTooLong))
    }
    switch command {
    case .addBook:
      catalogText(.title)
      catalogText(.author)
      _ = required(.quantity, .badQuantity) { bytes in
        Reference.number(bytes[...]).flatMap { (1...1_000_000).contains($0) ? $0 : nil }
      }
    case .borrowBook, .returnBook:
      _ = required(.userID, .badUserID) { bytes -> Bool? in
        let allowed = bytes.allSatisfy { byte in
          Reference.isDigit(byte)
            || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "@")
            || byte == UInt8(ascii: "-")
        }
        return allowed && bytes.count <= 64 ? true : nil
      }
    case .removeBook, nil:
      break
    }
  }

  /// The 1-based column and bytes of a field, nil when the header has no such column.
  private func field(_ column: Column) -> (Int, [UInt8])? {
    header.index(of: column).map { ($0 + 1, record.fields[$0]) }
  }

  private mutating func required<Value>(
    _ column: Column, _ invalid: RejectCode, _ parse: ([UInt8]) -> Value?
  ) -> Value? {
    guard let (number, bytes) = field(column) else {
      faults.append(Fault(column: nil, code: .missingField))
      return nil
    }
    if faulty.contains(number) { return nil }
    if bytes.isEmpty {
      faults.append(Fault(column: number, code: .missingField))
      return nil
    }
    guard let value = parse(bytes) else {
      faults.append(Fault(column: number, code: invalid))
      return nil
    }
    return value
  }

  private mutating func catalogText(_ column: Column) {
    guard let (number, bytes) = field(column) else {
      faults.append(Fault(column: nil, code: .missingField))
      return
    }
    if faulty.contains(number) { return }
    let text = IngestInvariants.trimmedWhitespace(String(decoding: bytes, as: UTF8.self))
    if text.isEmpty {
      faults.append(Fault(column: number, code: .missingField))
    } else if text.unicodeScalars.count > 1_024 {
      faults.append(Fault(column: number, code: .fieldTooLong))
    }
  }
}
