import ArgumentParser
import Check
import Foundation
import Reports

extension Shelflog {
  /// Re-makes reports from their manifest and compares them byte for byte.
  struct Reproduce: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that the reports in a folder still reproduce from the log.",
      discussion: """
        Reads DIR/manifest.json (written by replay and audit), replays its cut on the log \
        pinned at its log head (events appended later are left out), recomputes the hash \
        chain up to there, writes every listed file again and compares it byte for byte. Exit \
        0 when all reproduce; 1 naming each file that differs (for JSON the first differing \
        field), a missing file, or a log rewritten below the head or lacking its event; 66 \
        without a manifest; 65 for a manifest that cannot be used.
        """)

    @OptionGroup var log: LogOptions

    @Argument(help: ArgumentHelp("A folder of reports with their manifest.json.", valueName: "dir"))
    var folder: String

    func run() throws {
      let path = "\(folder)/\(Manifest.fileName)"
      guard let data = FileManager.default.contents(atPath: path) else {
        throw Failure(code: Failure.noInput, message: "\(path): no manifest (or it cannot be read)")
      }
      let manifest: Manifest
      do {
        manifest = try Manifest(json: data)
      } catch {
        throw Failure(
          code: Failure.dataError, message: "\(path): not a usable manifest: \(error.reason)")
      }
      let store = try log.open(.read)
      let result: Reproduction
      do {
        result = try Reproducer.reproduce(store, folder: folder, manifest: manifest)
      } catch {
        throw Failure(replay: error)
      }
      guard result.problems.isEmpty else {
        for problem in result.problems { print("FAILED: \(problem)") }
        throw ExitCode(Failure.verifyFault)
      }
      print(
        "reproduced: \(result.files) files identical at position \(result.position)"
          + " (head \(result.head ?? "none"))")
    }
  }
}
