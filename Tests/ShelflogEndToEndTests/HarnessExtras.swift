import Foundation
import Testing

/// What a log holds, as its user sees it: the `verify` head, the events and the batches.
struct LogState: Equatable, CustomStringConvertible {
  var head: String
  var events: Int
  var batches: Int

  var description: String { "head \(head), \(events) events, \(batches) batches" }
}

/// A good batch with every column, imported first so that the log under attack is not empty.
let seedBatch = csv(
  fullHeader,
  [
    "s1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z",
    "s2,AddBook,978-1593275846,Elixir in Action,Sasa Juric,10,,2024-03-01T09:05:00Z",
    "s3,BorrowBook,9780306406157,,,,alice,2024-03-01T10:00:00Z",
  ])

extension Sandbox {
  /// Imports `seedBatch` into `db` (recorded 2024-03-05) and returns the verified state.
  @discardableResult
  func seedLog(db: String = "log.sqlite") async throws -> LogState {
    try write("seed.csv", seedBatch)
    let imported = try await shelflog(
      ["import", "seed.csv", "--db", db, "--recorded-at", "2024-03-05T00:00:00Z"])
    try #require(imported.status == 0, "seed import: \(imported)")
    let state = try await logState(db: db)
    try #require(state.events == 3 && state.batches == 1, "seeded: \(state)")
    return state
  }

  /// The head hash that `verify` prints (it must pass).
  func verifyHead(db: String = "log.sqlite") async throws -> String {
    let verify = try await shelflog(["verify", "--db", db])
    try #require(verify.status == 0, "verify: \(verify)")
    let line = try #require(verify.stdoutLines.last, "verify printed nothing: \(verify)")
    let head = try #require(line.split(separator: " ").last, "no head in: \(line)")
    return String(head)
  }

  /// `verify` (which must pass), the number of events `log` shows, and the rows of `batches`
  /// (read with `sqlite3 -readonly`).
  func logState(db: String = "log.sqlite") async throws -> LogState {
    let head = try await verifyHead(db: db)
    let events = try await eventCount(db: db)
    let sqlite3 = try #require(BinaryHarness.sqlite3, "the sqlite3 CLI is not installed")
    let count = try await run(
      sqlite3.path, ["-readonly", "-batch", resolve(db), "SELECT count(*) FROM batches;"])
    let batches = try #require(
      Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(count)")
    return LogState(head: head, events: events, batches: batches)
  }

  /// The bytes of the database file and of its WAL (`nil` when there is none), by name.
  func logBytes(db: String = "log.sqlite") -> [String: Data?] {
    let main = resolve(db)
    return [
      "db": try? Data(contentsOf: URL(fileURLWithPath: main)),
      "wal": try? Data(contentsOf: URL(fileURLWithPath: main + "-wal")),
    ]
  }

  /// An absolute path as is, a relative one inside the folder.
  func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : self.path(path)
  }

  /// Runs any program with the folder as working directory and waits for it.
  func run(
    _ executable: String, _ arguments: [String], environment: [String: String] = [:]
  ) async throws -> RunResult {
    try await BinaryHarness.start(
      URL(fileURLWithPath: executable), arguments, environment: environment, in: url,
      scratch: url
    ).wait()
  }

  /// Runs `shelflog` under `/usr/bin/time` and returns its result and its maximum resident set
  /// size in KiB.
  func shelflogMeasured(_ arguments: [String]) async throws -> (RunResult, Int) {
    let executable = try #require(BinaryHarness.shelflog, "no built shelflog")
    try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "no /usr/bin/time")
    let rssFile = path(".rss-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(atPath: rssFile) }
    let result = try await run(
      "/usr/bin/time", ["-f", "%M", "-o", rssFile, executable.path] + arguments)
    let text = try String(contentsOfFile: rssFile, encoding: .utf8)
    // GNU time writes "Command exited with non-zero status N" before the format's line.
    let last = text.split(separator: "\n").last.map(String.init) ?? ""
    let kib = try #require(Int(last.trimmingCharacters(in: .whitespaces)), "time wrote: \(text)")
    return (result, kib)
  }

  /// Runs `shelflog` through `/bin/sh` after `ulimit -f blocks` (in the shell's block size),
  /// with SIGXFSZ at its default action, as under cron or a login shell (the test runner may
  /// ignore it, and an ignored signal stays ignored across exec).
  func shelflogWithFileSizeLimit(blocks: Int, _ arguments: [String]) async throws -> RunResult {
    let executable = try #require(BinaryHarness.shelflog, "no built shelflog")
    let script = "ulimit -f \(blocks) && exec \"$@\""
    return try await run(
      "/usr/bin/env",
      ["--default-signal=XFSZ", "/bin/sh", "-c", script, "sh", executable.path] + arguments)
  }

  /// Writes a file by calling `body` with a function that appends bytes, so a big input is
  /// written in chunks and never sits in memory whole. Returns the file's name.
  @discardableResult
  func writeStreaming(_ name: String, _ body: ((Data) throws -> Void) throws -> Void) throws
    -> String
  {
    let file = path(name)
    FileManager.default.createFile(atPath: file, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
    defer { try? handle.close() }
    try body { try handle.write(contentsOf: $0) }
    return name
  }
}

/// Appends `count` bytes of `pattern` repeated (the last copy possibly cut), 1 MiB at a time.
func appendRepeating(_ pattern: String, count: Int, to append: (Data) throws -> Void) throws {
  let unit = Array(pattern.utf8)
  let chunkSize = max(1, (1 << 20) / unit.count) * unit.count
  let chunk = Data((0..<chunkSize).map { unit[$0 % unit.count] })
  var left = count
  while left > 0 {
    let size = min(left, chunk.count)
    try append(size == chunk.count ? chunk : chunk.prefix(size))
    left -= size
  }
}

/// Whether `haystack` holds the exact UTF-8 bytes of `needle` (no Unicode equivalence).
func containsBytes(_ haystack: String, _ needle: String) -> Bool {
  Data(haystack.utf8).range(of: Data(needle.utf8)) != nil
}

/// One CSV field with RFC 4180 quoting (quoted when it holds a comma, a quote or a line break).
func csvField(_ text: String) -> String {
  guard text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D })
  else { return text }
  return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// A small filesystem mounted for one test (root only): a tmpfs of a given size.
final class ScratchMount: Sendable {
  let url: URL

  private init(url: URL) {
    self.url = url
  }

  /// Mounts a tmpfs of `kibibytes` in a new folder of `box` and runs `body`, then unmounts it
  /// (also when `body` throws). Cancels the test, with the reason, when this machine does not
  /// allow mounting (not root, no mount(8), a container without the capability).
  static func withTmpfs<T>(
    in box: Sandbox, kibibytes: Int, _ body: (ScratchMount) async throws -> T
  ) async throws -> T {
    let folder = box.url.appendingPathComponent("mnt-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
    guard FileManager.default.isExecutableFile(atPath: "/bin/mount") else {
      try Test.cancel(Comment(rawValue: "no /bin/mount: cannot make a small filesystem"))
    }
    let mounted = try await box.run(
      "/bin/mount", ["-t", "tmpfs", "-o", "size=\(kibibytes)k,mode=0755", "tmpfs", folder.path])
    guard mounted.status == 0 else {
      try Test.cancel(Comment(rawValue: "mount -t tmpfs is not allowed here: \(mounted.stderr)"))
    }
    let mount = ScratchMount(url: folder)
    do {
      let result = try await body(mount)
      await mount.unmount(in: box)
      return result
    } catch {
      await mount.unmount(in: box)
      throw error
    }
  }

  /// The absolute path of a file on the mounted filesystem.
  func path(_ name: String) -> String {
    url.appendingPathComponent(name).path
  }

  /// Remounts with other options (`ro`, `rw`, `size=4m`).
  func remount(_ options: String, in box: Sandbox) async throws {
    let result = try await box.run("/bin/mount", ["-o", "remount,\(options)", url.path])
    try #require(result.status == 0, "remount \(options): \(result)")
  }

  /// Unmounts (lazily, so that an open file cannot keep the mount alive).
  func unmount(in box: Sandbox) async {
    _ = try? await box.run("/bin/umount", ["-l", url.path])
  }
}

/// Runs `body` while `paths` carry the immutable attribute (`chattr +i`, which stops even root
/// from writing), and clears it afterwards (also when `body` throws). Cancels the test, with
/// the reason, when the attribute cannot be set here.
func withImmutable<T>(
  _ paths: [String], in box: Sandbox, _ body: () async throws -> T
) async throws -> T {
  guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chattr") else {
    try Test.cancel("no /usr/bin/chattr: cannot make a file read-only for root")
  }
  let set = try await box.run("/usr/bin/chattr", ["+i"] + paths)
  guard set.status == 0 else {
    _ = try? await box.run("/usr/bin/chattr", ["-i"] + paths)
    try Test.cancel(Comment(rawValue: "chattr +i is not allowed here: \(set.stderr)"))
  }
  do {
    let result = try await body()
    _ = try await box.run("/usr/bin/chattr", ["-i"] + paths)
    return result
  } catch {
    _ = try? await box.run("/usr/bin/chattr", ["-i"] + paths)
    throw error
  }
}

/// Expects standard error to be exactly one `shelflog: error:` line holding each of `needles`.
func expectOneErrorLine(
  _ result: RunResult, naming needles: [String], sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(result.stderrLines.count == 1, "one line: \(result)", sourceLocation: sourceLocation)
  let line = result.stderrLines.first ?? ""
  #expect(
    line.hasPrefix("shelflog: error: "), "prefix: \(result)", sourceLocation: sourceLocation)
  for needle in needles {
    #expect(line.contains(needle), "names \(needle): \(result)", sourceLocation: sourceLocation)
  }
}
