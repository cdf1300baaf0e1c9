import ArgumentParser
import EventLog
import Foundation
import Ingest
import LibraryDomain

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

    func validate() throws {
      if let recordedAt, Timestamp(rfc3339: recordedAt) == nil {
        throw ValidationError(
          "--recorded-at \(recordedAt) is not an RFC 3339 time such as 2024-03-01T09:30:00Z")
      }
      if wait < 0 || !wait.isFinite { throw ValidationError("--wait takes seconds, 0 or more") }
      if files.filter({ $0 == "-" }).count > 1 {
        throw ValidationError("standard input (-) can be named once")
      }
    }

    func run() throws {
      // Every file is opened (and standard input spooled) before anything is appended, so a
      // missing or unreadable one appends nothing from the others.
      let batches = try files.map { file throws(Failure) in try BatchFile(path: file) }
      let rejectsFile = try rejects.map { path throws(Failure) in try RejectsFile(path: path) }
      let store: EventLogStore
      do {
        store = try EventLogStore(path: log.path, access: .write, wait: wait)
      } catch {
        throw Failure(error)
      }
      var summaries: [BatchSummary] = []
      var status: Int32 = 0
      for batch in batches {
        let sha = try batch.sha256()
        var summary: BatchSummary
        do {
          summary = try importOne(batch, sha256: sha, into: store, rejectsFile: rejectsFile)
        } catch let failure as Failure {
          // A batch refused whole is a data error for that batch; the others still go in.
          if failure.code != Failure.dataError { throw failure }
          Terminal.error(failure.message)
          summary = BatchSummary(file: batch.name, sha256: sha, status: .refused)
          summary.message = failure.message
        }
        summaries.append(summary)
        if summary.rejected > 0 || summary.status == .refused { status = Failure.dataError }
        if !json { print(Self.line(summary)) }
      }
      try rejectsFile?.close()
      if json { print(Self.json(summaries)) }
      if status != 0 { throw ExitCode(status) }
    }

    private func importOne(
      _ batch: BatchFile, sha256 sha: String, into store: EventLogStore, rejectsFile: RejectsFile?
    ) throws -> BatchSummary {
      do {
        if try store.hasBatch(sha256: sha) {
          return BatchSummary(file: batch.name, sha256: sha, status: .alreadyImported)
        }
      } catch {
        throw Failure(error)
      }
      let name = batch.name
      let size = batch.size
      var shown = 0
      var options = ImportOptions(now: .now())
      options.allowPartial = allowPartial
      options.recordedAt = recordedAt.flatMap { Timestamp(rfc3339: $0) }
      let observer = ImportObserver(
        reject: { reject in
          rejectsFile?.write(reject, file: name)
          if shown < Self.rejectsShown {
            let column = reject.column.map(String.init) ?? "-"
            Terminal.line(
              "\(name):\(reject.line):\(column): \(reject.code.rawValue): \(reject.message)")
          }
          shown += 1
        },
        warning: { Terminal.warning("\(name): \($0)") },
        progress: { bytes in
          let percent = size > 0 ? bytes * 100 / size : 100
          Terminal.progress("importing \(name): \(percent)% of \(size / 1_000_000) MB")
        })
      let summary: BatchSummary
      do {
        summary = try store.importBatch(
          FileDescriptorSource(fileDescriptor: batch.descriptor), file: name, sha256: sha,
          options: options, observer: observer)
      } catch let error as IngestError {
        throw Failure(error, file: name)
      } catch let error as EventLogError {
        throw Failure(error)
      }
      Terminal.clearProgress()
      if shown > Self.rejectsShown {
        Terminal.line(
          "\(name): \(shown - Self.rejectsShown) more rejects not shown"
            + (rejects.map { " (all are in \($0))" } ?? " (write them all with --rejects FILE)"))
      }
      return summary
    }

    /// How many rejects of one batch are printed on stderr; --rejects gets them all.
    static let rejectsShown = 20

    static func line(_ summary: BatchSummary) -> String {
      let sha = summary.sha256.prefix(12)
      switch summary.status {
      case .alreadyImported:
        return "\(summary.file): already imported (sha256 \(sha)…), nothing appended"
      case .refused:
        return "\(summary.file): refused, nothing appended (sha256 \(sha)…)"
      case .rejected:
        return
          "\(summary.file): rejected, nothing appended: \(summary.accepted) valid, "
          + "\(summary.rejected) rejected, \(summary.skipped) skipped (sha256 \(sha)…)"
      case .imported:
        let range =
          summary.firstPosition.map { " at positions \($0)-\(summary.lastPosition ?? $0)" } ?? ""
        return
          "\(summary.file): \(summary.accepted) accepted, \(summary.rejected) rejected, "
          + "\(summary.skipped) skipped\(range) (sha256 \(sha)…)"
      }
    }

    static func json(_ summaries: [BatchSummary]) -> String {
      let batches = summaries.map { summary in
        JSON.object([
          "file": JSON.string(summary.file),
          "sha256": JSON.string(summary.sha256),
          "status": JSON.string(summary.status.rawValue),
          "accepted": JSON.number(summary.accepted),
          "rejected": JSON.number(summary.rejected),
          "skipped": JSON.number(summary.skipped),
          "recorded_at": JSON.string(summary.recordedAt),
          "first_position": JSON.number(summary.firstPosition),
          "last_position": JSON.number(summary.lastPosition),
          "message": JSON.string(summary.message),
        ])
      }
      return "{\"batches\":[" + batches.joined(separator: ",") + "]}"
    }
  }
}
