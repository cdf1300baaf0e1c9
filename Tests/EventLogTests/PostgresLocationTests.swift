import EventLog
import Testing

/// docs/postgresql.md, "Pointing shelflog at a server": how `--db` URLs are read.
@Suite("PostgreSQL URLs")
struct PostgresLocationTests {
  @Test func everyPartAndThePercentDecodedPassword() throws {
    let location = try PostgresLocation(
      url:
        "postgresql://branch%20one:p%40ss%3Aw%2Fd@db.example.org:6543/lib%2Drary?sslmode=require",
      environment: [:])
    #expect(location.user == "branch one")
    #expect(location.password == "p@ss:w/d")
    #expect(location.host == "db.example.org" && location.port == 6543)
    #expect(location.database == "lib-rary" && location.sslMode == .require)
    #expect(location.name == "postgresql://branch one@db.example.org:6543/lib-rary")
    #expect(!location.name.contains("p@ss"))
  }

  @Test func theEnvironmentFillsWhatTheURLLeavesOut() throws {
    let environment = [
      "PGUSER": "envuser", "PGPASSWORD": "secret", "PGHOST": "envhost", "PGPORT": "7000",
      "PGDATABASE": "envdb", "PGSSLMODE": "disable",
    ]
    let bare = try PostgresLocation(url: "postgres://", environment: environment)
    #expect(bare.user == "envuser" && bare.password == "secret" && bare.host == "envhost")
    #expect(bare.port == 7000 && bare.database == "envdb" && bare.sslMode == .disable)
    let given = try PostgresLocation(url: "postgresql://u:pw@h/d", environment: environment)
    #expect(given.user == "u" && given.password == "pw" && given.host == "h")
    #expect(given.port == 7000 && given.database == "d")
    let defaults = try PostgresLocation(url: "postgresql://h", environment: ["USER": "me"])
    #expect(defaults.user == "me" && defaults.port == 5432 && defaults.database == "me")
    #expect(defaults.sslMode == .prefer && defaults.password == nil)
  }

  @Test func anIPv6HostAndQueryParameters() throws {
    let location = try PostgresLocation(
      url: "postgresql://[::1]:5433/db?user=x&password=y", environment: [:])
    #expect(location.host == "::1" && location.port == 5433)
    #expect(location.user == "x" && location.password == "y")
  }

  @Test(arguments: [
    "postgresql://h:99999/db", "postgresql://h:port/db", "postgresql://h/db?sslmode=verify-full",
    "postgresql://h/db?options=x",
  ])
  func malformedURLsAreRefusedWithoutThePassword(url: String) {
    #expect(throws: PostgresLocation.Invalid.self) {
      try PostgresLocation(url: url, environment: [:])
    }
  }

  @Test func onlyURLsAreServers() {
    #expect(PostgresLocation.isURL("postgresql://h/db") && PostgresLocation.isURL("postgres://h"))
    #expect(!PostgresLocation.isURL("library.sqlite") && !PostgresLocation.isURL("/tmp/pg.sqlite"))
  }
}
