import Crypto
import EventLog
import Foundation
import LibraryDomain
import Replay
import Reports

/// What `shelflog reproduce` found: the problems (empty when every file reproduced), and what
/// was reproduced.
public struct Reproduction: Sendable {
  public var problems: [String] = []
  public var files = 0
  public var position: Int64 = 0
  public var head: String?
}

/// Re-makes reports from their manifest and compares them byte for byte (docs/reports.md):
/// the log pinned at the manifest's head position (later events are left out), its chain
/// recomputed from the first event to there, the cut and policy replayed, every listed file
/// written again.
public enum Reproducer {
  public static func reproduce(
    _ store: any EventStore, folder: String, manifest: Manifest
  ) throws(ReplayError) -> Reproduction {
    var result = Reproduction()
    let position = manifest.logHead?.position ?? 0
    result.position = position
    result.head = manifest.logHead?.hash
    do {
      let end = try store.lastPosition()
      if position > end {
        result.problems.append("the log has no event \(position): it ends at position \(end)")
        return result
      }
      if let head = manifest.logHead, let problem = try chainProblem(store, through: head) {
        result.problems.append(problem)
        return result
      }
    } catch {
      throw .log(error)
    }
    let projection = try Replayer.replay(
      store, cut: manifest.cut, policy: manifest.policy,
      activity: ActivityOptions(every: manifest.activity.every, from: manifest.activity.from))
    for file in manifest.files {
      var text = ""
      ReportFiles.write(file.name, of: projection, to: &text)
      let path = "\(folder)/\(file.name)"
      guard let data = FileManager.default.contents(atPath: path) else {
        result.problems.append("\(file.name): missing")
        continue
      }
      let stored = String(decoding: data, as: UTF8.self)
      if stored != text {
        result.problems.append("\(file.name): differs" + difference(file.name, stored, text))
      } else if Hex.string(SHA256.hash(data: data)) != file.sha256 || data.count != file.bytes {
        result.problems.append(
          "\(file.name): reproduces, but the manifest gives it another size or SHA-256")
      } else {
        result.files += 1
      }
    }
    return result
  }

  /// Recomputes the chain from the first event through the manifest's head: a fault on the way
  /// or another last hash means the log was rewritten.
  private static func chainProblem(
    _ store: any EventStore, through head: LogHead
  ) throws(EventLogError) -> String? {
    let layout = try store.chainLayout(splitFrom: .max)
    let walk = ChainWalk(knownBatches: Set(layout.batches.keys))
    if let fault = try store.walkChain(walk, through: head.position, progress: { _ in }) {
      return "the log was rewritten: at position \(fault.position.map(String.init) ?? "-"),"
        + " \(fault.message)"
    }
    let computed = walk.chain.headHex
    guard computed == head.hash else {
      return "the log was rewritten: the chain through position \(head.position) ends in"
        + " \(computed), the manifest says \(head.hash)"
    }
    return nil
  }

  /// For a JSON report, the first field that differs.
  private static func difference(_ name: String, _ stored: String, _ made: String) -> String {
    guard name.hasSuffix(".json") else { return "" }
    var diff = ReportDiff(file: name, report: String(name.dropLast(5)))
    diff.compare(expected: stored, actual: made)
    guard let first = diff.differences.first else { return " (white space or key order)" }
    return ": \(first.place): the file has \(first.expected), the log gives \(first.actual)"
  }
}
