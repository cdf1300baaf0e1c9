/// The header of a batch: where each known column sits, and which names were not recognised.
public struct BatchHeader: Sendable, Equatable {
  /// 0-based field index of each known column, or nil when absent.
  public private(set) var indices: [Column: Int] = [:]
  /// Names of extra columns, ignored with one warning.
  public private(set) var unknownNames: [String] = []
  public let fieldCount: Int
  /// `indices` by column ordinal (-1 when absent): the validator asks for every row, and an
  /// array read is cheaper than hashing.
  private var slots = [Int](repeating: -1, count: Column.allCases.count)

  /// Reads the header record, refusing a batch that lacks a required column or repeats one.
  public init(record: borrowing CSVRecord) throws(IngestError) {
    if let fault = record.faults.first {
      throw .badHeader(
        line: record.line, column: fault.column,
        reason: "header is not valid CSV: \(fault.kind.summary)")
    }
    fieldCount = record.count
    var seen: Set<String> = []
    for index in 0..<record.count {
      let name = Self.trimmed(record.string(index))
      if !seen.insert(name).inserted {
        throw .badHeader(
          line: record.line, column: index + 1, reason: "header repeats column \"\(name)\"")
      }
      if let column = Column(rawValue: name) {
        indices[column] = index
        slots[column.ordinal] = index
      } else {
        unknownNames.append(name)
      }
    }
    for column in Column.required where indices[column] == nil {
      throw .badHeader(
        line: record.line, column: nil,
        reason: "header lacks required column \(column.rawValue)"
          + " (found: \((0..<record.count).map { record.string($0) }.joined(separator: ",")))")
    }
  }

  /// Where a column sits, 0-based.
  public func index(of column: Column) -> Int? {
    let index = slots[column.ordinal]
    return index < 0 ? nil : index
  }

  private static func trimmed(_ text: String) -> String {
    var scalars = Substring(text)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return String(scalars)
  }
}

extension CSVFaultKind {
  /// A short human description, used in messages.
  public var summary: String {
    switch self {
    case .unterminatedQuote: "quoted field is never closed"
    case .quoteInUnquotedField: "quote inside an unquoted field"
    case .textAfterClosingQuote: "text after a closing quote"
    case .nulByte: "NUL byte in record"
    case .fieldCount(let expected, let actual): "\(actual) fields where the header has \(expected)"
    case .tooManyFields(let limit): "more than \(limit) fields"
    case .fieldTooLong(let limit): "field longer than \(limit) bytes"
    case .badEncoding: "not valid UTF-8"
    }
  }

  /// The reject code docs/importing.md gives this fault.
  public var rejectCode: RejectCode {
    switch self {
    case .fieldTooLong: .fieldTooLong
    case .badEncoding: .badEncoding
    case .unterminatedQuote, .quoteInUnquotedField, .textAfterClosingQuote, .nulByte, .fieldCount,
      .tooManyFields:
      .malformedCSV
    }
  }
}
