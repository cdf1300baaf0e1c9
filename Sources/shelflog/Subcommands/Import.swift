import ArgumentParser

extension Shelflog {
  /// Validates command batches and appends them, atomically and idempotently, to the log.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Validate CSV command batches and append them to the event log.",
      discussion: """
        Each FILE is one batch, appended all or nothing in its own transaction (with \
        --allow-partial, the valid rows). A batch whose bytes were imported before is skipped. \
        Exit 65 when any row or batch is rejected, 66 when a file is missing, 75 when another \
        import holds the log longer than --wait.
        """)

    @OptionGroup var log: LogOptions

    @Argument(help: ArgumentHelp("CSV batch files; - reads standard input.", valueName: "file"))
    var files: [String]

    @OptionGroup var options: ImportArguments

    func validate() throws {
      if files.filter({ $0 == "-" }).count > 1 {
        throw ValidationError("standard input (-) can be named once")
      }
    }

    func run() throws {
      let job = ImportJob(arguments: options, log: log)
      let status = try job.run(files.map { BatchInput(path: $0) })
      if status != 0 { throw ExitCode(status) }
    }
  }
}
