import EventLog
import Foundation
import Importer
import Ingest
import LibraryDomain
import Replay
import Reports

/// What checking one case found.
public struct CaseReport: Sendable {
  /// Every difference, in the order found.
  public var differences: [Difference] = []
  /// The expected cuts checked (`T` or `T@K`, their folder names), each with its differences.
  public var cuts: [(name: String, differences: [Difference])] = []
  /// Files rewritten by `--update`.
  public var updated: [String] = []
  /// How many report files and assertions were compared.
  public var reportsCompared = 0
  public var assertionsChecked = 0
}

/// Checks a fixture case: imports its batches into a temporary log, replays at every expected
/// cut, and compares the JSON reports and assertions found there.
public struct CaseChecker {
  public let fixture: FixtureCase
  public let update: Bool

  public init(fixture: FixtureCase, update: Bool) {
    self.fixture = fixture
    self.update = update
  }

  public func run() throws(CheckError) -> CaseReport {
    let scratch = FileManager.default.temporaryDirectory
      .appendingPathComponent("shelflog-check-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: scratch) }
    do {
      try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    } catch {
      throw .badCase("cannot create a temporary folder: \(error.localizedDescription)")
    }
    let store = try importBatches(into: scratch.appendingPathComponent("log.sqlite").path)
    var policy = ReplayPolicy.standard
    if let file = fixture.policyFile {
      do {
        policy = try PolicyFile(path: file).applied(to: policy)
      } catch {
        throw .badCase(error.message)
      }
    }
    var report = CaseReport()
    for expected in fixture.cuts {
      let projection: Projection
      do {
        projection = try Replayer.replay(
          store, cut: expected.cut, policy: policy, activity: ActivityOptions())
      } catch {
        throw .badCase("\(expected.folder): replay failed: \(error.message)")
      }
      let before = report.differences.count
      try compareReports(projection, in: expected.folder, into: &report)
      try checkAssertions(projection, in: expected.folder, into: &report)
      report.cuts.append((expected.name, Array(report.differences[before...])))
    }
    return report
  }

  private func importBatches(into path: String) throws(CheckError) -> SQLiteEventStore {
    do {
      let store = try SQLiteEventStore(path: path, access: .write, wait: 5)
      for batch in fixture.batches {
        let descriptor = open(batch.path, O_RDONLY)
        guard descriptor >= 0 else { throw CheckError.badCase("\(batch.path): cannot open") }
        defer { close(descriptor) }
        let sha = try BatchDigest.sha256(fileDescriptor: descriptor)
        lseek(descriptor, 0, SEEK_SET)
        var firstReject: Reject?
        let observer = ImportObserver(
          reject: { firstReject = firstReject ?? $0 }, warning: { _ in }, progress: { _ in })
        let summary = try Importer.importBatch(
          FileDescriptorSource(fileDescriptor: descriptor), file: batch.path, sha256: sha,
          into: store, options: ImportOptions(recordedAt: batch.recordedAt, now: batch.recordedAt),
          observer: observer)
        if let reject = firstReject {
          throw CheckError.badCase(
            "\(batch.path):\(reject.line):\(reject.column.map(String.init) ?? "-"):"
              + " \(reject.code.rawValue): \(reject.message) (\(summary.rejected) rows rejected)")
        }
      }
      return store
    } catch let error as CheckError {
      throw error
    } catch let error as EventLogError {
      throw .badCase("\(fixture.folder): \(error.message)")
    } catch let error as IngestError {
      throw .badCase("\(fixture.folder): \(error.message)")
    } catch let error as ImportError {
      throw .badCase("\(fixture.folder): \(error.message)")
    } catch {
      throw .badCase("\(fixture.folder): \(error)")
    }
  }

  /// Compares every JSON report present in the folder (all four are written by `--update` when
  /// the folder has neither reports nor assertions).
  private func compareReports(
    _ projection: Projection, in folder: String, into report: inout CaseReport
  ) throws(CheckError) {
    let writer = ReportWriter(projection: projection)
    let present = ReportName.allCases.filter {
      FileManager.default.fileExists(atPath: "\(folder)/\($0.rawValue).json")
    }
    let bare =
      present.isEmpty && !FileManager.default.fileExists(atPath: "\(folder)/assertions.txt")
    for name in bare && update ? ReportName.allCases : present {
      let file = "\(folder)/\(name.rawValue).json"
      var actual = ""
      writer.write(name, as: .json, to: &actual)
      let expected = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
      report.reportsCompared += 1
      if update {
        if expected != actual { try write(actual, to: file, into: &report) }
        continue
      }
      var diff = ReportDiff(file: file, report: name.rawValue)
      diff.compare(expected: expected, actual: actual)
      report.differences += diff.differences
    }
    if bare && !update {
      report.differences.append(
        Difference(
          file: folder, line: nil, place: "expected reports",
          expected: "JSON reports or assertions.txt",
          actual: "an empty folder (fill it with --update)"))
    }
  }

  private func checkAssertions(
    _ projection: Projection, in folder: String, into report: inout CaseReport
  ) throws(CheckError) {
    let file = "\(folder)/assertions.txt"
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var changed = false
    for (index, line) in lines.enumerated() {
      let assertion: Assertion?
      do {
        assertion = try Assertion.parse(Substring(line), line: index + 1)
      } catch {
        if case .malformed(let line, let reason) = error {
          throw .badCase("\(file):\(line): \(reason)")
        }
        throw error
      }
      guard let assertion else { continue }
      report.assertionsChecked += 1
      let actual = assertion.actual(in: projection)
      guard actual != assertion.expected else { continue }
      if update {
        lines[index] = assertion.rewritten(line, actual: actual)
        changed = true
      } else {
        report.differences.append(
          Difference(
            file: file, line: index + 1, place: assertion.name, expected: assertion.expected,
            actual: actual))
      }
    }
    if changed { try write(lines.joined(separator: "\n"), to: file, into: &report) }
  }

  private func write(_ text: String, to file: String, into report: inout CaseReport)
    throws(CheckError)
  {
    do {
      try text.write(toFile: file, atomically: true, encoding: .utf8)
    } catch {
      throw .badCase("\(file): cannot write: \(error.localizedDescription)")
    }
    report.updated.append(file)
  }
}

extension Assertion {
  /// The line with its value replaced, its comment kept.
  func rewritten(_ line: String, actual: String) -> String {
    let parts = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    let comment = parts.count > 1 ? "  #" + parts[1] : ""
    return "\(name) = \(actual)\(comment)"
  }
}
