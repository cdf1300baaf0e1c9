import Foundation

/// Where a PostgreSQL log is: parsed from `postgresql://user[:password]@host[:port]/dbname
/// [?sslmode=…]` (or `postgres://`), with `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`,
/// `PGDATABASE` and `PGSSLMODE` filling what the URL leaves out, as libpq does. The password is
/// kept apart and never part of `name`.
public struct PostgresLocation: Sendable, Equatable {
  public enum SSLMode: String, Sendable {
    case disable, prefer, require
  }

  public var user: String
  public var password: String?
  public var host: String
  public var port: Int
  public var database: String
  public var sslMode: SSLMode

  /// How messages, manifests and `--json` name the log: `postgresql://user@host:port/db`,
  /// never with the password.
  public var name: String { "postgresql://\(user)@\(host):\(port)/\(database)" }

  /// Whether `text` names a PostgreSQL log rather than a SQLite file.
  public static func isURL(_ text: String) -> Bool {
    text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
  }

  /// A fault in the URL itself, as one line without the password.
  public struct Invalid: Error, Sendable {
    public let message: String
  }

  /// Parses `url`; `environment` supplies the `PG…` defaults.
  public init(
    url: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(Invalid) {
    guard let schemeEnd = url.range(of: "://") else {
      throw Invalid(message: "not a postgresql:// URL")
    }
    var rest = Substring(url[schemeEnd.upperBound...])
    var query = ""
    if let mark = rest.firstIndex(of: "?") {
      query = String(rest[rest.index(after: mark)...])
      rest = rest[..<mark]
    }
    var path = ""
    if let slash = rest.firstIndex(of: "/") {
      path = String(rest[rest.index(after: slash)...])
      rest = rest[..<slash]
    }
    var userInfo: Substring?
    if let at = rest.lastIndex(of: "@") {
      userInfo = rest[..<at]
      rest = rest[rest.index(after: at)...]
    }
    var user: String?
    var password: String?
    if let userInfo {
      if let colon = userInfo.firstIndex(of: ":") {
        user = Self.decode(userInfo[..<colon])
        password = Self.decode(userInfo[userInfo.index(after: colon)...])
      } else {
        user = Self.decode(userInfo)
      }
    }
    var host = String(rest)
    var port: Int?
    if host.hasPrefix("[") {
      // An IPv6 literal: [::1]:5432.
      if let close = host.firstIndex(of: "]") {
        let after = host[host.index(after: close)...]
        if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        host = String(host[host.index(after: host.startIndex)..<close])
      }
    } else if let colon = host.lastIndex(of: ":") {
      let text = host[host.index(after: colon)...]
      guard let number = Int(text), (1...65535).contains(number) else {
        throw Invalid(message: "port \"\(text)\" is not a number from 1 to 65535")
      }
      port = number
      host = String(host[..<colon])
    }
    var sslMode: String?
    for pair in query.split(separator: "&") where !pair.isEmpty {
      let parts = pair.split(separator: "=", maxSplits: 1)
      let key = Self.decode(parts[0])
      let value = parts.count > 1 ? Self.decode(parts[1]) : ""
      switch key {
      case "sslmode": sslMode = value
      case "user": user = value
      case "password": password = value
      case "host": host = value
      case "port":
        guard let number = Int(value), (1...65535).contains(number) else {
          throw Invalid(message: "port \"\(value)\" is not a number from 1 to 65535")
        }
        port = number
      case "dbname": path = value
      default:
        throw Invalid(
          message: "unknown URL parameter \"\(key)\" (known: sslmode, user, host, port, dbname)")
      }
    }
    self.user = user ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
    self.password = password ?? environment["PGPASSWORD"]
    self.host = host.isEmpty ? environment["PGHOST"] ?? "localhost" : Self.decode(host[...])
    self.port = port ?? environment["PGPORT"].flatMap(Int.init) ?? 5432
    let database = Self.decode(path[...])
    self.database = database.isEmpty ? environment["PGDATABASE"] ?? self.user : database
    let mode = sslMode ?? environment["PGSSLMODE"] ?? "prefer"
    guard let parsed = SSLMode(rawValue: mode) else {
      throw Invalid(message: "sslmode \"\(mode)\" is not one of disable, prefer, require")
    }
    self.sslMode = parsed
  }

  /// Percent-decoding as libpq does it (a `%` not followed by two hex digits stays).
  static func decode(_ text: Substring) -> String {
    var bytes: [UInt8] = []
    let utf8 = Array(text.utf8)
    var index = 0
    while index < utf8.count {
      if utf8[index] == UInt8(ascii: "%"), index + 2 < utf8.count,
        let high = Hex.value(anyCase: utf8[index + 1]),
        let low = Hex.value(anyCase: utf8[index + 2])
      {
        bytes.append(high << 4 | low)
        index += 3
      } else {
        bytes.append(utf8[index])
        index += 1
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
