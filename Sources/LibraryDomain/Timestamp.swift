/// An instant in UTC with microsecond precision.
///
/// Values compare by `microseconds`, never by their text (docs/reports.md). Parsing and the
/// calendar initialiser accept the years 0001 to 9999 of the proleptic Gregorian calendar, in UTC.
/// Parsing lives in `Timestamp+Parsing.swift`, the text form in `Timestamp+Formatting.swift`.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// Microseconds since 1970-01-01T00:00:00Z, negative before.
  public let microseconds: Int64

  /// Wraps a count of microseconds since 1970-01-01T00:00:00Z.
  public init(microseconds: Int64) {
    self.microseconds = microseconds
  }

  /// Builds from calendar fields in UTC (for tests, generators, and the wall clock): nil if not a
  /// real date/time.
  ///
  /// The year must be 1 to 9999, the second 0 to 59 (no leap second), the microsecond 0 to 999,999.
  public init?(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int = 0
  ) {
    guard
      let value = Timestamp.microseconds(
        year: year, month: month, day: day, hour: hour, minute: minute, second: second,
        microsecond: microsecond)
    else { return nil }
    self.microseconds = value
  }

  /// Orders chronologically, by microseconds.
  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.microseconds < rhs.microseconds
  }
}

// MARK: - Calendar arithmetic

extension Timestamp {
  static let microsecondsPerSecond: Int64 = 1_000_000
  static let microsecondsPerDay: Int64 = 86_400_000_000

  /// 0001-01-01T00:00:00Z, the earliest instant that parsing accepts.
  static let earliestMicroseconds: Int64 = -62_135_596_800_000_000

  /// 9999-12-31T23:59:59.999999Z, the latest instant that parsing accepts.
  static let latestMicroseconds: Int64 = 253_402_300_799_999_999

  /// The calendar fields of this instant in UTC.
  struct Fields: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var microsecond: Int
  }

  /// Splits the instant into UTC calendar fields (any Int64, also outside the years 1 to 9999).
  var fields: Fields {
    let (days, timeOfDay) = floorDivide(microseconds, by: Timestamp.microsecondsPerDay)
    let date = Timestamp.civil(fromDays: days)
    let seconds = Int(timeOfDay / Timestamp.microsecondsPerSecond)
    return Fields(
      year: date.year, month: date.month, day: date.day,
      hour: seconds / 3600, minute: seconds / 60 % 60, second: seconds % 60,
      microsecond: Int(timeOfDay % Timestamp.microsecondsPerSecond))
  }

  /// Microseconds since the epoch for validated UTC fields, or nil when a field is out of range.
  static func microseconds(
    year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int
  ) -> Int64? {
    guard (1...9999).contains(year), (1...12).contains(month),
      (1...daysInMonth(year: year, month: month)).contains(day),
      (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
      (0...999_999).contains(microsecond)
    else { return nil }
    let days = Int64(daysFromCivil(year: year, month: month, day: day))
    let seconds = Int64(hour * 3600 + minute * 60 + second)
    return days * microsecondsPerDay + seconds * microsecondsPerSecond + Int64(microsecond)
  }

  /// Whether `year` has a February 29th in the proleptic Gregorian calendar.
  static func isLeapYear(_ year: Int) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// The number of days in `month` (1 to 12) of `year`.
  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let shiftedYear = month <= 2 ? year - 1 : year  // years start in March: leap day last
    let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
    let yearOfEra = shiftedYear - era * 400  // 0 ... 399
    let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1  // 0 ... 365
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0 ... 146096
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The proleptic Gregorian date of a count of days since 1970-01-01 (Hinnant's civil_from_days).
  static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
    let shifted = Int(days) + 719_468  // days since 0000-03-01
    let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
    let dayOfEra = shifted - era * 146_097  // 0 ... 146096
    let yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0 ... 399
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0 ... 365
    let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 ... 11, March first
    let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
    let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, month, day)
  }
}

/// Division rounding toward negative infinity, with a remainder that is never negative.
private func floorDivide(_ value: Int64, by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
  let quotient = value / divisor
  let remainder = value % divisor
  return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
}
