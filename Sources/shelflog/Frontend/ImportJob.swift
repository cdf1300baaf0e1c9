import ArgumentParser
import EventLog
import Foundation
import Importer
import Ingest
import LibraryDomain
import Reports

/// One batch to import, with its own recorded time when a fixture case sets one.
struct BatchInput {
  var path: String
  var recordedAt: Timestamp?
}

/// The write side as the executable runs it: opens every input first, appends each batch in its
/// own transaction, prints a summary line per batch (or JSON), and says which exit code fits.
struct ImportJob {
  let arguments: ImportArguments
  let log: LogOptions

  /// Imports the batches in order; returns 0, or 65 when any row or batch was rejected.
  func run(_ inputs: [BatchInput]) throws -> Int32 {
    // Every file is opened (and standard input spooled) before anything is appended, so a
    // missing or unreadable one appends nothing from the others.
    let batches = try inputs.map { input throws(Failure) in
      (try BatchFile(path: input.path), arguments.recordedTime ?? input.recordedAt)
    }
    let rejectsFile = try arguments.rejects.map { path throws(Failure) in
      try RejectsFile(path: path)
    }
    let store = try log.open(.write, wait: arguments.wait)
    var summaries: [BatchSummary] = []
    var status: Int32 = 0
    for (batch, recordedAt) in batches {
      let sha = try batch.sha256()
      var summary: BatchSummary
      do {
        summary = try importOne(
          batch, sha256: sha, recordedAt: recordedAt, into: store, rejectsFile: rejectsFile)
      } catch let failure as Failure {
        // A batch refused whole is a data error for that batch; the others still go in.
        if failure.code != Failure.dataError { throw failure }
        Terminal.error(failure.message)
        summary = BatchSummary(file: batch.name, sha256: sha, status: .refused)
        summary.message = failure.message
      }
      summaries.append(summary)
      if summary.rejected > 0 || summary.status == .refused { status = Failure.dataError }
      if !arguments.json { print(Self.line(summary)) }
    }
    try rejectsFile?.close()
    if arguments.json { print(Self.json(summaries)) }
    return status
  }

  private func importOne(
    _ batch: BatchFile, sha256 sha: String, recordedAt: Timestamp?, into store: any EventStore,
    rejectsFile: RejectsFile?
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
    options.allowPartial = arguments.allowPartial
    options.recordedAt = recordedAt
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
    let started = Diagnostics.clock()
    do {
      summary = try Importer.importBatch(
        FileDescriptorSource(fileDescriptor: batch.descriptor), file: name, sha256: sha,
        into: store, options: options, observer: observer)
    } catch let error as IngestError {
      throw Failure(error, file: name)
    } catch let error as ImportError {
      throw Failure(code: Failure.dataError, message: error.message)
    } catch let error as EventLogError {
      throw Failure(error)
    }
    Diagnostics.debug(
      "\(name): \(summary.accepted + summary.rejected + summary.skipped) rows, \(size) bytes"
        + " in \(Diagnostics.since(started))")
    Terminal.clearProgress()
    if shown > Self.rejectsShown {
      Terminal.line(
        "\(name): \(shown - Self.rejectsShown) more rejects not shown"
          + (arguments.rejects.map { " (all are in \($0))" }
            ?? " (write them all with --rejects FILE)"))
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
      JSONText.object([
        "file": JSONText.string(summary.file),
        "sha256": JSONText.string(summary.sha256),
        "status": JSONText.string(summary.status.rawValue),
        "accepted": JSONText.number(summary.accepted),
        "rejected": JSONText.number(summary.rejected),
        "skipped": JSONText.number(summary.skipped),
        "recorded_at": JSONText.string(summary.recordedAt),
        "first_position": JSONText.number(summary.firstPosition),
        "last_position": JSONText.number(summary.lastPosition),
        "message": JSONText.string(summary.message),
      ])
    }
    return "{\"batches\":[" + batches.joined(separator: ",") + "]}"
  }
}
