import LibraryDomain
import ShelflogTestSupport
import Testing

@Suite("ISBN")
struct ISBNTests {
  /// Parses through the bytes fast path, as the importer does.
  static func parseBytes(_ text: String) -> ISBN? {
    Array(text.utf8).withUnsafeBufferPointer { ISBN.parse($0) }
  }

  static let valid: [(input: String, digits: String)] = [
    // ISBN-10, with and without separators.
    ("0306406152", "9780306406157"),
    ("0-306-40615-2", "9780306406157"),
    ("0 306 40615 2", "9780306406157"),
    ("0-306 40615-2", "9780306406157"),
    // A check digit of X, either case; the EAN-13 check digit is recomputed.
    ("080442957X", "9780804429573"),
    ("0-8044-2957-x", "9780804429573"),
    ("123456789X", "9781234567897"),
    ("0000000000", "9780000000002"),
    ("9999999999", "9789999999991"),
    ("9604250590", "9789604250592"),
    // ISBN-13, 978 and 979, kept as they are.
    ("9780306406157", "9780306406157"),
    ("978-0-306-40615-7", "9780306406157"),
    ("978 0 306 40615 7", "9780306406157"),
    ("9791090636071", "9791090636071"),
    ("979-10-90636-07-1", "9791090636071"),
    ("9790030640611", "9790030640611"),
    // Separators anywhere, as python-stdnum (the vectors' oracle) strips them all.
    (" 0306406152", "9780306406157"),
    ("0306406152 ", "9780306406157"),
    ("-0306406152-", "9780306406157"),
    ("0--306--40615--2", "9780306406157"),
    ("  978-0-306-40615-7  ", "9780306406157"),
    ("9 7 8 0 3 0 6 4 0 6 1 5 7", "9780306406157"),
    ("080442957 - X", "9780804429573"),
  ]

  static let invalid: [String] = [
    "", " ", "-", " - - ",
    // Wrong check digits.
    "0306406153", "030640615X", "9780306406158", "9780306406150", "1234567890",
    // ISBN-13 prefixes other than 978 and 979, even with a valid EAN-13 check digit.
    "9770306406158", "0000000000000", "5413170121522",
    // X anywhere but the end of an ISBN-10, or in an ISBN-13.
    "X306406152", "03064061X2", "978030640615X", "080442957XX", "X",
    // Wrong lengths, the 9-digit SBN included.
    "030640615", "03064061521", "978030640615", "97803064061570", "97803064061571234",
    // Other characters: tabs, line breaks, underscores, dots, slashes, letters, prefixes.
    "0306406152\t", "\t0306406152", "0306406152\n", "0_306_40615_2", "0.306.40615.2",
    "0/306/40615/2", "ISBN 0306406152", "isbn 9780306406157", "ISBN-9780306406157",
    "0306406152a", "O306406152", "+0306406152", "0306406152\0",
    // Non-ASCII digits, dashes and spaces.
    "\u{660}\u{663}\u{660}\u{666}\u{664}\u{660}\u{666}\u{661}\u{665}\u{662}",
    "\u{FF10}\u{FF13}\u{FF10}\u{FF16}\u{FF14}\u{FF10}\u{FF16}\u{FF11}\u{FF15}\u{FF12}",
    "0\u{2013}306\u{2013}40615\u{2013}2", "0\u{2010}306\u{2010}40615\u{2010}2",
    "0\u{00A0}306406152", "978030640615\u{2077}", "\u{FEFF}0306406152",
  ]

  @Test("accepts and normalises", arguments: valid)
  func acceptsValid(input: String, digits: String) throws {
    let isbn = try #require(ISBN(input))
    #expect(isbn.digits == digits)
    #expect(isbn.description == digits)
    #expect(Self.parseBytes(input) == isbn)
  }

  @Test("rejects", arguments: invalid)
  func rejectsInvalid(input: String) {
    #expect(ISBN(input) == nil)
    #expect(Self.parseBytes(input) == nil)
  }

  @Test func digitsAreThirteenASCIIDigits() throws {
    for (input, _) in Self.valid {
      let digits = try #require(ISBN(input)).digits
      #expect(digits.utf8.count == 13)
      #expect(digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
    }
  }

  @Test func normalisedFormParsesToItself() throws {
    for (input, _) in Self.valid {
      let isbn = try #require(ISBN(input))
      #expect(ISBN(isbn.digits) == isbn)
    }
  }

  @Test func appendTextMatchesDigits() throws {
    var bytes = Array("isbn=".utf8)
    try #require(ISBN("0-306-40615-2")).appendText(to: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self) == "isbn=9780306406157")
  }

  @Test func tenAndThirteenDigitFormsAreEqualAndHashAlike() throws {
    let ten = try #require(ISBN("0-306-40615-2"))
    let thirteen = try #require(ISBN("978-0-306-40615-7"))
    #expect(ten == thirteen)
    #expect(Set([ten, thirteen]).count == 1)
  }

  @Test func ordersByDigits() throws {
    let inputs = ["9791090636071", "0306406152", "9780000000002", "080442957X", "9789999999991"]
    let sorted = try inputs.map { try #require(ISBN($0)) }.sorted()
    #expect(sorted.map(\.digits) == sorted.map(\.digits).sorted())
    #expect(sorted.first?.digits == "9780000000002")
    #expect(sorted.last?.digits == "9791090636071")
  }

  @Test func doesNotReadPastTheBuffer() {
    let bytes = Array("0306406152 trailing".utf8)
    let isbn = bytes.withUnsafeBufferPointer {
      ISBN.parse(UnsafeBufferPointer(rebasing: $0[..<10]))
    }
    #expect(isbn?.digits == "9780306406157")
    let empty = [UInt8]().withUnsafeBufferPointer { ISBN.parse($0) }
    #expect(empty == nil)
  }

  /// Every ISBN-10 from a seeded sample normalises as the textbook algorithms say.
  @Test func everyISBN10NormalisesLikeTheTextbook() throws {
    var random = SplitMix64(seed: 0x15B_7E57)
    for _ in 0..<2000 {
      let prefix = (0..<9).map { _ in Int(random.next() % 10) }
      let weighted = prefix.enumerated().reduce(0) { $0 + $1.element * (10 - $1.offset) }
      let check = (11 - weighted % 11) % 11
      let isbn10 = prefix.map(String.init).joined() + (check == 10 ? "X" : String(check))
      let twelve = [9, 7, 8] + prefix
      let sum = twelve.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
      let expected = twelve.map(String.init).joined() + String((10 - sum % 10) % 10)
      #expect(ISBN(isbn10)?.digits == expected, "\(isbn10)")
      #expect(ISBN(expected)?.digits == expected, "\(expected)")
      // Any other check character is refused.
      let wrong = (check + 1 + Int(random.next() % 10)) % 11
      let wrongText = prefix.map(String.init).joined() + (wrong == 10 ? "X" : String(wrong))
      #expect(ISBN(wrongText) == nil, "\(wrongText)")
    }
  }
}
