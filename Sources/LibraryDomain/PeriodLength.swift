/// The periods of the activity report (docs/reports.md): UTC calendar days, ISO weeks (from
/// Monday 00:00Z) and calendar months.
public enum PeriodLength: String, Sendable, CaseIterable {
  case day, week, month

  /// The first instant of the period holding `time`.
  public func start(of time: Timestamp) -> Timestamp {
    let perDay = Timestamp.microsecondsPerDay
    let days =
      time.microseconds >= 0 ? time.microseconds / perDay : (time.microseconds + 1) / perDay - 1
    switch self {
    case .day:
      return Timestamp(microseconds: days * perDay)
    case .week:
      // 1970-01-01 was a Thursday: Monday is three days further on in a week's count.
      let weekday = ((days + 3) % 7 + 7) % 7
      return Timestamp(microseconds: (days - weekday) * perDay)
    case .month:
      let date = Timestamp.civil(fromDays: days)
      let first = Timestamp.daysFromCivil(year: date.year, month: date.month, day: 1)
      return Timestamp(microseconds: Int64(first) * perDay)
    }
  }

  /// The first instant of the period after the one that starts at `start`.
  public func next(after start: Timestamp) -> Timestamp {
    let perDay = Timestamp.microsecondsPerDay
    switch self {
    case .day: return Timestamp(microseconds: start.microseconds + perDay)
    case .week: return Timestamp(microseconds: start.microseconds + 7 * perDay)
    case .month:
      let days = start.microseconds / perDay
      let date = Timestamp.civil(fromDays: days >= 0 ? days : days - 1)
      let (year, month) = date.month == 12 ? (date.year + 1, 1) : (date.year, date.month + 1)
      return Timestamp(
        microseconds: Int64(Timestamp.daysFromCivil(year: year, month: month, day: 1)) * perDay)
    }
  }
}
