import EventLog
import Foundation
import LibraryDomain
import Replay
import ShelflogTestSupport
import Synchronization
import Testing

/// docs/current-model.md: the current-state tables always equal a full replay of the log at the
/// same head, whatever order batches arrive in and whenever `project` runs.
@Suite("Current model")
struct CurrentModelTests {
  private static let isbns = ["9781593275846", "9781680502992", "9780306406157", "9780131103627"]
  private static let users = ["ann", "bob", "cy", "dee"]

  /// A batch of rows at times within `days` (each day of March 2024), in any order.
  private static func batch(_ generator: inout SplitMix64, days: ClosedRange<Int>) -> String {
    (0..<Int.random(in: 1...20, using: &generator)).map { _ in
      let isbn = isbns.randomElement(using: &generator) ?? isbns[0]
      let user = users.randomElement(using: &generator) ?? users[0]
      let day = Int.random(in: days, using: &generator)
      let time =
        "2024-03-\(day < 10 ? "0" : "")\(day)T1\(Int.random(in: 0...1, using: &generator)):00:00Z"
      switch Int.random(in: 0..<10, using: &generator) {
      case 0...1:
        return
          ",AddBook,\(isbn),T\(Int.random(in: 1...2, using: &generator)),A,"
          + "\(Int.random(in: 1...2, using: &generator)),,\(time)\n"
      case 2...5: return ",BorrowBook,\(isbn),,,,\(user),\(time)\n"
      case 6...8: return ",ReturnBook,\(isbn),,,,\(user),\(time)\n"
      default: return ",RemoveBook,\(isbn),,,,,\(time)\n"
      }
    }.joined()
  }

  /// The tables a full replay of the whole log gives, in `ModelTables`' form.
  static func expected(_ store: any EventStore, policy: ReplayPolicy) throws -> ModelTables {
    let projection = try Replayer.replay(
      store, cut: ReplayCut(at: Timestamp(microseconds: Int64.max)), policy: policy)
    let books = projection.books.map { book in
      "\(book.isbn.digits)|\(book.title)|\(book.author)|\(book.total)|\(book.onLoan)|"
        + "\(book.available)|\(book.status.rawValue)"
    }
    var open: [Loan] = []
    for user in projection.users {
      open += projection.loans(of: user).filter { $0.returnedAt == nil }
    }
    open.sort { $0.position < $1.position }
    let loans = open.map { loan in
      "\(loan.position)|\(loan.isbn.digits)|\(loan.userID)|\(loan.borrowedAt.microseconds)|"
        + "\(loan.borrowedAt.microseconds + Int64(policy.loanDays) * 86_400_000_000)|"
        + "\(loan.counted ? 1 : 0)"
    }
    let users = Dictionary(grouping: open, by: \.userID).sorted { $0.key < $1.key }.map {
      "\($0.key)|\($0.value.count)|\($0.value.count >= policy.maxLoans ? 1 : 0)"
    }
    var anomalies: [String] = []
    projection.forEachAnomaly { anomaly in
      anomalies.append(
        "\(anomaly.occurredAt.microseconds)|\(anomaly.position)|\(anomaly.type.rawValue)|"
          + "\(anomaly.commandID ?? "-")|\(anomaly.isbn.digits)|\(anomaly.userID ?? "-")|"
          + anomaly.detail)
    }
    return ModelTables(
      books: books, loans: loans, users: users, anomalies: anomalies,
      checkpoint: projection.head.map { "\($0.position)|\($0.hash)" })
  }

  /// Random logs: batches that carry the next days (the nightly case) or earlier ones (late
  /// arrivals), imported in random order, snapshots now and then, `project` after random
  /// batches: after every refresh the tables equal a full replay at the same head. Every way
  /// of refreshing is taken by some seed.
  @Test(arguments: Backend.available)
  func tablesEqualAFullReplayAfterEveryRefresh(on backend: Backend) throws {
    var kinds: [String: Int] = [:]
    for seed in 0..<(backend == .sqlite ? 60 : 30) {
      var generator = SplitMix64(seed: 0x6D0D_E100 + UInt64(seed))
      let policy = ReplayPolicy(
        loanDays: Int.random(in: 1...10, using: &generator),
        maxLoans: Int.random(in: 1...3, using: &generator))
      let log = try TestLog(backend)
      let store = log.store
      var lastDay = 0
      let count = Int.random(in: 3...8, using: &generator)
      for index in 0..<count {
        let late = lastDay > 1 && Int.random(in: 0..<3, using: &generator) == 0
        let days = late ? 1...lastDay : (lastDay + 1)...min(lastDay + 3, 28)
        lastDay = max(lastDay, days.upperBound)
        try log.importBatch(
          Self.batch(&generator, days: days), file: "b\(index).csv", recordedAt: Int64(index) * 60)
        if Int.random(in: 0..<3, using: &generator) == 0 {
          _ = try SnapshotBuilder.refresh(
            writer: store, reader: log.reader(), policy: policy,
            interval: Int.random(in: 2...15, using: &generator))
        }
        if index == count - 1 || Bool.random(using: &generator) {
          let refresh = try CurrentModel.refresh(store, policy: policy)
          let kind: String =
            switch refresh.kind {
            case .upToDate: "up to date"
            case .appended: "appended"
            case .refolded(let from): from == nil ? "refolded from the start" : "refolded"
            case .rebuilt: "rebuilt"
            }
          kinds[kind, default: 0] += 1
          let tables = try ModelTables.read(log)
          let expected = try Self.expected(log.store, policy: policy)
          #expect(tables == expected, "seed \(seed), batch \(index), \(kind)")
          #expect(refresh.position == Int64(try store.lastPosition()))
        }
      }
    }
    for kind in ["appended", "refolded", "refolded from the start", "rebuilt"] {
      #expect(kinds[kind, default: 0] > 0, "no refresh was \(kind): \(kinds)")
    }
  }

  /// A second refresh with nothing new changes nothing; a changed policy rebuilds and says so.
  @Test(arguments: Backend.available)
  func upToDateAndPolicyChange(on backend: Backend) throws {
    let log = try TestLog(backend)
    let store = log.store
    try log.importBatch(
      ",AddBook,9781593275846,T,A,1,,2024-03-01T10:00:00Z\n"
        + ",BorrowBook,9781593275846,,,,ann,2024-03-02T10:00:00Z\n"
        + ",BorrowBook,9781593275846,,,,bob,2024-03-02T11:00:00Z\n")
    let first = try CurrentModel.refresh(store, policy: .standard)
    #expect(first.kind == .rebuilt(reason: "no model yet"))
    let tables = try ModelTables.read(log)
    #expect(tables.anomalies.count == 1)
    #expect(try CurrentModel.refresh(store, policy: .standard).kind == .upToDate)
    #expect(try ModelTables.read(log) == tables)
    let strict = ReplayPolicy(loanDays: 7, maxLoans: 0)
    let status = try CurrentModel.status(store, policy: strict)
    #expect(status.rebuildReason?.contains("policy changed") == true)
    let changed = try CurrentModel.refresh(store, policy: strict)
    guard case .rebuilt(let reason) = changed.kind else {
      Issue.record("expected a rebuild, got \(changed.kind)")
      return
    }
    #expect(reason.contains("max_loans 5 → 0"))
    #expect(try ModelTables.read(log) == Self.expected(log.store, policy: strict))
  }

  /// docs/current-model.md, "A rewritten log": an event edited under the checkpoint with the
  /// triggers dropped, or with them put back as they were, makes the next refresh rebuild and
  /// say why; the model then matches the log.
  @Test(arguments: Backend.available, [false, true])
  func aRewrittenLogIsRebuilt(on backend: Backend, triggersRestored: Bool) throws {
    let log = try TestLog(backend)
    let store = log.store
    try log.importBatch(
      ",AddBook,9781593275846,Old title,A,1,,2024-03-01T10:00:00Z\n"
        + ",BorrowBook,9781593275846,,,,ann,2024-03-02T10:00:00Z\n")
    _ = try CurrentModel.refresh(store, policy: .standard)
    try log.importBatch(
      ",ReturnBook,9781593275846,,,,ann,2024-03-03T10:00:00Z\n", file: "b2.csv", recordedAt: 60)
    let triggers = try log.triggerDefinitions()
    try log.dropTriggers()
    let zeros = backend == .sqlite ? "zeroblob(32)" : "decode(repeat('00', 32), 'hex')"
    try log.tamper(
      "UPDATE log_events SET hash = \(zeros), title = 'New title' WHERE position = 2;"
        + "UPDATE log_events SET title = 'New title' WHERE position = 1")
    if triggersRestored { try log.tamper(triggers.joined(separator: ";\n")) }
    let refresh = try CurrentModel.refresh(store, policy: .standard)
    guard case .rebuilt(let reason) = refresh.kind else {
      Issue.record("expected a rebuild, got \(refresh.kind)")
      return
    }
    if triggersRestored {
      #expect(reason.contains("position 2") && reason.contains("rewritten"), "\(reason)")
    } else {
      #expect(reason.contains("triggers changed"), "\(reason)")
    }
    let tables = try ModelTables.read(log)
    #expect(try tables == Self.expected(log.store, policy: .standard))
    #expect(tables.books.first?.contains("New title") == true)
  }

  /// Two `project`s at once on one log (separate connections): both succeed, one of them finds
  /// the model moved and folds again from the other's checkpoint, and the tables equal a full
  /// replay.
  @Test(arguments: Backend.available)
  func twoRefreshesAtOnceAgree(on backend: Backend) throws {
    let log = try TestLog(backend)
    var generator = SplitMix64(seed: 0x7770)
    for index in 0..<3 {
      try log.importBatch(
        Self.batch(&generator, days: (index * 3 + 1)...(index * 3 + 3)), file: "b\(index).csv",
        recordedAt: Int64(index) * 60)
    }
    let policy = ReplayPolicy.standard
    _ = try CurrentModel.refresh(log.store, policy: policy)
    try log.importBatch(
      Self.batch(&generator, days: 10...12), file: "late.csv", recordedAt: 600)
    let stores: [any EventStore] = try (0..<2).map { _ in
      switch backend {
      case .sqlite: try SQLiteEventStore(path: log.path, access: .write, wait: 10)
      case .postgres:
        try PostgresEventStore(
          location: try PostgresLocation(url: log.path), access: .write, wait: 10)
      }
    }
    let results = Mutex<[Result<ModelRefresh, ReplayError>]>([])
    DispatchQueue.concurrentPerform(iterations: 2) { index in
      let result = Result { () throws(ReplayError) in
        try CurrentModel.refresh(stores[index], policy: policy)
      }
      results.withLock { $0.append(result) }
    }
    let outcomes = results.withLock { $0 }
    #expect(outcomes.count == 2)
    var kinds: [ModelRefresh.Kind] = []
    for outcome in outcomes {
      switch outcome {
      case .success(let refresh): kinds.append(refresh.kind)
      case .failure(let error): Issue.record("a refresh failed: \(error.message)")
      }
    }
    // One folded the new batch on; the other found it done (at once, or after the model moved).
    #expect(kinds.contains(.appended) && kinds.contains(.upToDate), "\(kinds)")
    #expect(try ModelTables.read(log) == Self.expected(log.store, policy: policy))
  }
}
