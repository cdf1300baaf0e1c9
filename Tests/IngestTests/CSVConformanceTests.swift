import Ingest
import Testing

/// Runs the CSV conformance cases of `Tests/Conformance/` (csv-spectrum, rust-csv, CPython, PapaParse).
///
/// A case passes when the reader gives exactly the expected records and no fault, or, for a case
/// that expects an error, at least one fault. A case whose expectation contradicts docs/importing.md
/// is a deviation: the table below names it, quotes the rule and pins the behaviour the batch format requires,
/// and the test checks that behaviour instead (and that the suite's expectation really fails).
@Suite("CSV conformance")
struct CSVConformanceTests {
  static let expectedCaseCount = 168

  @Test("corpus is found, complete, and every deviation names a real case")
  func corpusIsComplete() throws {
    let cases = try ConformanceCorpus.loaded.get()
    #expect(cases.count == Self.expectedCaseCount)
    let keys = cases.map(\.key)
    #expect(Set(keys).count == keys.count, "case names are not unique")
    for key in Self.deviations.keys.sorted() {
      #expect(keys.contains(key), "deviation \(key) names no case in the corpus")
    }
  }

  @Test("conformance case", arguments: ConformanceCorpus.cases)
  func conformanceCase(_ testCase: ConformanceCase) throws {
    let input = Array(testCase.input.utf8)
    let records = try readAll(input)
    // The same input in tiny reads gives the same result.
    for bufferSize in [1, 2, 7] {
      #expect(try readAll(input, bufferSize: bufferSize) == records, "bufferSize \(bufferSize)")
    }
    let meetsSuite = Self.meetsSuiteExpectation(testCase, records)
    guard let deviation = Self.deviations[testCase.key] else {
      #expect(meetsSuite, "\(testCase.key): got \(records)")
      return
    }
    #expect(
      !meetsSuite, "\(testCase.key) is listed as a deviation but meets the suite's expectation")
    switch deviation.spec {
    case .records(let expected):
      #expect(
        records.map(\.fields) == expected.map { $0.map { Array($0.utf8) } },
        "\(testCase.key) (\(deviation.rule)): got \(records)")
      #expect(records.allSatisfy { $0.faults.isEmpty }, "\(testCase.key): got \(records)")
    case .faults(let expected):
      let faults = records.flatMap { record in
        record.faults.map { SpecFault(record.line, $0.column, $0.kind) }
      }
      #expect(faults == expected, "\(testCase.key) (\(deviation.rule)): got \(records)")
    }
  }

  static func meetsSuiteExpectation(_ testCase: ConformanceCase, _ records: [ReadRecord]) -> Bool {
    if testCase.expectError {
      return records.contains { !$0.faults.isEmpty }
    }
    guard let expected = testCase.expected else { return false }
    return records.map(\.fields) == expected.map { $0.map { Array($0.utf8) } }
      && records.allSatisfy(\.faults.isEmpty)
  }
}

// MARK: - Deviations

/// A fault the batch format requires: the record's line, the 1-based column, the kind.
struct SpecFault: Equatable, Sendable, CustomStringConvertible {
  var line: Int
  var column: Int
  var kind: CSVFaultKind

  init(_ line: Int, _ column: Int, _ kind: CSVFaultKind) {
    self.line = line
    self.column = column
    self.kind = kind
  }

  var description: String { "line \(line) column \(column) \(kind)" }
}

/// What the batch format requires for a case whose suite expects otherwise.
enum SpecOutcome: Sendable {
  /// Exactly these records, with no fault.
  case records([[String]])
  /// Exactly these faults over the whole input, in order.
  case faults([SpecFault])
}

struct Deviation: Sendable {
  var rule: String
  var spec: SpecOutcome
}

/// docs/importing.md rules that the suites' lenient parsers do not follow.
enum SpecRule {
  static let quoteInUnquoted =
    "a quote inside an unquoted field makes that row malformed_csv"
  static let textAfterQuote =
    "text after a closing quote makes that row malformed_csv"
  static let nul = "a NUL byte makes that row malformed_csv"
  static let fieldCount =
    "a record with another number of fields than the header makes that row malformed_csv"
  static let unterminated = "an unterminated quote is malformed_csv"
  static let emptyLine = "a completely empty line between records is skipped"
  static let loneCR = "records end in LF, CRLF or a lone CR"
  static let comma = "the separator is a comma (no delimiter guessing)"
  static let emptyOrOneField =
    "comma separator, the first record is the header; a missing or unusable header is"
    + " refused by the header check, not reported as a CSV fault"
  static let noExpectation =
    "no usable upstream expectation; a quote inside an unquoted field makes that row"
    + " malformed_csv"
}

extension CSVConformanceTests {
  private static func entry(
    _ suite: String, _ name: String, _ rule: String, _ spec: SpecOutcome
  ) -> (String, Deviation) {
    ("\(suite) :: \(name)", Deviation(rule: rule, spec: spec))
  }

  private static let spectrum = "csv-spectrum"
  private static let papaCore = "PapaParse/core"
  private static let papaParse = "PapaParse/parse"
  private static let rust = "rust-csv/csv-core"
  private static let python = "cpython/test_csv"

  /// Cases whose suite expectation contradicts the batch format, with the behaviour the batch format requires.
  static let deviations: [String: Deviation] = Dictionary(
    uniqueKeysWithValues: [
      entry(
        spectrum, "location_coordinates", SpecRule.noExpectation,
        .faults([SpecFault(2, 2, .quoteInUnquotedField)])),
      // A quote inside an unquoted field.
      entry(
        papaCore, "Unquoted field with quotes at end of field", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 2, .quoteInUnquotedField)])),
      entry(
        papaCore, "Quoted field with whitespace around quotes", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 2, .quoteInUnquotedField)])),
      entry(
        papaCore, "Misplaced quotes in data, not as opening quotes", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 2, .quoteInUnquotedField)])),
      entry(
        papaParse, "Misplaced quotes in data twice, not as opening quotes",
        SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 2, .quoteInUnquotedField), SpecFault(2, 2, .quoteInUnquotedField)])),
      entry(
        rust, "quote_outer_space", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 1, .quoteInUnquotedField)])),
      entry(
        python, "TestDialectExcel.test_inline_quote:L735", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 1, .quoteInUnquotedField)])),
      entry(
        python, "TestDialectExcel.test_inline_quotes:L738", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 1, .quoteInUnquotedField)])),
      entry(
        python, "TestDialectExcel.test_lone_quote:L746", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 1, .quoteInUnquotedField)])),
      entry(
        python, "TestDialectExcel.test_space_and_quote:L754", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 1, .quoteInUnquotedField)])),
      entry(
        python, "TestDialectExcel.test_dubious_quote:L781", SpecRule.quoteInUnquoted,
        .faults([SpecFault(1, 3, .quoteInUnquotedField)])),
      // Text after a closing quote.
      entry(
        papaParse, "Quoted fields with spaces between closing quote and next delimiter",
        SpecRule.textAfterQuote,
        .faults([SpecFault(1, 2, .textAfterClosingQuote), SpecFault(2, 3, .textAfterClosingQuote)])
      ),
      entry(
        papaParse, "Quoted fields with spaces between closing quote and next new line",
        SpecRule.textAfterQuote,
        .faults([SpecFault(1, 4, .textAfterClosingQuote), SpecFault(2, 4, .textAfterClosingQuote)])
      ),
      entry(
        papaParse, "Quoted fields with spaces after closing quote", SpecRule.textAfterQuote,
        .faults([
          SpecFault(1, 2, .textAfterClosingQuote), SpecFault(2, 3, .textAfterClosingQuote),
          SpecFault(3, 3, .textAfterClosingQuote),
        ])),
      entry(
        papaParse,
        "Quoted fields with spaces between closing quote and next delimiter and contains delimiter",
        SpecRule.textAfterQuote, .faults([SpecFault(1, 2, .textAfterClosingQuote)])),
      entry(
        papaParse,
        "Quoted fields with spaces between closing quote and newline and contains newline",
        SpecRule.textAfterQuote, .faults([SpecFault(1, 3, .textAfterClosingQuote)])),
      entry(
        rust, "quote_no_escapes", SpecRule.textAfterQuote,
        .faults([SpecFault(1, 1, .textAfterClosingQuote), SpecFault(1, 1, .quoteInUnquotedField)])
      ),
      entry(
        python, "TestDialectExcel.test_quotes_and_more:L743", SpecRule.textAfterQuote,
        .faults([SpecFault(1, 1, .textAfterClosingQuote)])),
      entry(
        python, "TestDialectExcel.test_quote_and_quote:L751", SpecRule.textAfterQuote,
        .faults([SpecFault(1, 1, .textAfterClosingQuote), SpecFault(1, 1, .quoteInUnquotedField)])
      ),
      // NUL bytes.
      entry(
        python, "Test_Csv.test_read_nul:L403", SpecRule.nul, .faults([SpecFault(1, 1, .nulByte)])),
      entry(
        python, "Test_Csv.test_read_nul:L404", SpecRule.nul, .faults([SpecFault(1, 2, .nulByte)])),
      entry(
        python, "Test_Csv.test_read_nul:L405", SpecRule.nul, .faults([SpecFault(1, 2, .nulByte)])),
      entry(
        python, "Test_Csv.test_read_nul:L407", SpecRule.nul, .faults([SpecFault(1, 2, .nulByte)])),
      // Field count differs from the header's.
      entry(
        papaCore, "Input is just empty fields", SpecRule.fieldCount,
        .faults([SpecFault(2, 4, .fieldCount(expected: 3, actual: 4))])),
      entry(
        papaParse, "Blank line in middle with whitespace", SpecRule.fieldCount,
        .faults([SpecFault(2, 2, .fieldCount(expected: 3, actual: 1))])),
      entry(
        python, "TestDialectExcel.test_quoted_nl:L774", SpecRule.fieldCount,
        .faults([SpecFault(4, 5, .fieldCount(expected: 5, actual: 4))])),
      // Unterminated quote at end of input.
      entry(
        python, "Test_Csv.test_read_eof:L394", SpecRule.unterminated,
        .faults([SpecFault(1, 2, .unterminatedQuote)])),
      entry(
        python, "Test_Csv.test_read_eof:L395", SpecRule.unterminated,
        .faults([SpecFault(1, 1, .unterminatedQuote)])),
      // Empty lines are not records.
      entry(
        papaCore, "One column input with empty fields", SpecRule.emptyLine,
        .records([["a"], ["b"], ["c"], ["d"], ["e"]])),
      entry(
        papaParse, "Blank lines at end", SpecRule.emptyLine,
        .records([["a", "b", "c"], ["d", "e", "f"]])),
      entry(python, "Test_Csv.test_read_oddinputs:L371", SpecRule.emptyLine, .records([])),
      // A lone CR ends a record.
      entry(
        papaParse, "Mixed slash n and slash r should choose first as precident", SpecRule.loneCR,
        .records([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]])),
      // Comma separator only.
      entry(
        papaParse, "Pipe delimiter is guessed correctly when mixed with comas", SpecRule.comma,
        .records([["one|two", "two|three"], ["four|five", "five|six"]])),
      entry(
        papaParse,
        "Pipe delimiter is guessed correctly when first field are enclosed in quotes and contain"
          + " delimiter characters",
        SpecRule.comma,
        .faults([SpecFault(1, 1, .textAfterClosingQuote), SpecFault(1, 1, .quoteInUnquotedField)])
      ),
      entry(
        papaParse,
        "Pipe delimiter is guessed correctly when some fields are enclosed in quotes and contain"
          + " delimiter characters and escaoped quotes",
        SpecRule.comma,
        .faults([SpecFault(1, 1, .quoteInUnquotedField), SpecFault(1, 3, .textAfterClosingQuote)])
      ),
      // PapaParse reports an error where the batch format sees plain CSV.
      entry(papaParse, "Empty input string", SpecRule.emptyOrOneField, .records([])),
      entry(
        papaParse, "Input is just a string (a single field)", SpecRule.emptyOrOneField,
        .records([["Abc def"]])),
    ])
}
