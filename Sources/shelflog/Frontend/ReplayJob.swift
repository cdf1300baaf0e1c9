import ArgumentParser
import Crypto
import EventLog
import Foundation
import LibraryDomain
import Replay
import Reports

/// The read side as the executable runs it: replay a cut, then write reports.
enum ReplayJob {
  /// Replays the log at `path`, with progress on a terminal; with `resume`, from the best stored
  /// snapshot (for reports that need no history).
  static func project(
    log: LogOptions, cut: ReplayCut, policy: ReplayPolicy, resume: Bool = false,
    activity: ActivityOptions? = nil
  ) throws(Failure) -> Projection {
    let store = try log.open(.read)
    let started = Diagnostics.clock()
    do {
      let projection = try Replayer.replay(
        store, cut: cut, policy: policy, resume: resume, activity: activity
      ) { count in
        Terminal.progress("replayed \(count) events")
      }
      Terminal.clearProgress()
      Diagnostics.debug(
        "replayed \(projection.library.eventCount) events at \(cut.at)"
          + (cut.knownAt.map { " known at \($0)" } ?? "")
          + (projection.hasHistory ? "" : " (resumed from a snapshot)")
          + " in \(Diagnostics.since(started))")
      return projection
    } catch {
      throw Failure(replay: error)
    }
  }

  /// Writes every report in every format to `directory`, each file replaced atomically, and the
  /// manifest of them all (`manifest.json`, last).
  static func write(
    _ projection: Projection, formats: [ReportFormat], activity: ActivityOptions,
    to directory: String
  ) throws(Failure) {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw Failure(
        code: Failure.cannotCreate, message: "\(directory): cannot create output folder")
    }
    let started = Diagnostics.clock()
    defer { Diagnostics.debug("wrote reports to \(directory) in \(Diagnostics.since(started))") }
    var files: [Manifest.File] = []
    for name in ReportFiles.names(for: formats) {
      var file = try ReportFile(path: "\(directory)/\(name)")
      ReportFiles.write(name, of: projection, to: &file)
      files.append(Manifest.File(name: name, bytes: file.bytes, sha256: file.sha256))
      try file.commit()
    }
    let manifest = Manifest(
      cut: projection.cut, policy: projection.policy,
      activity: Manifest.ActivityOptionsText(every: activity.every, from: activity.from),
      logHead: projection.head, files: files)
    var file = try ReportFile(path: "\(directory)/\(Manifest.fileName)")
    file.write(manifest.json)
    try file.commit()
  }
}

/// A report file written to a temporary name and renamed into place when complete, so a crash
/// never leaves half a report.
struct ReportFile: UTF8OutputStream {
  let path: String
  private let temporary: String
  private let handle: UnsafeMutablePointer<FILE>
  private var failed = false
  /// The bytes written, and their SHA-256 so far (for the manifest).
  private(set) var bytes = 0
  private var hasher = SHA256()

  /// The lowercase hex SHA-256 of everything written.
  var sha256: String { Hex.string(hasher.finalize()) }

  init(path: String) throws(Failure) {
    self.path = path
    temporary = path + ".partial"
    guard let handle = fopen(temporary, "w") else {
      throw Failure(
        code: Failure.cannotCreate,
        message: "\(path): cannot create report: \(String(cString: strerror(errno)))")
    }
    self.handle = handle
  }

  mutating func write(_ string: String) {
    var string = string
    string.withUTF8 { write(utf8: UnsafeRawBufferPointer($0)) }
  }

  mutating func write(utf8 text: UnsafeRawBufferPointer) {
    guard !failed, let base = text.baseAddress else { return }
    hasher.update(bufferPointer: text)
    let written = fwrite(base, 1, text.count, handle)
    bytes += text.count
    if written != text.count {
      failed = true
      failure = errno
    }
  }

  private var failure: Int32 = 0

  func commit() throws(Failure) {
    var reason = failure
    if fclose(handle) != 0 && reason == 0 { reason = errno }
    if reason == 0 && !failed && rename(temporary, path) == 0 { return }
    if reason == 0 { reason = errno }
    unlink(temporary)
    throw Failure(
      code: Failure.ioError,
      message: "\(path): cannot write report: \(String(cString: strerror(reason)))")
  }
}

/// Standard output as a text stream, for `report`.
struct StandardOutput: TextOutputStream {
  let output: Output

  mutating func write(_ string: String) {
    output.write(string)
  }
}
