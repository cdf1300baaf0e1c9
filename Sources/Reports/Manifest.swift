import Foundation
import LibraryDomain

/// `manifest.json`, written beside the reports of `replay --out` and `audit --out`: the cut,
/// the policy, the log head the reports were made from, and each file's size and SHA-256, so
/// that anyone with the log can check later that the reports still reproduce
/// (`shelflog reproduce`). No wall-clock time: the same reports give the same manifest.
public struct Manifest: Sendable, Equatable {
  public struct File: Sendable, Equatable {
    public var name: String
    public var bytes: Int
    public var sha256: String

    public init(name: String, bytes: Int, sha256: String) {
      self.name = name
      self.bytes = bytes
      self.sha256 = sha256
    }
  }

  /// Why a manifest cannot be used (`reproduce` exits 65).
  public struct Invalid: Error, Sendable, Equatable {
    public var reason: String
  }

  public static let fileName = "manifest.json"

  public var shelflog: String
  public var cut: ReplayCut
  public var policy: ReplayPolicy
  public var activity: ActivityOptionsText
  /// The last event the reports knew; position 0 and no hash for an empty log.
  public var logHead: LogHead?
  /// Every file written beside the manifest, by name.
  public var files: [File]

  /// The activity report's options as the manifest keeps them.
  public struct ActivityOptionsText: Sendable, Equatable {
    public var every: PeriodLength
    public var from: Timestamp?

    public init(every: PeriodLength, from: Timestamp?) {
      self.every = every
      self.from = from
    }
  }

  public init(
    cut: ReplayCut, policy: ReplayPolicy, activity: ActivityOptionsText, logHead: LogHead?,
    files: [File], shelflog: String = ShelflogVersion.current
  ) {
    self.shelflog = shelflog
    self.cut = cut
    self.policy = policy
    self.activity = activity
    self.logHead = logHead
    self.files = files.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
  }

  /// The manifest's JSON: keys in this order, files by name.
  public var json: String {
    let head = JSONText.object([
      "position": JSONText.number(logHead?.position ?? 0),
      "hash": JSONText.string(logHead?.hash),
    ])
    let files = self.files.map { file in
      "    "
        + JSONText.object([
          "name": JSONText.string(file.name), "bytes": JSONText.number(file.bytes),
          "sha256": JSONText.string(file.sha256),
        ])
    }
    return """
      {
        "shelflog": \(JSONText.string(shelflog)),
        "at": \(JSONText.string(cut.at.description)),
        "known_at": \(JSONText.string(cut.knownAt?.description)),
        "policy": \(JSONText.object(["loan_days": JSONText.number(policy.loanDays), "max_loans": JSONText.number(policy.maxLoans)])),
        "every": \(JSONText.string(activity.every.rawValue)),
        "from": \(JSONText.string(activity.from?.description)),
        "log_head": \(head),
        "files": [\(files.isEmpty ? "" : "\n" + files.joined(separator: ",\n") + "\n  ")]
      }

      """
  }

  /// Reads a manifest, refusing one that does not parse, lacks a field, names a file outside
  /// its folder or one shelflog does not write, or was written by a newer shelflog.
  public init(json data: Data) throws(Invalid) {
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw Invalid(reason: "not a JSON object")
    }
    func text(_ key: String, in object: [String: Any] = object) throws(Invalid) -> String {
      guard let value = object[key] as? String else { throw Invalid(reason: "no text \"\(key)\"") }
      return value
    }
    func number(_ key: String, in object: [String: Any]) throws(Invalid) -> Int {
      guard let value = object[key] as? Int, value >= 0 else {
        throw Invalid(reason: "no whole number \"\(key)\"")
      }
      return value
    }
    func time(_ key: String) throws(Invalid) -> Timestamp? {
      if object[key] is NSNull { return nil }
      guard let text = object[key] as? String, let time = Timestamp(rfc3339: text) else {
        throw Invalid(reason: "\"\(key)\" is not a time or null")
      }
      return time
    }
    shelflog = try text("shelflog")
    guard let version = Self.version(shelflog), let ours = Self.version(ShelflogVersion.current)
    else { throw Invalid(reason: "\"shelflog\" \(shelflog) is not a version") }
    if version.lexicographicallyPrecedes(ours) == false && version != ours {
      throw Invalid(
        reason: "written by shelflog \(shelflog), newer than this one (\(ShelflogVersion.current))")
    }
    guard let at = try time("at") else { throw Invalid(reason: "\"at\" is null") }
    let head = object["log_head"] as? [String: Any]
    let position = try number("position", in: head ?? [:])
    cut = ReplayCut(at: at, knownAt: try time("known_at"), through: Int64(position))
    let policy = object["policy"] as? [String: Any] ?? [:]
    self.policy = ReplayPolicy(
      loanDays: try number("loan_days", in: policy), maxLoans: try number("max_loans", in: policy))
    guard let every = PeriodLength(rawValue: try text("every")) else {
      throw Invalid(reason: "\"every\" is not day, week or month")
    }
    activity = ActivityOptionsText(
      every: every, from: object["from"] == nil ? nil : try time("from"))
    if position > 0 {
      let hash = try text("hash", in: head ?? [:])
      logHead = LogHead(position: Int64(position), hash: hash)
    }
    guard let files = object["files"] as? [[String: Any]] else {
      throw Invalid(reason: "no list \"files\"")
    }
    self.files = try files.map { file throws(Invalid) in
      let name = try text("name", in: file)
      guard ReportFiles.all.contains(name) else {
        throw Invalid(
          reason: name.contains("/") || name.hasPrefix(".")
            ? "names \(name), outside its folder" : "names \(name), not a file shelflog writes")
      }
      return File(
        name: name, bytes: try number("bytes", in: file), sha256: try text("sha256", in: file))
    }
  }

  private static func version(_ text: String) -> [Int]? {
    let parts = text.split(separator: ".").map { Int($0) }
    guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else { return nil }
    return parts.compactMap { $0 }
  }
}
