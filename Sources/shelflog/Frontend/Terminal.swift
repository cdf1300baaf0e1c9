import Foundation

/// Standard error for people: errors, warnings, and progress on a terminal only.
enum Terminal {
  /// Whether standard error is a terminal (false under cron).
  static let isInteractive = isatty(STDERR_FILENO) == 1

  static func error(_ message: String) {
    line("shelflog: error: \(message)")
  }

  static func warning(_ message: String) {
    line("shelflog: warning: \(message)")
  }

  static func line(_ text: String) {
    clearProgress()
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  nonisolated(unsafe) private static var progressShown = false
  nonisolated(unsafe) private static var lastProgress = Date.distantPast

  /// Shows a one-line progress message on a terminal, at most ten times a second.
  static func progress(_ text: String) {
    guard isInteractive else { return }
    let now = Date()
    guard now.timeIntervalSince(lastProgress) >= 0.1 else { return }
    lastProgress = now
    progressShown = true
    FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
  }

  /// Removes the progress line, if any.
  static func clearProgress() {
    guard progressShown else { return }
    progressShown = false
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
