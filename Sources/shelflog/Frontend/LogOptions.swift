import ArgumentParser
import Foundation

/// The `--db` option every subcommand shares.
struct LogOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The event log (SQLite file).", discussion: "Default: $SHELFLOG_DB, else shelflog.sqlite.",
      valueName: "path"))
  var db: String?

  /// The log's path after the environment default.
  var path: String {
    db ?? ProcessInfo.processInfo.environment["SHELFLOG_DB"] ?? "shelflog.sqlite"
  }
}
