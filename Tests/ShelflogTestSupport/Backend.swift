import EventLog
import Foundation

/// Where a contract test keeps its log: a SQLite file, or a database of its own on the
/// PostgreSQL server named by `SHELFLOG_TEST_POSTGRES` (a URL whose role may create
/// databases and roles; `.ci/run` starts a throwaway server and sets it). Without that variable the
/// PostgreSQL cases are not run, and the suite "PostgreSQL contract" says it was skipped.
public enum Backend: String, Sendable, CustomStringConvertible {
  case sqlite
  case postgres

  public var description: String { rawValue }

  /// The test server's URL, nil when none is configured.
  public static let postgresURL: String? = {
    let value = ProcessInfo.processInfo.environment["SHELFLOG_TEST_POSTGRES"] ?? ""
    return value.isEmpty ? nil : value
  }()

  /// The backends the contract tests run on here.
  public static let available: [Backend] = postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
}

/// A fresh database on the test server, dropped when released.
public final class TestDatabase: Sendable {
  /// Its URL, password included (for the store and for child processes).
  public let url: String
  public let location: PostgresLocation
  private let server: PostgresLocation
  private let name: String

  public init() throws {
    guard let base = Backend.postgresURL else { throw NoServer() }
    server = try PostgresLocation(url: base)
    name = "shelflog_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    try PostgresEventStore.execute(["CREATE DATABASE \(name)"], at: server)
    var components = base.split(separator: "?", maxSplits: 1).map(String.init)
    let head = components[0]
    let slash = head.range(
      of: "/", options: .backwards, range: head.range(of: "://")!.upperBound..<head.endIndex)
    components[0] = (slash.map { String(head[..<$0.lowerBound]) } ?? head) + "/" + name
    url = components.joined(separator: "?")
    location = try PostgresLocation(url: url)
  }

  deinit {
    try? PostgresEventStore.execute(["DROP DATABASE IF EXISTS \(name) WITH (FORCE)"], at: server)
  }

  /// Runs SQL behind shelflog's back (statements split at `;`).
  public func execute(_ sql: String) throws {
    let statements = sql.split(separator: ";").map {
      $0.trimmingCharacters(in: .whitespacesAndNewlines)
    }.filter { !$0.isEmpty }
    try PostgresEventStore.execute(statements, at: location)
  }

  struct NoServer: Error {}
}
