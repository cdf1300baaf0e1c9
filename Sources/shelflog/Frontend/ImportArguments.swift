import ArgumentParser
import LibraryDomain

/// The options of an import, shared by `import` and `audit`.
struct ImportArguments: ParsableArguments {
  @Option(help: ArgumentHelp("Write rejected rows to this CSV file.", valueName: "file"))
  var rejects: String?

  @Flag(help: "Append the valid rows of a batch that has rejected rows.")
  var allowPartial = false

  @Option(
    help: ArgumentHelp(
      "The batches' recorded time (RFC 3339), for backfills and reproducible fixtures.",
      valueName: "time"))
  var recordedAt: String?

  @Option(help: ArgumentHelp("Seconds to wait for another import.", valueName: "seconds"))
  var wait: Double = 30

  @Flag(help: "Print a machine-readable JSON summary instead of summary lines.")
  var json = false

  @Flag(
    help: ArgumentHelp(
      "Validate as import does and print what it would print, but append nothing.",
      discussion: "Checks against the log if it exists (already imported batches, command ids);"
        + " creates and changes nothing."))
  var dryRun = false

  func validate() throws {
    if let recordedAt, Timestamp(rfc3339: recordedAt) == nil {
      throw ValidationError(
        "--recorded-at \(recordedAt) is not an RFC 3339 time such as 2024-03-01T09:30:00Z")
    }
    if wait < 0 || !wait.isFinite { throw ValidationError("--wait takes seconds, 0 or more") }
  }

  /// The recorded time given, if any.
  var recordedTime: Timestamp? { recordedAt.flatMap { Timestamp(rfc3339: $0) } }
}
