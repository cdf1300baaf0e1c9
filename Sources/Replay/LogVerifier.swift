import EventLog
import LibraryDomain
import Plumbing

/// `shelflog verify` over any store: re-computes the hash chain from the stored fields, checks
/// every stored field against it and against docs/log-format.md, checks that the batches table and
/// the log agree, and runs the store's own check of its storage beside the walk.
public enum LogVerifier {
  /// A log of this many events or more is walked in two halves at once.
  public static let splitFrom: Int64 = 1 << 18

  /// Verifies the log. A log of `splitFrom` events or more is walked in two halves at once: the
  /// second walker starts from the stored hash of the middle event, which the first walker
  /// recomputes and compares, so the chain is still checked link by link. The storage check
  /// runs on a third thread; `thorough` asks the store for its full check.
  public static func verify(
    _ store: any EventStore, thorough: Bool = false, splitFrom: Int64 = splitFrom,
    progress: (Int64) -> Void = { _ in }
  ) throws(EventLogError) -> VerifyReport {
    let storage = Background { try store.checkStorage(thorough: thorough) }
    var report = VerifyReport()
    do {
      let walked = try walk(store, splitFrom: splitFrom, progress: progress)
      report = walked.report
      let check = try storage.result()
      if !check.problems.isEmpty {
        // A damaged file explains whatever else was found: it is reported first.
        report.fault = VerifyFault(
          position: nil,
          message: "\(check.checkName): \(check.problems.prefix(3).joined(separator: "; "))")
      } else if report.fault == nil, let index = check.indexFault {
        report.fault = VerifyFault(position: nil, message: index)
      } else if report.fault == nil, let keys = check.commandKeys, keys != walked.keyed {
        // One key per event with a command id: a missing key would let a re-import log the
        // command twice.
        report.fault = VerifyFault(
          position: nil,
          message: "command_keys holds \(keys) keys for \(walked.keyed) events with a command id")
      }
    } catch let error as EventLogError {
      _ = try? storage.result()
      throw error
    } catch {
      _ = try? storage.result()
      throw .database(path: store.name, detail: String(describing: error))
    }
    return report
  }

  /// The chain walk, in one or two halves, and the batches table checked against it.
  private static func walk(
    _ store: any EventStore, splitFrom: Int64, progress: (Int64) -> Void
  ) throws -> Walked {
    let layout = try store.chainLayout(splitFrom: splitFrom)
    var walked = Walked()
    walked.report.batches = layout.batches.count
    let known = Set(layout.batches.keys)
    var second: Background<(ChainWalk, VerifyFault?)>?
    var middle = layout.end
    if let link = layout.middle {
      middle = link.position
      let walk = ChainWalk(
        knownBatches: known, after: link.position, head: link.hash,
        recorded: link.recordedMicroseconds)
      let end = layout.end
      second = Background {
        let fault = try store.walkChain(walk, through: end, progress: { _ in })
        walk.finish()
        return (walk, fault)
      }
    }
    let walk = ChainWalk(knownBatches: known)
    let share: Int64 = second == nil ? 1 : 2
    if let fault = try store.walkChain(walk, through: middle, progress: { progress($0 * share) }) {
      _ = try? second?.result()
      walked.report.fault = fault
      return walked
    }
    walk.finish()
    if let second {
      let (other, fault) = try second.result()
      if let fault {
        walked.report.fault = fault
        return walked
      }
      walk.merge(other)
    }
    walked.report.events = walk.events
    walked.report.head = walk.events > 0 ? walk.chain.headHex : nil
    walked.keyed = walk.keyed
    for (sha, want) in layout.batches.sorted(by: { $0.key < $1.key }) {
      let got = walk.seen[sha]
      if (got?.count ?? 0) != want.count || got?.first != want.first || got?.last != want.last {
        walked.report.fault = VerifyFault(
          position: want.first ?? got?.first,
          message: "batch \(sha) should hold \(want.count) events at positions"
            + " \(want.first.map(String.init) ?? "-")...\(want.last.map(String.init) ?? "-"),"
            + " the log holds \(got?.count ?? 0)")
        return walked
      }
    }
    return walked
  }

  /// A walk's report and its count of events with a command id.
  private struct Walked {
    var report = VerifyReport()
    var keyed: Int64 = 0
  }
}
