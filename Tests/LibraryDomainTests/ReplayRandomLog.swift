import LibraryDomain
import ShelflogTestSupport

/// A random event log in append order: few ISBNs and users, so that every table row happens, and
/// times drawn independently of positions, so that ties and late events are common.
struct RandomLog {
  var events: [RecordedEvent]
  var policy: ReplayPolicy

  static let isbns: [ISBN] = [.bookA, .bookB, .bookC, .elixirInAction]
  static let users = ["u1", "u2", "u3", "user.4@example.org"]
  static let titles = [("Dune", "Frank Herbert"), ("Dune", "F. Herbert"), ("Emma", "Jane Austen")]

  init(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    policy = ReplayPolicy(loanDays: 1 + random.below(30), maxLoans: 1 + random.below(6))
    let count = random.below(301)
    events = (0..<count).map { index in
      let position = Int64(index + 1)
      let isbn = random.pick(Self.isbns)
      let user = random.pick(Self.users)
      let event: LibraryEvent
      switch random.below(100) {
      case 0..<20:
        let (title, author) = random.pick(Self.titles)
        event = .bookAdded(
          BookAdded(isbn: isbn, title: title, author: author, quantity: 1 + random.below(3)))
      case 20..<55:
        event = .bookBorrowed(BookBorrowed(isbn: isbn, userID: user))
      case 55..<85:
        event = .bookReturned(BookReturned(isbn: isbn, userID: user))
      default:
        event = .bookRemoved(BookRemoved(isbn: isbn))
      }
      // About 100 distinct minutes for up to 300 events, a few a microsecond apart.
      let minute = Int64(random.below(100))
      let microsecond = random.below(4) == 0 ? Int64(random.below(3)) : 0
      let occurredAt = Timestamp(
        microseconds: ReplayClock.base.microseconds + minute * ReplayClock.minute + microsecond)
      let commandID = random.below(2) == 0 ? "" : "cmd-\(position)"
      return RecordedEvent(
        position: position, occurredAt: occurredAt, commandID: commandID, event: event)
    }
  }

  /// Cut times for this log: before everything, after everything, exactly at event times (cuts
  /// are inclusive), just before them, and between minutes.
  func cuts(seed: UInt64) -> [Timestamp] {
    var random = SplitMix64(seed: seed ^ 0x5EED)
    let base = ReplayClock.base.microseconds
    var cuts = [
      Timestamp(microseconds: base - 1),
      Timestamp(microseconds: base + 200 * ReplayClock.minute),
    ]
    for _ in 0..<6 where !events.isEmpty {
      let at = random.pick(events).occurredAt.microseconds
      cuts.append(Timestamp(microseconds: at))
      cuts.append(Timestamp(microseconds: at - 1))
      cuts.append(Timestamp(microseconds: at + ReplayClock.minute / 2))
    }
    return cuts
  }
}
