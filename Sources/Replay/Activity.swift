import LibraryDomain

/// What the activity report asks of a replay: its period length and first period.
public struct ActivityOptions: Sendable, Equatable {
  public var every: PeriodLength
  /// The first period is the one holding this time; nil: the one holding the first event.
  public var from: Timestamp?

  public init(every: PeriodLength = .month, from: Timestamp? = nil) {
    self.every = every
    self.from = from
  }

  /// More periods than this are refused (a longer `--every` or a later `--from` fits).
  public static let maximumPeriods = 100_000
}

/// One period of the activity report: the applied events that occurred in it, by type; the
/// distinct users who borrowed or returned; the anomalies its events raised; and the summary's
/// figures at its last instant.
public struct ActivityPeriod: Sendable, Equatable {
  public var start: Timestamp
  /// The last instant included: the next period's start minus a microsecond, or the cut's `at`.
  public var end: Timestamp
  public var added = 0
  public var borrowed = 0
  public var returned = 0
  public var removed = 0
  public var activeUsers = 0
  public var copiesTotal = 0
  public var copiesOnLoan = 0
  public var openLoans = 0
  public var overdueLoans = 0
  public var anomalies: [AnomalyType: Int] = [:]

  public init(start: Timestamp, end: Timestamp) {
    self.start = start
    self.end = end
  }
}

/// The activity report of one cut.
public struct ActivityReport: Sendable, Equatable {
  public var every: PeriodLength
  public var periods: [ActivityPeriod]

  public init(every: PeriodLength, periods: [ActivityPeriod]) {
    self.every = every
    self.periods = periods
  }
}

/// Builds the activity report during the replay's single pass: the fold calls `before` ahead
/// of each event and `after` it; a period is closed, with the state of that moment, when the
/// first event after it comes (events come in business-time order), so the state at each
/// period's end comes from the same fold, never from a replay of its own.
struct ActivityRecorder {
  let options: ActivityOptions
  let at: Timestamp
  private(set) var periods: [ActivityPeriod] = []
  /// The open period, nil before the first one starts (or when there is none at all).
  private var current: ActivityPeriod?
  private var nextStart = Timestamp(microseconds: Int64.max)
  /// The anomaly counts of the whole replay when the open period started.
  private var anomaliesAtStart: [AnomalyType: Int] = [:]
  /// Per user index, the last period (its number + 1) the user was counted active in.
  private var activeIn: [Int32] = []
  private var disabled = false
  private(set) var tooManyPeriods = false

  init(options: ActivityOptions, at: Timestamp) {
    self.options = options
    self.at = at
    if let from = options.from {
      if from > at {
        disabled = true
      } else {
        open(options.every.start(of: from), anomalies: [:])
      }
    }
  }

  /// Before an event at `time` is applied: closes the periods that end before it (and, before
  /// the first event, opens the first period).
  mutating func before(_ time: Timestamp, library: Library, anomalies: [AnomalyType: Int]) {
    guard !disabled else { return }
    guard current != nil else {
      open(options.every.start(of: time), anomalies: anomalies)
      return
    }
    while time >= nextStart && !disabled {
      closeAndOpenNext(library: library, anomalies: anomalies)
    }
  }

  /// Whether `before` has work for an event at `time`: a period to open or to close.
  func closesPeriod(before time: Timestamp) -> Bool {
    !disabled && (current == nil || time >= nextStart)
  }

  /// After an event is applied: counts it in the open period, its `user` (the library's index,
  /// for a borrow or return) as active. Events before the first period (with `from`) count in
  /// none, nor do the anomalies they raised.
  mutating func after(_ row: EventRow, user: Int32?, anomalies: [AnomalyType: Int]) {
    guard !disabled, var period = current else { return }
    guard row.occurredAt >= period.start else {
      anomaliesAtStart = anomalies
      return
    }
    switch row.type {
    case .bookAdded: period.added += 1
    case .bookBorrowed: period.borrowed += 1
    case .bookReturned: period.returned += 1
    case .bookRemoved: period.removed += 1
    }
    if let user {
      if Int(user) >= activeIn.count {
        activeIn.append(contentsOf: repeatElement(0, count: Int(user) + 1 - activeIn.count))
      }
      let mark = Int32(periods.count + 1)
      if activeIn[Int(user)] != mark {
        activeIn[Int(user)] = mark
        period.activeUsers += 1
      }
    }
    current = period
  }

  /// After the last event: closes the periods up to the one holding the cut's `at`.
  mutating func finish(library: Library, anomalies: [AnomalyType: Int]) -> [ActivityPeriod] {
    guard !disabled, current != nil else { return periods }
    while nextStart <= at && !disabled {
      closeAndOpenNext(library: library, anomalies: anomalies)
    }
    if !disabled, var last = current {
      last.end = at
      close(&last, library: library, anomalies: anomalies)
      periods.append(last)
      current = nil
    }
    return periods
  }

  private mutating func open(_ start: Timestamp, anomalies: [AnomalyType: Int]) {
    nextStart = options.every.next(after: start)
    current = ActivityPeriod(start: start, end: Timestamp(microseconds: nextStart.microseconds - 1))
    anomaliesAtStart = anomalies
  }

  private mutating func closeAndOpenNext(library: Library, anomalies: [AnomalyType: Int]) {
    guard var period = current else { return }
    close(&period, library: library, anomalies: anomalies)
    periods.append(period)
    if periods.count >= ActivityOptions.maximumPeriods {
      tooManyPeriods = true
      disabled = true
      current = nil
      return
    }
    open(nextStart, anomalies: anomalies)
  }

  /// The period's figures as the summary would give them at its end.
  private func close(
    _ period: inout ActivityPeriod, library: Library, anomalies: [AnomalyType: Int]
  ) {
    let totals = library.totals
    period.copiesTotal = totals.copiesTotal
    period.copiesOnLoan = totals.copiesOnLoan
    period.openLoans = library.openLoanTotal
    period.overdueLoans = library.overdueLoanCount(at: period.end)
    for type in AnomalyType.allCases {
      let raised = anomalies[type, default: 0] - anomaliesAtStart[type, default: 0]
      if raised > 0 { period.anomalies[type] = raised }
    }
  }
}
