import ArgumentParser
import EventLog
import LibraryDomain
import Reports

extension Shelflog {
  /// The audit trail: the events as logged, in position order.
  struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the audit trail: every logged event, in position order.",
      discussion: """
        --since and --until bound occurred_at (inclusive; a bare date means the end of that \
        day in UTC). jsonl prints every field of docs/log-format.md, hash included, one event a line. \
        --follow keeps printing, as JSON lines, the events of each batch as it commits, until \
        interrupted; with --after N it starts after position N.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case table, jsonl
    }

    @OptionGroup var log: LogOptions

    @Option(help: "Only events of this ISBN (ISBN-10 or ISBN-13).")
    var isbn: String?

    @Option(help: "Only events of this user.")
    var user: String?

    @Option(
      help: ArgumentHelp("Only events that occurred at or after this time.", valueName: "time"))
    var since: String?

    @Option(
      help: ArgumentHelp("Only events that occurred at or before this time.", valueName: "time"))
    var until: String?

    @Option(help: "table or jsonl.")
    var format: Format = .table

    @Option(help: ArgumentHelp("Only events after this position.", valueName: "position"))
    var after: Int64?

    @Flag(help: "Keep printing events as batches commit (JSON lines), until interrupted.")
    var follow = false

    @OptionGroup var table: TableOptions

    func validate() throws {
      if let after, after < 0 { throw ValidationError("--after takes a position, 0 or more") }
      if let isbn, ISBN(isbn) == nil { throw ValidationError("--isbn \(isbn) is not a valid ISBN") }
      for (name, value) in [("--since", since), ("--until", until)] {
        if let value, Timestamp(cut: value) == nil {
          throw ValidationError("\(name) \(value) is not a time (2024-03-01T09:30:00Z) or a date")
        }
      }
    }

    func run() throws {
      let filter = EventFilter(
        isbn: isbn.flatMap { ISBN($0) }, userID: user, since: since.flatMap { Timestamp(cut: $0) },
        until: until.flatMap { Timestamp(cut: $0) }, after: after)
      let output = Output()
      var stream = StandardOutput(output: output)
      let store = try log.open(.read)
      do {
        if follow { try Self.follow(store, filter, output) }
        guard format == .table else {
          try store.events(matching: filter) { output.line(Self.jsonLine($0)) }
          output.flush()
          return
        }
        var rows = TerminalTable(
          columns: ["position", "occurred_at", "type", "isbn", "user_id", "qty", "title"],
          layout: table.layout, to: &stream)
        try store.events(matching: filter) { event in
          rows.row(
            [
              String(event.position), event.occurredAt, event.type, event.isbn, event.userID,
              event.quantity.map(String.init) ?? "", event.title,
            ], to: &stream)
        }
        rows.end(to: &stream)
      } catch let error as EventLogError {
        throw Failure(error)
      }
      output.flush()
    }

    /// Prints each committed batch's events as JSON lines, forever. Each round reads the log's
    /// end, then the events up to it: positions are gap-free and a batch commits whole, so no
    /// event is printed twice or skipped. The watch is made before the first read, so a commit
    /// during a read wakes the next wait.
    private static func follow(_ store: any EventStore, _ filter: EventFilter, _ output: Output)
      throws -> Never
    {
      let watch = store.watchChanges()
      var filter = filter
      var last = filter.after ?? 0
      while true {
        let end = try store.lastPosition()
        if end > last {
          filter.after = last
          filter.through = end
          try store.events(matching: filter) { output.line(Self.jsonLine($0)) }
          output.flush()
          last = end
        }
        watch.wait(timeout: 5)
      }
    }

    static func jsonLine(_ event: StoredEvent) -> String {
      JSONText.object([
        "position": JSONText.number(event.position),
        "type": JSONText.string(event.type),
        "command_id": JSONText.string(event.commandID),
        "isbn": JSONText.string(event.isbn),
        "title": JSONText.string(event.title),
        "author": JSONText.string(event.author),
        "quantity": JSONText.number(event.quantity),
        "user_id": JSONText.string(event.userID),
        "occurred_at": JSONText.string(event.occurredAt),
        "recorded_at": JSONText.string(event.recordedAt),
        "batch": JSONText.string(event.batch),
        "hash": JSONText.string(event.hash),
      ])
    }
  }
}
