import EventLog
import LibraryDomain

/// What `explain` is asked about: one ISBN or one user.
public enum ExplainSubject: Sendable, Equatable {
  case book(ISBN)
  case user(String)
}

/// Why a cut leaves an event out.
public enum ExclusionReason: String, Sendable {
  /// Recorded after the cut's `known_at`.
  case notKnown = "not_known"
  /// Occurred after the cut's `at`.
  case afterAt = "after_at"
}

/// One applied event of the subject, with what it raised and the subject's state after it.
public struct ExplainedEvent: Sendable {
  public var event: StoredEvent
  /// The anomaly types it raised, in the order of the replay table.
  public var anomalies: [AnomalyType]
  /// For a book: its inventory row after the event, nil while it has not been added.
  public var book: Book?
  /// For a user: their open loans after the event, loans of unknown books included.
  public var openLoans: Int
}

/// The events behind a number (docs/reports.md, explain): the subject's applied events in replay
/// order, and its events the cut leaves out, by position.
public struct Explanation: Sendable {
  public var cut: ReplayCut
  public var subject: ExplainSubject
  public var events: [ExplainedEvent]
  public var excluded: [(event: StoredEvent, reason: ExclusionReason)]
  /// Whether the anomalies came from the anomaly index (else from a fold of their context).
  public var fromIndex: Bool
}

/// Builds an explanation from the log's indexes. A book's state depends on its own events only,
/// and a user's open loans on theirs, so folding the subject's events gives its states. Its
/// anomalies come from the anomaly index that `shelflog snapshot` keeps, when the index reaches
/// them and no batch it did not see (or that the cut does not know) could have changed them.
/// Otherwise the fold also takes every event that decides them: for a book, every event of the
/// users who borrowed or returned it (a borrow's `loan_limit_exceeded` depends on the user's
/// loans of other books); for a user, every event of the books they touched (whether a borrow
/// was an `over_borrow` depends on the other users' loans).
public enum Explainer {
  public static func explain(
    _ store: any EventStore, _ subject: ExplainSubject, cut: ReplayCut, policy: ReplayPolicy
  ) throws(ReplayError) -> Explanation {
    do {
      // Everything below reads the log as it stood here, whatever an import appends meanwhile.
      let end = try store.lastPosition()
      let pinned = ReplayCut(at: cut.at, knownAt: cut.knownAt, through: end)
      let filter: EventFilter =
        switch subject {
        case .book(let isbn): EventFilter(isbn: isbn)
        case .user(let user): EventFilter(userID: user)
        }
      var applied: [StoredEvent] = []
      var excluded: [(event: StoredEvent, reason: ExclusionReason)] = []
      try store.events(matching: filter) { event in
        guard event.position <= end else { return }
        if pinned.admits(
          occurred: event.occurredMicroseconds, recorded: event.recordedMicroseconds,
          position: event.position)
        {
          applied.append(event)
        } else {
          let known = event.recordedMicroseconds <= (cut.knownAt?.microseconds ?? .max)
          excluded.append((event, known ? .afterAt : .notKnown))
        }
      }
      // The anomaly index answers for the subject's anomalies when it reaches them and nothing
      // it did not see could have changed them: then the subject's own events decide the rest.
      let indexed = try store.indexedAnomalies(
        maxLoans: policy.maxLoans, cut: pinned,
        events: applied.map { ($0.position, $0.occurredMicroseconds) })
      var entities: EntityFilter
      switch subject {
      case .book(let isbn):
        entities = EntityFilter(
          isbns: [isbn], users: Array(Set(applied.map(\.userID).filter { !$0.isEmpty })).sorted())
      case .user(let user):
        entities = EntityFilter(
          isbns: Array(Set(applied.compactMap { ISBN($0.isbn) })).sorted(), users: [user])
      }
      if applied.isEmpty { entities = EntityFilter() }
      if indexed != nil {
        switch subject {
        case .book(let isbn): entities = EntityFilter(isbns: [isbn])
        case .user(let user): entities = EntityFilter(users: [user])
        }
      }
      let byPosition = Dictionary(uniqueKeysWithValues: applied.map { ($0.position, $0) })
      var library = Library(policy: policy)
      var sink = ExplainSink(positions: Set(byPosition.keys))
      var explained: [ExplainedEvent] = []
      _ = try store.replay(pinned, touching: entities) { rows in
        rows.forEachRow { row in
          library.apply(row: row, sink: &sink)
          guard let event = byPosition[row.position] else { return }
          var item = ExplainedEvent(event: event, anomalies: [], book: nil, openLoans: 0)
          switch subject {
          case .book(let isbn): item.book = library.book(isbn: isbn)
          case .user(let user): item.openLoans = library.openLoanCount(of: user)
          }
          explained.append(item)
        }
      }
      for index in explained.indices {
        let position = explained[index].event.position
        explained[index].anomalies =
          indexed.map { AnomalyIndexUpdate.types($0[position] ?? 0) } ?? sink.raised[position] ?? []
      }
      return Explanation(
        cut: cut, subject: subject, events: explained,
        excluded: excluded.sorted { $0.event.position < $1.event.position },
        fromIndex: indexed != nil)
    } catch {
      throw ReplayError(error, log: store.name)
    }
  }
}

/// Keeps the anomaly types raised by the subject's events.
private struct ExplainSink: ReplaySink {
  let positions: Set<Int64>
  var raised: [Int64: [AnomalyType]] = [:]

  mutating func raised(_ anomaly: Anomaly) {
    if positions.contains(anomaly.position) {
      raised[anomaly.position, default: []].append(anomaly.type)
    }
  }

  mutating func closed(_ loan: Loan) {}
  mutating func closed(_ loan: ClosedLoan, userID: () -> String) {}
}
