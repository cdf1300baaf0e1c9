import ArgumentParser
import Foundation
import Reports

/// The `--wide` flag of every command that prints a table.
struct TableOptions: ParsableArguments {
  @Flag(help: "Show long title and author cells whole instead of cutting them to fit the terminal.")
  var wide = false

  /// How a table on standard output fits: on a terminal, `$COLUMNS` when set, else the
  /// terminal's width; to a pipe or file, `$COLUMNS` when set, else no limit.
  var layout: TerminalLayout {
    TerminalLayout(width: Terminal.tableWidth(), wide: wide)
  }
}

extension Terminal {
  /// The width tables on standard output fit (see `TableOptions.layout`).
  static func tableWidth() -> Int? {
    if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap({ Int($0) }),
      columns > 0
    {
      return columns
    }
    guard isatty(STDOUT_FILENO) == 1 else { return nil }
    var size = winsize()
    guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }
}
