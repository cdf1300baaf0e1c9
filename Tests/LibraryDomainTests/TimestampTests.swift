import LibraryDomain
import ShelflogTestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite("Timestamp")
struct TimestampTests {
  /// Parses through the bytes fast path, as the importer does.
  static func parseBytes(_ text: String) -> Timestamp? {
    Array(text.utf8).withUnsafeBufferPointer { Timestamp.parse($0) }
  }

  // Expected values computed independently with Python's datetime.
  static let valid: [(input: String, utc: String, microseconds: Int64)] = [
    ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z", 0),
    ("1969-12-31T23:59:59.999999Z", "1969-12-31T23:59:59.999999Z", -1),
    ("2024-03-01T09:30:00Z", "2024-03-01T09:30:00Z", 1_709_285_400_000_000),
    ("2024-03-01T09:30:00+00:00", "2024-03-01T09:30:00Z", 1_709_285_400_000_000),
    ("2024-03-01T09:30:00-00:00", "2024-03-01T09:30:00Z", 1_709_285_400_000_000),
    // Fractions of 1 to 6 digits, right-padded; a zero fraction is not written.
    ("2024-03-01T09:30:00.2Z", "2024-03-01T09:30:00.200000Z", 1_709_285_400_200_000),
    ("2024-03-01T09:30:00.25Z", "2024-03-01T09:30:00.250000Z", 1_709_285_400_250_000),
    ("2024-03-01T09:30:00.123456Z", "2024-03-01T09:30:00.123456Z", 1_709_285_400_123_456),
    ("2024-03-01T09:30:00.000001Z", "2024-03-01T09:30:00.000001Z", 1_709_285_400_000_001),
    ("2024-03-01T09:30:00.0Z", "2024-03-01T09:30:00Z", 1_709_285_400_000_000),
    ("2024-03-01T09:30:00.000000Z", "2024-03-01T09:30:00Z", 1_709_285_400_000_000),
    ("2024-12-31T23:59:59.1-00:00", "2024-12-31T23:59:59.100000Z", 1_735_689_599_100_000),
    // Offsets crossing midnight, a month end (leap and common year) and a year end.
    ("2024-03-01T01:30:00+02:00", "2024-02-29T23:30:00Z", 1_709_249_400_000_000),
    ("2023-03-01T01:30:00+02:00", "2023-02-28T23:30:00Z", 1_677_627_000_000_000),
    ("2023-12-31T22:00:00-05:00", "2024-01-01T03:00:00Z", 1_704_078_000_000_000),
    ("2024-01-01T00:00:00+00:01", "2023-12-31T23:59:00Z", 1_704_067_140_000_000),
    ("2024-02-28T23:59:59.999999-23:59", "2024-02-29T23:58:59.999999Z", 1_709_251_139_999_999),
    ("2024-06-15T14:45:30.5+05:30", "2024-06-15T09:15:30.500000Z", 1_718_442_930_500_000),
    ("2024-06-15T14:45:30+23:59", "2024-06-14T14:46:30Z", 1_718_376_390_000_000),
    ("1900-03-01T00:00:00+00:30", "1900-02-28T23:30:00Z", -2_203_893_000_000_000),
    ("2100-03-01T00:00:00+01:00", "2100-02-28T23:00:00Z", 4_107_538_800_000_000),
    // February 29th in years divisible by 400, and the end of February in 1900.
    ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z", 951_782_400_000_000),
    ("1600-02-29T12:00:00Z", "1600-02-29T12:00:00Z", -11_670_955_200_000_000),
    ("1900-02-28T23:59:59Z", "1900-02-28T23:59:59Z", -2_203_891_201_000_000),
    // The ends of the range, also when reached through an offset.
    ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z", -62_135_596_800_000_000),
    ("0001-01-01T23:00:00+23:00", "0001-01-01T00:00:00Z", -62_135_596_800_000_000),
    ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
    ("9999-12-31T00:59:59.999999-23:00", "9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
  ]

  static let invalid: [String] = [
    "", "Z", "2024-03-01",
    // Not a real date.
    "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
    "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-01-00T00:00:00Z",
    "2024-01-32T00:00:00Z", "0000-01-01T00:00:00Z",
    // Not a real time: no 24:00, no leap second.
    "2024-03-01T24:00:00Z", "2024-03-01T23:60:00Z", "2024-03-01T23:59:60Z", "2024-03-01T99:00:00Z",
    // Outside the years 0001 to 9999 once normalised to UTC.
    "0001-01-01T00:00:00+00:01", "0001-01-01T22:59:59.999999+23:00", "9999-12-31T23:59:59-00:01",
    "9999-12-31T23:00:00-01:00",
    // A time without an offset.
    "2024-03-01T09:30:00", "2024-03-01T09:30:00.5", "2024-03-01T09:30:00.123456",
    // Lowercase, other separators, spaces.
    "2024-03-01t09:30:00Z", "2024-03-01T09:30:00z", "2024-03-01 09:30:00Z",
    "2024-03-01_09:30:00Z", "2024/03/01T09:30:00Z", "2024-03-01T09.30.00Z",
    " 2024-03-01T09:30:00Z", "2024-03-01T09:30:00Z ", "2024-03-01T09:30:00Z\n",
    "2024-03-01T09:30:00 Z", "2024-03-01T09:30:00 +01:00", "2024-03-01T09:30:00\0Z",
    // Fractions: 7 digits, none, a comma.
    "2024-03-01T09:30:00.1234567Z", "2024-03-01T09:30:00.0000000Z", "2024-03-01T09:30:00.Z",
    "2024-03-01T09:30:00.+01:00", "2024-03-01T09:30:00,5Z", "2024-03-01T09:30:00.5.5Z",
    // Offsets out of range or of another shape.
    "2024-03-01T09:30:00+24:00", "2024-03-01T09:30:00-24:00", "2024-03-01T09:30:00+23:60",
    "2024-03-01T09:30:00+0530", "2024-03-01T09:30:00+05", "2024-03-01T09:30:00+05:30:00",
    "2024-03-01T09:30:00+5:30", "2024-03-01T09:30:0005:30", "2024-03-01T09:30:00+05:3",
    "2024-03-01T09:30:00ZZ", "2024-03-01T09:30:00+00:00Z", "2024-03-01T09:30:00Z+00:00",
    "2024-03-01T09:30:00UTC", "2024-03-01T09:30:00GMT", "2024-03-01T09:30:00\u{2212}01:00",
    // Fields of the wrong width.
    "2024-3-01T09:30:00Z", "2024-03-1T09:30:00Z", "24-03-01T09:30:00Z", "12024-03-01T09:30:00Z",
    "+2024-03-01T09:30:00Z", "-2024-03-01T09:30:00Z", "2024-03-01T9:30:00Z", "2024-03-01T09:30Z",
    "2024-03-01T09:30:0Z", "20240301T093000Z",
    // Non-ASCII digits.
    "\u{FF12}024-03-01T09:30:00Z", "2024-03-01T09:30:0\u{0661}Z",
  ]

  @Test("parses and normalises to UTC", arguments: valid)
  func parsesValid(input: String, utc: String, microseconds: Int64) throws {
    let timestamp = try #require(Timestamp(rfc3339: input))
    #expect(timestamp.microseconds == microseconds)
    #expect(timestamp.description == utc)
    #expect(Self.parseBytes(input) == timestamp)
    #expect(Timestamp(cut: input) == timestamp)
    #expect(Timestamp(rfc3339: utc) == timestamp)
  }

  @Test("rejects", arguments: invalid)
  func rejectsInvalid(input: String) {
    #expect(Timestamp(rfc3339: input) == nil)
    #expect(Self.parseBytes(input) == nil)
  }

  // MARK: - Cuts

  @Test func bareDateCutIsTheLastMicrosecondOfTheDay() throws {
    let cut = try #require(Timestamp(cut: "2024-03-01"))
    #expect(cut.description == "2024-03-01T23:59:59.999999Z")
    #expect(cut.microseconds == 1_709_337_599_999_999)
    #expect(
      cut
        == Timestamp(
          year: 2024, month: 3, day: 1, hour: 23, minute: 59, second: 59, microsecond: 999_999))
    // Inclusive: every instant of that day is at or before the cut, the next day is after it.
    #expect(try #require(Timestamp(rfc3339: "2024-03-01T23:59:59.999999Z")) <= cut)
    #expect(
      try #require(Timestamp(rfc3339: "2024-03-02T00:00:00Z")).microseconds == cut.microseconds + 1)
    #expect(try #require(Timestamp(rfc3339: "2024-03-02T00:00:00+01:00")) < cut)
  }

  @Test(
    "bare-date cuts",
    arguments: [
      ("2024-02-29", "2024-02-29T23:59:59.999999Z"),
      ("2000-02-29", "2000-02-29T23:59:59.999999Z"),
      ("2023-12-31", "2023-12-31T23:59:59.999999Z"),
      ("0001-01-01", "0001-01-01T23:59:59.999999Z"),
      ("9999-12-31", "9999-12-31T23:59:59.999999Z"),
    ])
  func bareDateCuts(input: String, expected: String) {
    #expect(Timestamp(cut: input)?.description == expected)
  }

  @Test(
    "rejected cuts",
    arguments: [
      "", "2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-01-32", "0000-12-31",
      "2024-3-01", "20240301", "2024-03-01Z", "2024-03-01T", " 2024-03-01", "2024-03-01 ",
      "2024/03/01", "2024-03-01T09:30:00", "2024-03-01t09:30:00Z", "\u{FF12}024-03-01",
    ])
  func rejectedCuts(input: String) {
    #expect(Timestamp(cut: input) == nil)
  }

  // MARK: - Calendar fields

  @Test func calendarInitialiserMatchesParsing() throws {
    let built = try #require(
      Timestamp(year: 2024, month: 3, day: 1, hour: 9, minute: 30, second: 0, microsecond: 250_000))
    #expect(built == Timestamp(rfc3339: "2024-03-01T09:30:00.25Z"))
    #expect(
      Timestamp(year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0)?.microseconds == 0)
  }

  @Test(
    "calendar initialiser refuses",
    arguments: [
      (2023, 2, 29, 0, 0, 0, 0), (1900, 2, 29, 0, 0, 0, 0), (2024, 2, 30, 0, 0, 0, 0),
      (2024, 4, 31, 0, 0, 0, 0), (2024, 0, 1, 0, 0, 0, 0), (2024, 13, 1, 0, 0, 0, 0),
      (2024, 1, 0, 0, 0, 0, 0), (2024, 1, 1, 24, 0, 0, 0), (2024, 1, 1, -1, 0, 0, 0),
      (2024, 1, 1, 0, 60, 0, 0), (2024, 1, 1, 0, 0, 60, 0), (2024, 1, 1, 0, 0, 0, -1),
      (2024, 1, 1, 0, 0, 0, 1_000_000), (0, 1, 1, 0, 0, 0, 0), (10_000, 1, 1, 0, 0, 0, 0),
      (-1, 1, 1, 0, 0, 0, 0),
    ])
  func calendarInitialiserRefuses(fields: (Int, Int, Int, Int, Int, Int, Int)) {
    let (year, month, day, hour, minute, second, microsecond) = fields
    let built = Timestamp(
      year: year, month: month, day: day, hour: hour, minute: minute, second: second,
      microsecond: microsecond)
    #expect(built == nil)
  }

  /// Walks every day from 0001-01-01 to 9999-12-31: each is one day after the one before.
  @Test func everyDayOfTheRangeFollowsTheOneBefore() {
    let day: Int64 = 86_400_000_000
    var previous = Timestamp(year: 1, month: 1, day: 1, hour: 0, minute: 0, second: 0)
    var count = 1
    var failures = 0
    for year in 1...9999 {
      let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
      for month in 1...12 {
        let length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        #expect(
          Timestamp(year: year, month: month, day: length + 1, hour: 0, minute: 0, second: 0) == nil
        )
        for dayOfMonth in 1...length where year > 1 || month > 1 || dayOfMonth > 1 {
          let current = Timestamp(
            year: year, month: month, day: dayOfMonth, hour: 0, minute: 0, second: 0)
          if current?.microseconds != previous.map({ $0.microseconds + day }) {
            failures += 1
          }
          previous = current
          count += 1
        }
      }
    }
    #expect(failures == 0)
    #expect(count == 3_652_059)
    #expect(previous?.description == "9999-12-31T00:00:00Z")
  }

  /// Compares the date arithmetic with the C library's proleptic Gregorian `gmtime_r`.
  @Test func fieldsAgreeWithTheCLibrary() throws {
    var random = SplitMix64(seed: 0x7135_7A39)
    let low: Int64 = -62_135_596_800
    let high: Int64 = 253_402_300_799
    for _ in 0..<20_000 {
      let seconds = low + Int64(random.next() % UInt64(high - low + 1))
      var time = time_t(seconds)
      var parts = tm()
      try #require(gmtime_r(&time, &parts) != nil)
      let expected = Timestamp(
        year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
        hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
      #expect(expected?.microseconds == seconds * 1_000_000, "\(seconds)")
    }
  }

  // MARK: - Text form

  @Test func formatsPerSpecSectionFive() {
    #expect(Timestamp(microseconds: 1_709_285_400_000_000).description == "2024-03-01T09:30:00Z")
    #expect(
      Timestamp(microseconds: 1_709_285_400_250_000).description == "2024-03-01T09:30:00.250000Z")
    #expect(
      Timestamp(microseconds: 1_709_285_400_000_001).description == "2024-03-01T09:30:00.000001Z")
    #expect(Timestamp(microseconds: 0).description == "1970-01-01T00:00:00Z")
    #expect(Timestamp(microseconds: -1).description == "1969-12-31T23:59:59.999999Z")
    #expect(Timestamp(microseconds: -1_000_000).description == "1969-12-31T23:59:59Z")
    #expect(Timestamp(microseconds: -62_135_596_800_000_000).description == "0001-01-01T00:00:00Z")
    #expect(
      Timestamp(microseconds: 253_402_300_799_999_999).description == "9999-12-31T23:59:59.999999Z")
  }

  @Test func formatsYearsOutsideTheParsedRangeWithoutCrashing() {
    let yearZero = Timestamp(microseconds: -62_135_596_800_000_000 - 1)
    #expect(yearZero.description == "0000-12-31T23:59:59.999999Z")
    #expect(Timestamp(rfc3339: yearZero.description) == nil)
    #expect(Timestamp(microseconds: 253_402_300_800_000_000).description == "10000-01-01T00:00:00Z")
    #expect(Timestamp(microseconds: .min).description.hasPrefix("-"))
    #expect(Timestamp(microseconds: .max).description.hasSuffix(".775807Z"))
  }

  @Test func appendTextMatchesDescription() {
    var bytes = Array("at=".utf8)
    Timestamp(microseconds: 1_709_285_400_250_000).appendText(to: &bytes)
    bytes.append(UInt8(ascii: ";"))
    Timestamp(microseconds: 0).appendText(to: &bytes)
    #expect(
      String(decoding: bytes, as: UTF8.self)
        == "at=2024-03-01T09:30:00.250000Z;1970-01-01T00:00:00Z")
  }

  /// Random values in the years 0001 to 9999 survive text and back, half of them with no fraction.
  @Test func roundTripsRandomValues() {
    var random = SplitMix64(seed: 0x5E1F_106)
    let low: Int64 = -62_135_596_800_000_000
    let high: Int64 = 253_402_300_799_999_999
    var failures: [Int64] = []
    for index in 0..<50_000 {
      var value = low + Int64(random.next() % UInt64(high - low + 1))
      if index % 2 == 0 {
        value -= ((value % 1_000_000) + 1_000_000) % 1_000_000
      }
      let timestamp = Timestamp(microseconds: value)
      let text = timestamp.description
      var bytes: [UInt8] = []
      timestamp.appendText(to: &bytes)
      if Timestamp(rfc3339: text) != timestamp || bytes != Array(text.utf8)
        || text.contains(".") != (value % 1_000_000 != 0)
      {
        failures.append(value)
      }
    }
    #expect(failures.isEmpty)
  }

  // MARK: - Order

  @Test func ordersByMicroseconds() throws {
    let texts = [
      "2024-03-01T09:30:00.250000Z", "2024-03-01T10:00:00+02:00", "1969-12-31T23:59:59Z",
      "2024-03-01T09:30:00Z", "2024-03-01T09:29:59.999999Z", "0001-01-01T00:00:00Z",
    ]
    let values = try texts.map { try #require(Timestamp(rfc3339: $0)) }
    #expect(
      values.sorted().map(\.description) == [
        "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "2024-03-01T08:00:00Z",
        "2024-03-01T09:29:59.999999Z", "2024-03-01T09:30:00Z", "2024-03-01T09:30:00.250000Z",
      ])
    #expect(values.sorted().map(\.microseconds) == values.map(\.microseconds).sorted())
  }

  /// docs/reports.md: the text form does not sort chronologically, the values do.
  @Test func textFormDoesNotSortChronologically() throws {
    let whole = try #require(Timestamp(rfc3339: "2024-03-01T09:30:00Z"))
    let quarter = try #require(Timestamp(rfc3339: "2024-03-01T09:30:00.25Z"))
    #expect(whole < quarter)
    #expect(whole.description == "2024-03-01T09:30:00Z")
    #expect(quarter.description == "2024-03-01T09:30:00.250000Z")
    #expect(quarter.description < whole.description)
  }

  @Test func equalInstantsWithDifferentOffsetsAreEqualAndHashAlike() throws {
    let utc = try #require(Timestamp(rfc3339: "2024-03-01T00:30:00Z"))
    let east = try #require(Timestamp(rfc3339: "2024-03-01T02:30:00+02:00"))
    let west = try #require(Timestamp(rfc3339: "2024-02-29T19:30:00.000-05:00"))
    #expect(utc == east && east == west)
    #expect(Set([utc, east, west]).count == 1)
  }
}
