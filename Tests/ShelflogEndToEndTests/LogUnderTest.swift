import Foundation
import ShelflogTestSupport
import Testing

/// The log an end-to-end contract test runs `shelflog` against: `log.sqlite` in the sandbox, or
/// a fresh database of its own on the test server (`Backend`). `db` is what `--db` gets.
final class LogUnderTest: Sendable {
  let backend: Backend
  let db: String
  private let database: TestDatabase?

  init(_ backend: Backend) throws {
    self.backend = backend
    switch backend {
    case .sqlite:
      database = nil
      db = "log.sqlite"
    case .postgres:
      let database = try TestDatabase()
      self.database = database
      db = database.url
    }
  }

  /// The `psql` client, from PATH.
  static let psql: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").lazy
      .map { URL(fileURLWithPath: String($0)).appendingPathComponent("psql") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// Starts the database's own client on the log (sqlite3 or psql) with these SQL statements,
  /// printing rows as `a|b` lines.
  func startClient(_ box: Sandbox, _ statements: [String]) throws -> RunningProgram {
    switch backend {
    case .sqlite:
      return try box.startSQLite3(db, statements)
    case .postgres:
      let psql = try #require(
        Self.psql, "psql is not installed (apt-get install postgresql-client)")
      return try BinaryHarness.start(
        psql, [db, "-X", "-q", "-A", "-t", "-F", "|", "-v", "ON_ERROR_STOP=1"],
        stdin: Data(statements.joined(separator: "\n").utf8), in: box.url, scratch: box.url)
    }
  }

  /// The rows a query prints, as `a|b` lines; the client must succeed.
  func rows(_ box: Sandbox, _ query: String) async throws -> [String] {
    let result = try await startClient(box, [query]).wait()
    try #require(result.status == 0, "\(query): \(result)")
    return result.stdoutLines
  }

  /// Makes the log empty again, as if never created.
  func reset(_ box: Sandbox) async throws {
    switch backend {
    case .sqlite:
      for suffix in ["", "-wal", "-shm", "-journal"] {
        try? FileManager.default.removeItem(atPath: box.path(db + suffix))
      }
    case .postgres:
      let result = try await startClient(
        box, ["DROP SCHEMA public CASCADE;", "CREATE SCHEMA public;"]
      ).wait()
      try #require(result.status == 0, "reset: \(result)")
    }
  }
}
