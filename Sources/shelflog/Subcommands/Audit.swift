import ArgumentParser
import Check
import EventLog
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
        times, docs/check.md, unless --recorded-at is given). The reports are written even when \
        a batch is rejected; the exit code then is 65. With --dry-run the batches are only \
        validated and no report is written. After importing, audit brings the current-state \
        tables up to date as shelflog project does, unless --no-project.
        """)

    @OptionGroup var log: LogOptions

    @Argument(
      help: ArgumentHelp("CSV files, folders of them, or fixture case folders.", valueName: "path"))
    var paths: [String]

    @OptionGroup var imports: ImportArguments
    @OptionGroup var cut: ReplayArguments

    @Option(help: ArgumentHelp("Folder for the reports.", valueName: "dir"))
    var out: String

    @OptionGroup var formats: FormatOptions

    @Flag(
      help: "Do not bring the current-state tables (shelflog project) up to date after importing.")
    var noProject = false

    func run() throws {
      let inputs = try paths.flatMap { path throws(Failure) in try CaseFolder.inputs(of: path) }
      let policy = try cut.resolvedPolicy()
      let status = try ImportJob(arguments: imports, log: log).run(inputs)
      if imports.dryRun {
        // Nothing was appended, so there is nothing new to report.
        print("dry run: no reports written to \(out)")
        if status != 0 { throw ExitCode(status) }
        return
      }
      // The model follows the log (docs/current-model.md), under the reports'
      // policy. Should that fail, the reports are still written, then the failure reported.
      var modelFailure: Failure?
      if !noProject {
        let store = try log.open(.write, wait: imports.wait)
        do {
          print(Project.describe(try Project.refresh(store, policy: policy)))
        } catch {
          modelFailure = Failure(replay: error)
        }
      }
      let projection = try ReplayJob.project(
        log: log, cut: cut.cut(now: .now()), policy: policy, activity: cut.activity)
      try ReplayJob.write(
        projection, formats: try formats.formats(), activity: cut.activity, to: out)
      if let modelFailure { throw modelFailure }
      if status != 0 { throw ExitCode(status) }
    }
  }
}

/// How `audit` finds batches: files, folders of CSV files, and fixture case folders.
enum CaseFolder {
  /// The batches a path stands for, in import order.
  static func inputs(of path: String) throws(Failure) -> [BatchInput] {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw Failure(code: Failure.noInput, message: "\(path): no such file or folder")
    }
    guard isFolder.boolValue else { return [BatchInput(path: path)] }
    if FixtureCase.isCase(path) {
      do {
        let fixture = try FixtureCase(folder: path, requireExpected: false)
        return fixture.batches.map { BatchInput(path: $0.path, recordedAt: $0.recordedAt) }
      } catch {
        throw Failure(code: Failure.dataError, message: error.message)
      }
    }
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
      throw Failure(code: Failure.noInput, message: "\(path): cannot read folder")
    }
    return names.filter { $0.hasSuffix(".csv") }
      .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
      .map { BatchInput(path: "\(path)/\($0)") }
  }
}
