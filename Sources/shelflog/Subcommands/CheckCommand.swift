import ArgumentParser
import Check
import Foundation

extension Shelflog {
  /// CI replay checks of fixture cases (docs/check.md).
  struct CheckCases: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "check",
      abstract: "Replay fixture cases and compare them with their expected reports and assertions.",
      discussion: """
        Each DIR holds batches/*.csv (imported in name order into a temporary log, with the \
        times of its recorded_at file or 2000-01-01T00:00:00Z plus i seconds) and \
        expected/<T>/ or expected/<T>@<K>/ folders with JSON reports and/or assertions.txt. \
        Prints each difference as file[:line]: report.row.field: expected X, actual Y and exits \
        1 on any. --update rewrites the expected files and says which changed.
        """)

    @Argument(help: ArgumentHelp("Fixture case folders.", valueName: "dir"))
    var folders: [String]

    @Flag(help: "Rewrite the expected reports and assertion values with what the code makes.")
    var update = false

    @Option(
      help: ArgumentHelp(
        "Also write the results as JUnit XML (a testsuite per case, a testcase per expected cut).",
        valueName: "file"))
    var junit: String?

    func run() throws {
      var differing = 0
      var broken = 0
      var junitReport = JUnitReport()
      defer {
        if let junit { Self.write(junitReport.xml, to: junit) }
      }
      for folder in folders {
        let name = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: name, isDirectory: &isFolder), !isFolder.boolValue
        {
          // `fixtures/*` also matches fixtures/README.md: a file is not a case.
          Terminal.warning("\(name): not a folder, skipped")
          continue
        }
        let report: CaseReport
        do {
          report = try CaseChecker(fixture: FixtureCase(folder: name), update: update).run()
        } catch {
          // A case that cannot be checked is a data error; the other cases still run.
          Terminal.error(error.message)
          junitReport.add(case: name, error: error.message)
          broken += 1
          continue
        }
        junitReport.add(case: name, report)
        for difference in report.differences { print(difference.message) }
        for file in report.updated { print("updated \(file)") }
        let counts = "\(report.reportsCompared) reports, \(report.assertionsChecked) assertions"
        if report.differences.isEmpty {
          print("\(name): ok (\(counts))")
        } else {
          differing += 1
          print("\(name): \(report.differences.count) differences (\(counts))")
        }
      }
      if differing > 0 {
        print(
          "\(differing) of \(folders.count) cases differ; after review,"
            + " 'shelflog check --update' rewrites their expected files")
      }
      if broken > 0 { throw ExitCode(Failure.dataError) }
      if differing > 0 { throw ExitCode(Failure.verifyFault) }
    }

    /// Writes the JUnit file (atomically); a failure is one line and exit 73.
    private static func write(_ xml: String, to path: String) {
      do {
        try xml.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        Terminal.error("\(path): cannot write JUnit XML")
        Foundation.exit(Failure.cannotCreate)
      }
    }
  }
}
