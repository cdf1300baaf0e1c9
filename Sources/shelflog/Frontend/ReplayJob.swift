import ArgumentParser
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

  /// Writes every report in every format to `directory`, each file replaced atomically.
  static func write(
    _ projection: Projection, formats: [ReportFormat], to directory: String
  ) throws(Failure) {
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw Failure(
        code: Failure.cannotCreate, message: "\(directory): cannot create output folder")
    }
    let writer = ReportWriter(projection: projection)
    let started = Diagnostics.clock()
    defer { Diagnostics.debug("wrote reports to \(directory) in \(Diagnostics.since(started))") }
    for name in ReportName.allCases {
      for format in formats where format != .html {
        let path = "\(directory)/\(name.rawValue).\(format.fileExtension)"
        var file = try ReportFile(path: path)
        writer.write(name, as: format, to: &file)
        try file.commit()
      }
    }
    if formats.contains(.html) {
      var file = try ReportFile(path: "\(directory)/index.html")
      HTMLReport(projection: projection).write(to: &file)
      try file.commit()
    }
  }
}

/// A report file written to a temporary name and renamed into place when complete, so a crash
/// never leaves half a report.
struct ReportFile: TextOutputStream {
  let path: String
  private let temporary: String
  private let handle: UnsafeMutablePointer<FILE>
  private var failed = false

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
    guard !failed else { return }
    var string = string
    let count = string.utf8.count
    let written = string.withUTF8 { fwrite($0.baseAddress, 1, count, handle) }
    if written != count {
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
