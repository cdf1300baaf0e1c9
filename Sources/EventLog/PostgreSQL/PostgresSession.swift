import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to a PostgreSQL server, used from a plain thread: every call blocks until the
/// server has answered (the event loop runs on threads of its own). The store's code stays
/// synchronous, as the `EventStore` protocol is; only this type knows about futures.
final class PostgresSession: @unchecked Sendable {
  let location: PostgresLocation
  private let connection: PostgresConnection
  private let logger: Logger
  /// Whether the connection has closed, and the promises of the queries sent and not yet
  /// answered: a connection the server ends (a restart, `pg_terminate_backend`) fails those
  /// and every later query at once, where PostgresNIO may leave a query written into the
  /// closing channel unanswered.
  private let state = NIOLockedValueBox<(closed: Bool, open: [EventLoopPromise<[PostgresRow]>])>(
    (false, []))
  /// The last copy sent (`copy`): statements wait for it.
  private let lastCopy = NIOLockedValueBox<EventLoopFuture<[PostgresRow]>?>(nil)

  /// Connects and logs in; an unreachable server or a refused login is `EventLogError.io`, a
  /// database that does not exist `.notFound`.
  init(_ location: PostgresLocation, connectTimeout: Double = 10) throws(EventLogError) {
    self.location = location
    var logger = Logger(label: "shelflog.postgres") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    self.logger = logger
    do {
      let tls: PostgresConnection.Configuration.TLS
      switch location.sslMode {
      case .disable:
        tls = .disable
      case .prefer, .require:
        // As libpq's `require`: the connection is encrypted, the certificate not checked
        // against a root (`verify-full` is not offered).
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        tls = location.sslMode == .require ? .require(context) : .prefer(context)
      }
      var configuration = PostgresConnection.Configuration(
        host: location.host, port: location.port, username: location.user,
        password: location.password, database: location.database, tls: tls)
      configuration.options.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
      configuration.options.additionalStartupParameters = [("application_name", "shelflog")]
      connection = try PostgresConnection.connect(
        on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
        id: 1, logger: logger
      ).wait()
    } catch {
      throw Self.fault(error, location: location, wait: 0)
    }
    watchClose()
  }

  /// Fails the waiting query when the connection closes (called once, after connecting).
  private func watchClose() {
    let state = state
    connection.closeFuture.whenComplete { _ in
      let open = state.withLockedValue { current in
        current.closed = true
        defer { current.open = [] }
        return current.open
      }
      for promise in open { promise.fail(ConnectionClosed()) }
    }
  }

  private struct ConnectionClosed: Error {}

  deinit {
    // PostgresNIO insists on a closed connection before it goes away; one the server closed
    // is closed already.
    if !state.withLockedValue({ $0.closed }) {
      let closing: EventLoopFuture<Void> = connection.close()
      try? closing.wait()
    }
  }

  /// Runs one statement and collects its rows.
  @discardableResult
  func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings(), wait: Double = 0)
    throws(EventLogError) -> [PostgresRow]
  {
    try self.wait(for: send(sql, binds), lockWait: wait)
  }

  /// A statement sent and not yet waited for (`send`, `wait(for:)`).
  struct Sent {
    fileprivate let promise: EventLoopPromise<[PostgresRow]>
  }

  /// Sends one statement without waiting for its answer: the caller goes on with its own work
  /// (the next block of an import) while the server runs it. Statements run in the order sent.
  func send(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) -> Sent {
    // A copy runs as a task, which a statement sent from here could overtake (a ROLLBACK
    // before the copy, or outside the transaction after it): wait for the last copy first.
    if let copy = lastCopy.withLockedValue({ $0 }) { _ = try? copy.wait() }
    let promise = connection.eventLoop.makePromise(of: [PostgresRow].self)
    if register(promise) {
      connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).map(\.rows)
        .cascade(to: promise)
    }
    return Sent(promise: promise)
  }

  /// Adds `promise` to those a closing connection fails; false (and `promise` failed) when the
  /// connection has closed already.
  private func register(_ promise: EventLoopPromise<[PostgresRow]>) -> Bool {
    let closed = state.withLockedValue { current in
      if !current.closed { current.open.append(promise) }
      return current.closed
    }
    if closed { promise.fail(ConnectionClosed()) }
    return !closed
  }

  /// Sends `rows` (in `COPY`'s text format) into `columns` of `table` with one `COPY … FROM
  /// STDIN`, without waiting for it; wait for it with `wait(for:)`. It runs as a task on
  /// `CopyExecutor`'s thread, which takes tasks in order, so copies reach the server in the
  /// order sent; a statement sent after a copy waits for it (`send`).
  func copy(into table: String, columns: [String], _ rows: NIOCore.ByteBuffer) -> Sent {
    let promise = connection.eventLoop.makePromise(of: [PostgresRow].self)
    lastCopy.withLockedValue { $0 = promise.futureResult }
    if register(promise) {
      let connection = connection
      let logger = logger
      Task(executorPreference: CopyExecutor.shared) {
        do {
          try await connection.copyFrom(table: table, columns: columns, logger: logger) {
            writer in try await writer.write(rows)
          }
          promise.succeed([])
        } catch {
          promise.fail(error)
        }
      }
    }
    return Sent(promise: promise)
  }

  /// Waits for a sent statement's rows; `lockWait` is the wait a lock timeout reports.
  func wait(for sent: Sent, lockWait: Double = 0) throws(EventLogError) -> [PostgresRow] {
    defer {
      state.withLockedValue { current in
        current.open.removeAll { $0.futureResult === sent.promise.futureResult }
      }
    }
    do {
      return try sent.promise.futureResult.wait()
    } catch is ConnectionClosed {
      throw .io(path: location.name, detail: "the server closed the connection")
    } catch {
      throw Self.fault(error, location: location, wait: lockWait)
    }
  }

  /// A log fault for a driver or server error, in one line without the password.
  static func fault(_ error: any Error, location: PostgresLocation, wait: Double) -> EventLogError {
    if let fault = error as? EventLogError { return fault }
    let name = location.name
    guard let error = error as? PSQLError else {
      return .io(path: name, detail: oneLine(String(describing: error)))
    }
    if let info = error.serverInfo {
      let message = oneLine(info[.message] ?? "server error")
      switch info[.sqlState] ?? "" {
      case "3D000": return .notFound(path: name)
      case "28P01", "28000": return .io(path: name, detail: "login refused: \(message)")
      case "55P03": return .busy(path: name, seconds: wait)
      case "57P01", "57P02", "57P03", "08000", "08003", "08006":
        return .io(path: name, detail: message)
      case "42501": return .readOnly(path: name, detail: message)
      default: return .database(path: name, detail: message)
      }
    }
    let underlying = error.underlying.map { oneLine(String(describing: $0)) }
    switch error.code {
    case .connectionError, .serverClosedConnection, .uncleanShutdown:
      // NIO's description of a refused connection repeats the target; the reason is enough.
      let reason =
        underlying.map { $0.contains("Connection refused") ? "connection refused" : $0 }
      return .io(path: name, detail: "cannot reach the server" + (reason.map { ": \($0)" } ?? ""))
    case .sslUnsupported:
      return .io(path: name, detail: "the server does not offer TLS (sslmode=require)")
    case .authMechanismRequiresPassword:
      return .io(path: name, detail: "login refused: the server asks for a password")
    default:
      return .io(path: name, detail: "\(error.code)" + (underlying.map { ": \($0)" } ?? ""))
    }
  }

  private static func oneLine(_ text: String) -> String {
    text.split(whereSeparator: \.isNewline).joined(separator: " ")
  }
}
