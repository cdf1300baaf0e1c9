import LibraryDomain

/// An append target that appends nothing: it answers an import as the log would (already
/// imported batches, command ids logged, positions taken, the latest recorded time), from the
/// log read as it is and from what the run's earlier batches would have added. So `import
/// --dry-run` validates exactly as `import` and prints what it would print, while the log (or
/// the lack of one) stays as it is.
///
/// Of each row it pretends to append with a command id it keeps a fingerprint (32 bytes), so
/// its memory grows with a batch's command ids, unlike a real import's.
public final class DryRun: AppendTarget {
  private let store: (any EventStore)?
  private var imported: Set<String>
  private var latest: Timestamp?
  private var position: Int64
  /// Keys of the rows the run pretended to append, with their positions and fingerprints.
  private var appended: [Int64: [(position: Int64, fingerprint: CommandFingerprint)]] = [:]

  /// A dry run against `store` as it is now; nil for a log that does not exist yet.
  public init(store: (any EventStore)?) throws(EventLogError) {
    self.store = store
    let batches = try store?.batches() ?? []
    imported = Set(batches.map(\.sha256))
    latest = batches.map(\.recordedMicroseconds).max().map(Timestamp.init(microseconds:))
    position = batches.compactMap(\.lastPosition).max() ?? 0
  }

  public func hasBatch(sha256: String) throws(EventLogError) -> Bool {
    imported.contains(sha256)
  }

  public func appendTransaction<Result>(
    _ body: (any BatchWriter) throws -> (Result, commit: Bool)
  ) throws -> Result {
    let writer = Writer(run: self)
    let (result, commit) = try body(writer)
    if commit { writer.keep() }
    return result
  }

  /// One batch of a dry run: what it would append stays in the writer until the batch would
  /// have been committed.
  private final class Writer: BatchWriter {
    let run: DryRun
    var sha256 = ""
    var recordedAt: Timestamp?
    var position: Int64
    var first: Int64?
    var appended: [Int64: [(position: Int64, fingerprint: CommandFingerprint)]] = [:]

    init(run: DryRun) {
      self.run = run
      position = run.position
    }

    func isImported(sha256: String) throws -> Bool { run.imported.contains(sha256) }

    func latestRecordedAt() throws -> Timestamp? { run.latest }

    func begin(sha256: String, recordedAt: Timestamp) throws {
      self.sha256 = sha256
      self.recordedAt = recordedAt
    }

    func append(_ block: inout AppendBlock) throws {
      let keyed = CommandIDRule.keyedRows(block)
      var logged: [(key: Int64, event: LoggedEntry)] = []
      if let store = run.store {
        logged = try store.loggedCommands(keys: keyed.map(\.key)).map {
          (key: $0.key, event: LoggedEntry.command($0.event))
        }
      }
      for (index, entry) in keyed.enumerated() where index == 0 || entry.key != keyed[index - 1].key
      {
        for earlier in (run.appended[entry.key] ?? []) + (appended[entry.key] ?? []) {
          logged.append((entry.key, .fingerprint(position: earlier.position, earlier.fingerprint)))
        }
      }
      logged.sort { $0.key != $1.key ? $0.key < $1.key : $0.event.position < $1.event.position }
      let decisions = CommandIDRule.decide(block, keyed: keyed, logged: logged)
      CommandIDRule.outcomes(decisions, into: &block) { _ in
        position += 1
        if first == nil { first = position }
        return position
      }
      for entry in keyed {
        let row = Int(entry.row)
        guard case .appended(let at) = block.outcomes[row] else { continue }
        appended[entry.key, default: []].append(
          (
            at,
            CommandFingerprint(
              commandID: block.commandID(row), content: CommandIDRule.content(block, row))
          ))
      }
    }

    func finish(_ batch: BatchRecord) throws -> (first: Int64, last: Int64)? {
      first.map { ($0, position) }
    }

    /// The batch would have been committed: later batches of the run see it.
    func keep() {
      run.imported.insert(sha256)
      if let recordedAt { run.latest = max(run.latest ?? recordedAt, recordedAt) }
      run.position = position
      run.appended.merge(appended) { $0 + $1 }
    }
  }
}
