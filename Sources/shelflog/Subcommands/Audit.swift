import ArgumentParser
import Foundation
import LibraryDomain
import Reports

extension Shelflog {
  /// The nightly job in one command: import, then replay.
  struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Import batches, then write the reports: the nightly job in one command.",
      discussion: """
        Each argument is a CSV file, a folder of CSV files (imported in name order), or a \
        fixture case folder holding batches/ (imported in name order with the case's recorded \
        times, SPEC section 7, unless --recorded-at is given). The reports are written even when \
        a batch is rejected; the exit code then is 65.
        """)

    @OptionGroup var log: LogOptions

    @Argument(
      help: ArgumentHelp("CSV files, folders of them, or fixture case folders.", valueName: "path"))
    var paths: [String]

    @OptionGroup var imports: ImportArguments
    @OptionGroup var cut: ReplayArguments

    @Option(help: ArgumentHelp("Folder for the reports.", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Comma-separated formats: json, csv, md.", valueName: "list"))
    var format = "json,csv,md"

    func validate() throws {
      let formats = try parseFormats(format, as: ReportFormat.self)
      try ReplayJob.refuseHTML(formats)
      if formats.contains(.table) {
        throw ValidationError("table is for 'shelflog report'; audit writes json, csv, md")
      }
    }

    func run() throws {
      let inputs = try paths.flatMap { path throws(Failure) in try CaseFolder.inputs(of: path) }
      let policy = try cut.resolvedPolicy()
      let status = try ImportJob(arguments: imports, logPath: log.path).run(inputs)
      let projection = try ReplayJob.project(
        logPath: log.path, cut: cut.cut(now: .now()), policy: policy)
      try ReplayJob.write(
        projection, formats: try parseFormats(format, as: ReportFormat.self), to: out)
      if status != 0 { throw ExitCode(status) }
    }
  }
}

/// How `audit` (and `check`) find batches: files, folders, and fixture case folders.
enum CaseFolder {
  /// The batches a path stands for, in import order.
  static func inputs(of path: String) throws(Failure) -> [BatchInput] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw Failure(code: Failure.noInput, message: "\(path): no such file or folder")
    }
    guard isFolder.boolValue else { return [BatchInput(path: path)] }
    let batches = "\(path)/batches"
    if FileManager.default.fileExists(atPath: batches) {
      let files = try csvFiles(in: batches)
      let times = try recordedTimes(of: path, count: files.count)
      return zip(files, times).map { BatchInput(path: $0, recordedAt: $1) }
    }
    return try csvFiles(in: path).map { BatchInput(path: $0) }
  }

  /// The `.csv` files of a folder, by name.
  static func csvFiles(in folder: String) throws(Failure) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      throw Failure(code: Failure.noInput, message: "\(folder): cannot read folder")
    }
    return names.filter { $0.hasSuffix(".csv") }.sorted {
      $0.utf8.lexicographicallyPrecedes($1.utf8)
    }
    .map { "\(folder)/\($0)" }
  }

  /// SPEC section 7: line i+1 of `recorded_at`, or 2000-01-01T00:00:00Z plus i seconds.
  static func recordedTimes(of folder: String, count: Int) throws(Failure) -> [Timestamp] {
    let file = "\(folder)/recorded_at"
    guard FileManager.default.fileExists(atPath: file) else {
      let base: Int64 = 946_684_800_000_000
      return (0..<count).map { Timestamp(microseconds: base + Int64($0) * 1_000_000) }
    }
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
      throw Failure(code: Failure.noInput, message: "\(file): cannot read")
    }
    let lines = text.split(whereSeparator: \.isNewline).map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    guard lines.count >= count else {
      throw Failure(
        code: Failure.dataError,
        message: "\(file): \(lines.count) times for \(count) batches")
    }
    return try lines.prefix(count).enumerated().map { index, line throws(Failure) in
      guard let time = Timestamp(rfc3339: line) else {
        throw Failure(
          code: Failure.dataError, message: "\(file):\(index + 1): \(line) is not an RFC 3339 time")
      }
      return time
    }
  }
}
