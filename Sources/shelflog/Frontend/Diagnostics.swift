import Foundation
import Logging

/// `--verbose` diagnostics on standard error, through swift-log: what was opened, how long each
/// step took, which snapshot a report resumed from. Off by default, so cron sees only the
/// summary and errors. Never part of a report (reports stay byte-identical).
enum Diagnostics {
  nonisolated(unsafe) private static var logger: Logger?

  /// Turns diagnostics on for the rest of the run (once; later calls change nothing).
  static func enable(_ verbose: Bool) {
    guard verbose, logger == nil else { return }
    var logger = Logger(label: "shelflog") { label in StreamLogHandler.standardError(label: label) }
    logger.logLevel = .debug
    self.logger = logger
  }

  static func debug(_ message: @autoclosure () -> String) {
    logger?.debug("\(message())")
  }

  /// A monotonic instant, for `since`.
  static func clock() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

  /// Seconds since `start`, for a message (`1.234 s`).
  static func since(_ start: UInt64) -> String {
    String(format: "%.3f s", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
}
