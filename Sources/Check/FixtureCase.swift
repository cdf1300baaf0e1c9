import EventLog
import Foundation
import LibraryDomain

/// A fixture case folder (docs/check.md): `batches/*.csv` imported in name order, batch i
/// recorded at line i+1 of `recorded_at` or at 2000-01-01T00:00:00Z plus i seconds, and
/// `expected/<T>/` or `expected/<T>@<K>/` holding the reports and assertions expected there.
public struct FixtureCase: Sendable {
  public let folder: String
  /// Batch files in import order, with their recorded times.
  public let batches: [(path: String, recordedAt: Timestamp)]
  public let cuts: [ExpectedCut]
  /// The case's policy: `policy.json` in the folder, else the defaults.
  public let policyFile: String?

  /// One `expected/` folder: its name, the cut it stands for, its path.
  public struct ExpectedCut: Sendable {
    public let name: String
    public let cut: ReplayCut
    public let folder: String
  }

  /// Reads a case folder; `requireExpected` is false for `audit`, which only imports.
  public init(folder: String, requireExpected: Bool = true) throws(CheckError) {
    self.folder = folder
    let files = FileManager.default
    let batchFolder = "\(folder)/batches"
    guard let names = try? files.contentsOfDirectory(atPath: batchFolder) else {
      throw .badCase("\(folder): no batches/ folder (docs/check.md)")
    }
    let paths = names.filter { $0.hasSuffix(".csv") }
      .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { "\(batchFolder)/\($0)" }
    let times = try Self.recordedTimes(of: folder, count: paths.count)
    batches = Array(zip(paths, times)).map { (path: $0, recordedAt: $1) }
    let policy = "\(folder)/policy.json"
    policyFile = files.fileExists(atPath: policy) ? policy : nil
    let expected = "\(folder)/expected"
    let cutNames = (try? files.contentsOfDirectory(atPath: expected)) ?? []
    if requireExpected && cutNames.isEmpty {
      throw .badCase("\(folder): no expected/<T>/ folders to check")
    }
    cuts = try cutNames.sorted().map { name throws(CheckError) in
      guard let cut = ReplayCut(notation: name) else {
        throw .badCase(
          "\(expected)/\(name): the folder name must be <T> or <T>@<K> (times or dates)")
      }
      return ExpectedCut(
        name: name,
        cut: cut,
        folder: "\(expected)/\(name)")
    }
  }

  /// Whether a folder is laid out as a case (it has `batches/`).
  public static func isCase(_ folder: String) -> Bool {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: "\(folder)/batches", isDirectory: &isFolder)
      && isFolder.boolValue
  }

  /// docs/check.md: line i+1 of `recorded_at`, or 2000-01-01T00:00:00Z plus i seconds.
  static func recordedTimes(of folder: String, count: Int) throws(CheckError) -> [Timestamp] {
    let file = "\(folder)/recorded_at"
    guard FileManager.default.fileExists(atPath: file) else {
      let base: Int64 = 946_684_800_000_000
      return (0..<count).map { Timestamp(microseconds: base + Int64($0) * 1_000_000) }
    }
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
      throw .badCase("\(file): cannot read")
    }
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    var times: [Timestamp] = []
    for (index, line) in lines.enumerated() where times.count < count {
      let trimmed = line.trimmingWhitespace()
      if trimmed.isEmpty { continue }
      guard let time = Timestamp(rfc3339: trimmed) else {
        throw .badCase("\(file):\(index + 1): \(trimmed) is not an RFC 3339 time")
      }
      times.append(time)
    }
    guard times.count == count else {
      throw .badCase("\(file): \(times.count) times for \(count) batches")
    }
    return times
  }
}
