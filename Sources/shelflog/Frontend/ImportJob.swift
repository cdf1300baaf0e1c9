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
    let target: any AppendTarget
    if arguments.dryRun {
      let existing = try log.openExisting()
      do {
        target = try DryRun(store: existing)
      } catch {
        throw Failure(error)
      }
    } else {
      target = try log.open(.write, wait: arguments.wait)
    }
    var summaries: [BatchSummary] = []
    var status: Int32 = 0
    for (batch, recordedAt) in batches {
      let sha = try batch.sha256()
      var summary: BatchSummary
      do {
        summary = try importOne(
          batch, sha256: sha, recordedAt: recordedAt, into: target, rejectsFile: rejectsFile)
      } catch let failure as Failure {
        // A batch refused whole is a data error for that batch; the others still go in.
        if failure.code != Failure.dataError { throw failure }
        Terminal.error(failure.message)
        summary = BatchSummary(file: batch.name, sha256: sha, status: .refused)
        summary.message = failure.message
      }
      summaries.append(summary)
      if summary.rejected > 0 || summary.status == .refused { status = Failure.dataError }
      if !arguments.json {
        print(Self.line(summary))
        if let tally = Self.rejectsLine(summary) { print(tally) }
      }
    }
    try rejectsFile?.close()
    if arguments.json { print(Self.json(summaries)) }
    if arguments.dryRun {
      let line = "dry run: nothing was appended to \(log.name)"
      // With --json, standard output stays the JSON an import prints.
      if arguments.json { Terminal.line(line) } else { print(line) }
    }
    return status
  }

  private func importOne(
    _ batch: BatchFile, sha256 sha: String, recordedAt: Timestamp?, into target: any AppendTarget,
    rejectsFile: RejectsFile?
  ) throws -> BatchSummary {
    do {
      if try target.hasBatch(sha256: sha) {
        return BatchSummary(file: batch.name, sha256: sha, status: .alreadyImported)
      }
    } catch {
      throw Failure(error)
    }
    let name = batch.name
    let size = batch.size
    var shown = 0
    var options = ImportOptions(clock: { .now() })
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
        into: target, options: options, observer: observer)
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
}
