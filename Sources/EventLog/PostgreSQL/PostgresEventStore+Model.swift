import Crypto
import Foundation
import LibraryDomain
import NIOCore
import PostgresNIO

extension ModelSchema {
  /// `CREATE TABLE` in PostgreSQL's types.
  static func postgres(_ table: Table, suffix: String = "", ifMissing: Bool = false) -> String {
    create(table, suffix: suffix, ifMissing: ifMissing, withoutRowID: false) { kind in
      switch kind {
      case .text, .optionalText: "text"
      case .integer: "bigint"
      case .smallInteger: "smallint"
      case .bytes: "bytea"
      }
    }
  }

  /// The advisory lock a model write holds on PostgreSQL: one writer of the model at a time.
  static let postgresLock: Int64 = 0x6d6f_6465_6c5f_6c6b

  /// Rows per insert statement on PostgreSQL (each column one array parameter).
  static let chunk = 8_192
}

extension PostgresEventStore: ModelStore {
  public func modelCheckpoint() throws(EventLogError) -> ModelCheckpoint? {
    try transaction { () throws(EventLogError) in try checkpointInTransaction() }
  }

  private func checkpointInTransaction() throws(EventLogError) -> ModelCheckpoint? {
    for table in ModelSchema.names + ["model_checkpoint"] {
      guard try tableExists(table) else { return nil }
    }
    return try session.query(
      """
      SELECT model_version, max_loans, loan_days, position, hash, occurred_us, events, guards,
        state
      FROM model_checkpoint WHERE id = 1
      """
    ).first.map { row in
      let cells = Array(row)
      return ModelCheckpoint(
        version: Int(PostgresCells.int(cells[0]) ?? 0),
        maxLoans: Int(PostgresCells.int(cells[1]) ?? 0),
        loanDays: Int(PostgresCells.int(cells[2]) ?? 0), position: PostgresCells.int(cells[3]) ?? 0,
        hash: PostgresCells.string(cells[4]), occurredThrough: PostgresCells.int(cells[5]) ?? 0,
        events: Int(PostgresCells.int(cells[6]) ?? 0), guards: PostgresCells.string(cells[7]),
        state: PostgresCells.bytes(cells[8]))
    }
  }

  private func tableExists(_ name: String) throws(EventLogError) -> Bool {
    var binds = PostgresBindings()
    binds.append(name)
    let rows = try session.query("SELECT to_regclass($1) IS NOT NULL", binds)
    return rows.first?.first.flatMap { try? $0.decode(Bool.self) } ?? false
  }

  public func writeModel(_ update: ModelUpdate) throws {
    guard access == .write else {
      throw EventLogError.readOnly(path: name, detail: "opened for reading")
    }
    try transaction(readOnly: false) { () throws(EventLogError) in
      var lock = PostgresBindings()
      lock.append(ModelSchema.postgresLock)
      try session.query("SELECT pg_advisory_xact_lock($1)", lock)
      guard try checkpointInTransaction() == update.previous else {
        throw EventLogError.modelMoved(path: name)
      }
      // Without a checkpoint (`previous` nil) the update is a rebuild.
      let fresh = update.rebuild || update.previous == nil
      let suffix = fresh ? "_next" : ""
      if fresh {
        for name in ModelSchema.names { try session.query("DROP TABLE IF EXISTS \(name)_next") }
        for table in ModelSchema.tables {
          try session.query(ModelSchema.postgres(table, suffix: suffix))
        }
      } else {
        var after = PostgresBindings()
        after.append(update.anomaliesAfter)
        try session.query("DELETE FROM current_anomalies WHERE occurred_us > $1", after)
      }
      try insertRows(update, suffix: suffix)
      if fresh {
        for name in ModelSchema.names {
          try session.query("DROP TABLE IF EXISTS \(name)")
          try session.query("ALTER TABLE \(name)_next RENAME TO \(name)")
          try session.query("ALTER INDEX \(name)_next_pkey RENAME TO \(name)_pkey")
        }
        for index in ModelSchema.indexes { try session.query(index) }
      }
      try session.query(ModelSchema.postgres(ModelSchema.checkpoint, ifMissing: true))
      let point = update.checkpoint
      var binds = PostgresBindings()
      binds.append(Int64(point.version))
      binds.append(Int64(point.maxLoans))
      binds.append(Int64(point.loanDays))
      binds.append(point.position)
      binds.append(point.hash)
      binds.append(point.occurredThrough)
      binds.append(Int64(point.events))
      binds.append(point.guards)
      binds.append(NIOCore.ByteBuffer(bytes: point.state))
      try session.query(
        """
        INSERT INTO model_checkpoint (id, model_version, max_loans, loan_days, position, hash,
          occurred_us, events, guards, state)
        VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (id) DO UPDATE SET model_version = $1, max_loans = $2, loan_days = $3,
          position = $4, hash = $5, occurred_us = $6, events = $7, guards = $8, state = $9
        """, binds)
    }
  }

  /// The changed books, loans and users and the new anomalies of `update` into the tables with
  /// `suffix`, a chunk of rows per statement (each column one array).
  private func insertRows(_ update: ModelUpdate, suffix: String) throws(EventLogError) {
    let chunk = ModelSchema.chunk
    for start in stride(from: 0, to: update.books.count, by: chunk) {
      let books = update.books[start..<min(start + chunk, update.books.count)]
      var binds = PostgresBindings()
      binds.append(books.map(\.isbn.digits))
      binds.append(books.map(\.title))
      binds.append(books.map(\.author))
      binds.append(books.map { Int64($0.total) })
      binds.append(books.map { Int64($0.onLoan) })
      binds.append(books.map { Int64($0.available) })
      binds.append(books.map(\.status.rawValue))
      try session.query(
        "INSERT INTO current_books\(suffix) SELECT * FROM unnest($1::text[], $2::text[],"
          + " $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::text[])"
          + " ON CONFLICT (isbn) DO UPDATE SET title = excluded.title, author = excluded.author,"
          + " total = excluded.total, on_loan = excluded.on_loan, available = excluded.available,"
          + " status = excluded.status", binds)
    }
    if !update.closedLoans.isEmpty {
      var binds = PostgresBindings()
      binds.append(update.closedLoans)
      try session.query("DELETE FROM current_loans\(suffix) WHERE position = ANY($1)", binds)
    }
    let loans = update.openedLoans
    for start in stride(from: 0, to: loans.count, by: chunk) {
      let part = loans[start..<min(start + chunk, loans.count)]
      var binds = PostgresBindings()
      binds.append(part.map(\.position))
      binds.append(part.map(\.isbn.digits))
      binds.append(part.map(\.userID))
      binds.append(part.map(\.borrowedAt.description))
      binds.append(part.map { Timestamp(microseconds: update.due($0)).description })
      binds.append(part.map(\.borrowedAt.microseconds))
      binds.append(part.map { update.due($0) })
      binds.append(part.map { Int64($0.counted ? 1 : 0) })
      try session.query(
        "INSERT INTO current_loans\(suffix) SELECT * FROM unnest($1::bigint[], $2::text[],"
          + " $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::smallint[])",
        binds)
    }
    let gone = update.users.filter { $0.openLoans == 0 }.map(\.id)
    if !gone.isEmpty {
      var binds = PostgresBindings()
      binds.append(gone)
      try session.query("DELETE FROM current_users\(suffix) WHERE user_id = ANY($1)", binds)
    }
    let users = update.users.filter { $0.openLoans > 0 }
    for start in stride(from: 0, to: users.count, by: chunk) {
      let part = users[start..<min(start + chunk, users.count)]
      var binds = PostgresBindings()
      binds.append(part.map(\.id))
      binds.append(part.map { Int64($0.openLoans) })
      binds.append(Int64(update.checkpoint.maxLoans))
      binds.append(part.map { Int64(update.atLimit($0.openLoans) ? 1 : 0) })
      try session.query(
        "INSERT INTO current_users\(suffix) SELECT u, n, $3, l FROM unnest($1::text[],"
          + " $2::bigint[], $4::smallint[]) AS t (u, n, l) ON CONFLICT (user_id) DO UPDATE SET"
          + " open_loans = excluded.open_loans, max_loans = excluded.max_loans,"
          + " at_limit = excluded.at_limit", binds)
    }
    var pending: [(Anomaly, Int)] = []
    func flush() throws(EventLogError) {
      guard !pending.isEmpty else { return }
      var binds = PostgresBindings()
      binds.append(pending.map(\.0.occurredAt.microseconds))
      binds.append(pending.map(\.0.position))
      binds.append(pending.map { Int64($0.1) })
      binds.append(pending.map(\.0.type.rawValue))
      binds.append(pending.map(\.0.occurredAt.description))
      // Absent command and user ids go as "" (neither can be empty when present) and come out
      // as NULL, as on SQLite.
      binds.append(pending.map { $0.0.commandID ?? "" })
      binds.append(pending.map(\.0.isbn.digits))
      binds.append(pending.map { $0.0.userID ?? "" })
      binds.append(pending.map(\.0.detail))
      try session.query(
        "INSERT INTO current_anomalies\(suffix) SELECT o, p, s, t, a, NULLIF(c, ''), i,"
          + " NULLIF(u, ''), d FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[],"
          + " $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])"
          + " AS x (o, p, s, t, a, c, i, u, d)", binds)
      pending.removeAll(keepingCapacity: true)
    }
    do {
      try update.forEachAnomaly { anomaly, seq in
        pending.append((anomaly, seq))
        if pending.count == ModelSchema.chunk { try flush() }
      }
    } catch let fault as EventLogError {
      throw fault
    } catch {
      throw EventLogError.database(path: name, detail: String(describing: error))
    }
    try flush()
  }

  public func logGuards() throws(EventLogError) -> String {
    let rows = try session.query(
      """
      SELECT coalesce(string_agg(tgname || ':' || pg_get_triggerdef(oid), E'\\n' ORDER BY tgname),
        '')
      FROM pg_trigger
      WHERE NOT tgisinternal AND tgrelid IN (to_regclass('log_events'), to_regclass('log_batches'))
      """)
    let text = rows.first?.first.map(PostgresCells.string) ?? ""
    return Hex.string(SHA256.hash(data: Data(text.utf8)))
  }

  public func eventHash(at position: Int64) throws(EventLogError) -> String? {
    var binds = PostgresBindings()
    binds.append(position)
    return try session.query("SELECT hash FROM log_events WHERE position = $1", binds).first
      .map { Hex.string(PostgresCells.bytes(Array($0)[0])) }
  }

  public func earliestOccurrence(after: Int64, through: Int64) throws(EventLogError) -> Int64? {
    var binds = PostgresBindings()
    binds.append(after)
    binds.append(through)
    return try session.query(
      "SELECT min(occurred_us) FROM log_events WHERE position > $1 AND position <= $2", binds
    ).first?.first.flatMap(PostgresCells.int)
  }
}
