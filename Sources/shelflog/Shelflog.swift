import ArgumentParser
import Foundation
import Reports

/// The `shelflog` command: an auditable history of a library's inventory.
@main
struct Shelflog: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shelflog",
    abstract: "An auditable, event-sourced history of a library's book inventory.",
    discussion: """
      The log is a SQLite file (--db, default $SHELFLOG_DB or shelflog.sqlite). Exit codes: \
      0 success, 1 verify, check, diff or reproduce found a difference, 64 usage, 65 data rejected, 66 input not found or \
      unreadable, 73 cannot create output, 74 I/O error, 75 log busy.
      """,
    version: ShelflogVersion.current,
    subcommands: [
      Import.self, Log.self, Verify.self, Replay.self, Report.self, Audit.self,
      CheckCases.self, Generate.self, Snapshot.self, Explain.self, Diff.self, Reproduce.self,
      Copy.self, Project.self,
    ]
  )

  /// Parses, runs, and turns every failure into one line on stderr and a documented exit code.
  static func main() {
    signal(SIGPIPE, SIG_IGN)
    // Past `ulimit -f` a write fails with EFBIG (an I/O error, exit 74) instead of killing us.
    signal(SIGXFSZ, SIG_IGN)
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch let failure as Failure {
      Terminal.error(failure.message)
      Foundation.exit(failure.code)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        // --help and --version: the full text, on stdout.
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      let message = message(for: error).split(separator: "\n").first.map(String.init) ?? ""
      if !message.isEmpty {
        Terminal.error("\(message) (see 'shelflog help')")
      }
      Foundation.exit(code.rawValue)
    }
  }
}
