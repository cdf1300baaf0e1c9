import Foundation
import Testing

/// What one run of a program left behind.
struct RunResult: Sendable, CustomStringConvertible {
  var status: Int32
  var stdout: String
  var stderr: String

  /// The non-empty lines of standard output.
  var stdoutLines: [String] {
    stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
  }

  /// The non-empty lines of standard error.
  var stderrLines: [String] {
    stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
  }

  var description: String {
    "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)"
  }
}

/// A program started and not yet waited for.
final class RunningProgram: Sendable {
  private let process: Process
  private let stdoutURL: URL
  private let stderrURL: URL

  fileprivate init(process: Process, stdoutURL: URL, stderrURL: URL) {
    self.process = process
    self.stdoutURL = stdoutURL
    self.stderrURL = stderrURL
  }

  /// Waits (off the cooperative pool) for the program to end, then collects its output.
  func wait() async -> RunResult {
    let process = self.process
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      DispatchQueue.global().async {
        process.waitUntilExit()
        continuation.resume()
      }
    }
    let out = (try? Data(contentsOf: stdoutURL)) ?? Data()
    let err = (try? Data(contentsOf: stderrURL)) ?? Data()
    try? FileManager.default.removeItem(at: stdoutURL)
    try? FileManager.default.removeItem(at: stderrURL)
    return RunResult(
      status: process.terminationStatus,
      stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }
}

/// Finds the built `shelflog` and the `sqlite3` CLI, and runs programs.
enum BinaryHarness {
  /// The `shelflog` executable built next to this test bundle.
  static let shelflog: URL? = {
    var folders = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    if let first = CommandLine.arguments.first {
      folders.append(URL(fileURLWithPath: first).deletingLastPathComponent())
    }
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      folders.append(bundle.bundleURL.deletingLastPathComponent())
    }
    return folders.lazy.map { $0.appendingPathComponent("shelflog") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// The `sqlite3` command-line shell, from PATH.
  static let sqlite3: URL? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").lazy
      .map { URL(fileURLWithPath: String($0)).appendingPathComponent("sqlite3") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }()

  /// The environment a child gets: ours, without `SHELFLOG_DB`, plus `extra`.
  static func environment(_ extra: [String: String]) -> [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["SHELFLOG_DB"] = nil
    environment.merge(extra) { _, new in new }
    return environment
  }

  /// Starts a program; its output goes to files in `scratch` (pipes could fill and block).
  static func start(
    _ executable: URL, _ arguments: [String], stdin: Data? = nil,
    environment: [String: String] = [:],
    in directory: URL, scratch: URL
  ) throws -> RunningProgram {
    let id = UUID().uuidString
    let stdoutURL = scratch.appendingPathComponent(".out-\(id)")
    let stderrURL = scratch.appendingPathComponent(".err-\(id)")
    FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = Self.environment(environment)
    process.currentDirectoryURL = directory
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    if let stdin {
      let stdinURL = scratch.appendingPathComponent(".in-\(id)")
      try stdin.write(to: stdinURL)
      process.standardInput = try FileHandle(forReadingFrom: stdinURL)
    } else {
      process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    return RunningProgram(process: process, stdoutURL: stdoutURL, stderrURL: stderrURL)
  }
}

/// One test's own temporary folder, the working directory of every program it runs.
final class Sandbox: Sendable {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("shelflog-e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  /// Removes the folder and everything in it.
  func remove() {
    try? FileManager.default.removeItem(at: url)
  }

  /// The absolute path of a file in the folder.
  func path(_ name: String) -> String {
    url.appendingPathComponent(name).path
  }

  /// Writes a file (UTF-8 text) and returns its name.
  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    try write(name, Data(text.utf8))
  }

  /// Writes a file (bytes) and returns its name.
  @discardableResult
  func write(_ name: String, _ bytes: Data) throws -> String {
    try bytes.write(to: url.appendingPathComponent(name))
    return name
  }

  /// The bytes of a file in the folder.
  func read(_ name: String) throws -> Data {
    try Data(contentsOf: url.appendingPathComponent(name))
  }

  /// Runs `shelflog` with these arguments in the folder and waits for it.
  func shelflog(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]
  ) async throws -> RunResult {
    try await startShelflog(arguments, stdin: stdin, environment: environment).wait()
  }

  /// Starts `shelflog` with these arguments in the folder.
  func startShelflog(
    _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]
  ) throws -> RunningProgram {
    let executable = try #require(
      BinaryHarness.shelflog, "no built shelflog next to the test bundle (\(Bundle.main.bundleURL))"
    )
    return try BinaryHarness.start(
      executable, arguments, stdin: stdin, environment: environment, in: url, scratch: url)
  }

  /// Runs the `sqlite3` shell on a database in the folder with these SQL or dot-commands.
  func sqlite3(_ database: String, _ commands: [String]) async throws -> RunResult {
    try await startSQLite3(database, commands).wait()
  }

  /// Starts the `sqlite3` shell on a database in the folder with these commands.
  func startSQLite3(_ database: String, _ commands: [String]) throws -> RunningProgram {
    let executable = try #require(
      BinaryHarness.sqlite3, "the sqlite3 CLI is not installed (apt-get install -y sqlite3)")
    return try BinaryHarness.start(
      executable, ["-batch", database] + commands, in: url, scratch: url)
  }

  /// Every event of the log, parsed from `log --format jsonl`.
  func events(db: String = "log.sqlite", filters: [String] = []) async throws -> [[String: Any]] {
    let result = try await shelflog(["log", "--db", db, "--format", "jsonl"] + filters)
    try #require(result.status == 0, "log failed: \(result)")
    return try result.stdoutLines.map { line in
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
      return try #require(object as? [String: Any], "not a JSON object: \(line)")
    }
  }

  /// How many events `log` shows.
  func eventCount(db: String = "log.sqlite") async throws -> Int {
    try await events(db: db).count
  }
}

/// CSV batch text from a header and rows (LF line ends, trailing newline).
func csv(_ header: String, _ rows: [String]) -> String {
  ([header] + rows).joined(separator: "\n") + "\n"
}

/// The standard header with every column.
let fullHeader = "command_id,command,isbn,title,author,quantity,user_id,occurred_at"

/// A valid ISBN-13 with the 978 prefix, built from a 9-digit body.
func isbn13(_ body: Int) -> String {
  let digits = Array("978" + String(format: "%09d", body)).map { Int(String($0))! }
  let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
  return digits.map(String.init).joined() + String((10 - sum % 10) % 10)
}

/// The string values of one key over events.
func values(_ events: [[String: Any]], _ key: String) -> [String] {
  events.map { ($0[key] as? String) ?? "<\(String(describing: $0[key]))>" }
}
