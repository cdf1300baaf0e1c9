import EventLog
import Foundation
import Importer
import Ingest
import LibraryDomain
import Replay
import ShelflogTestSupport
import Testing

/// A consortium may allow a branch's role one connection (`CONNECTION LIMIT 1`). The commands
/// that open a second connection to save time (an import's duplicate-check lookups, verify's
/// walkers and storage check) must then do that work on the connection they have, with the
/// same outcome, rather than fail. Needs a server whose role may create roles (`.ci/run`'s
/// throwaway server: its role is the superuser).
@Suite(
  "PostgreSQL connection limit",
  .enabled(
    if: Backend.postgresURL != nil,
    "no PostgreSQL server: set SHELFLOG_TEST_POSTGRES (.ci/run starts one)"))
struct PostgresConnectionLimitTests {
  /// A role allowed `limit` connections, with what an importer needs on the log's tables.
  final class LimitedRole {
    let name = "shelflog_limited_" + String(UUID().uuidString.prefix(8)).lowercased()
    let location: PostgresLocation
    private let database: TestDatabase

    init(on database: TestDatabase, limit: Int) throws {
      self.database = database
      try database.execute(
        """
        CREATE ROLE \(name) LOGIN PASSWORD 'one-connection' CONNECTION LIMIT \(limit);
        GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO \(name);
        GRANT UPDATE ON log_head TO \(name)
        """)
      // The test database's URL with this role's name and password.
      let url = database.url
      let scheme = url.range(of: "://")!.upperBound
      let at = url.range(of: "@", range: scheme..<url.endIndex)!.lowerBound
      location = try PostgresLocation(
        url: String(url[..<scheme]) + "\(name):one-connection" + String(url[at...]))
    }

    deinit {
      try? database.execute("DROP OWNED BY \(name); DROP ROLE IF EXISTS \(name)")
    }
  }

  /// Into a log whose events carry command ids, as a role with one connection: the lookups
  /// of the logged ids run on the import's own connection; an id repeated exactly is skipped,
  /// one repeated with another row is rejected, as with two connections.
  @Test func anImportWithOneConnectionChecksIDsOnIt() throws {
    let log = try TestLog(.postgres)
    var first = ""
    for row in 0..<3 { first += "old\(row),RemoveBook,9781593275846,,,,,2024-03-01T08:00:00Z\n" }
    #expect(try log.importBatch(first, file: "first.csv").accepted == 3)
    let role = try LimitedRole(on: try #require(log.database), limit: 1)
    let body =
      "new0,RemoveBook,9781593275846,,,,,2024-03-01T09:00:00Z\n"
      + "old1,RemoveBook,9781593275846,,,,,2024-03-01T08:00:00Z\n"
      + "old2,RemoveBook,9781593275846,,,,,2024-03-01T08:00:01Z\n"
      + "new1,RemoveBook,9781593275846,,,,,2024-03-01T09:00:01Z\n"
    // The role's one connection is this store's.
    let store = try PostgresEventStore(location: role.location, access: .write, wait: 5)
    let summary = try log.importBatch(body, file: "second.csv", recordedAt: 1, into: store)
    // The whole batch is refused for the conflicting row (no --allow-partial): nothing lands.
    #expect(summary.status == .rejected && summary.skipped == 1 && summary.rejected == 1)
    #expect(log.rejects.map(\.code) == [.duplicateCommandID])
    #expect(log.rejects.first?.message.contains("position 3") == true)
    let without =
      body.split(separator: "\n").filter { !$0.hasPrefix("old2") }
      .joined(separator: "\n") + "\n"
    let accepted = try log.importBatch(without, file: "third.csv", recordedAt: 2, into: store)
    #expect(accepted.status == .imported && accepted.accepted == 2 && accepted.skipped == 1)
    #expect(log.rejects.count == 1, "no new reject")
    #expect(try log.events().map(\.commandID) == ["old0", "old1", "old2", "new0", "new1"])
  }

  /// Verify as a role with one connection, in two halves (`splitFrom: 2`) with the storage
  /// check beside them: each runs on the one connection in turn, with the same report as with
  /// connections of their own, and a head row that names another event is still found.
  @Test func verifyWithOneConnectionChecksEverythingOnIt() throws {
    let log = try TestLog(.postgres)
    var body = ""
    for row in 0..<40 { body += "c\(row),RemoveBook,9781593275846,,,,,2024-03-01T08:00:00Z\n" }
    try log.importBatch(body, file: "first.csv")
    let expected = try LogVerifier.verify(log.store, splitFrom: 2)
    #expect(expected.fault == nil && expected.events == 40 && expected.head != nil)
    let role = try LimitedRole(on: try #require(log.database), limit: 1)
    let store = try PostgresEventStore(location: role.location, access: .read)
    let report = try LogVerifier.verify(store, splitFrom: 2)
    #expect(report.fault == nil)
    #expect(report.events == expected.events && report.head == expected.head)
    #expect(report.batches == expected.batches)
    try log.tamper("UPDATE log_head SET position = position - 1")
    let fault = try LogVerifier.verify(store, splitFrom: 2).fault
    #expect(
      fault?.message.contains("the head row names position 39") == true,
      "\(String(describing: fault))")
  }
}
