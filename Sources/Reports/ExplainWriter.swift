import EventLog
import LibraryDomain
import Replay

/// Writes an explanation (`shelflog explain`) as JSON, Markdown or a terminal table. Keys and
/// columns follow docs/reports.md; the same explanation gives the same bytes.
public struct ExplainWriter: DocumentWriter {
  let explanation: Explanation
  let layout: TerminalLayout

  public init(_ explanation: Explanation, layout: TerminalLayout = TerminalLayout()) {
    self.explanation = explanation
    self.layout = layout
  }

  /// Writes it in `json`, `md` or `table` (any other format is not written).
  public func write(as format: ReportFormat, to out: inout some TextOutputStream) {
    writeDocument(as: format, to: &out)
  }

  private var subjectKey: (String, String) {
    switch explanation.subject {
    case .book(let isbn): ("isbn", isbn.digits)
    case .user(let user): ("user_id", user)
    }
  }

  // MARK: - JSON

  func writeJSON(to out: inout some TextOutputStream) {
    let cut = explanation.cut
    out.write("{\n")
    out.write("  \"at\": \(JSONText.string(cut.at.description)),\n")
    out.write("  \"known_at\": \(JSONText.string(cut.knownAt?.description)),\n")
    out.write("  \(JSONText.string(subjectKey.0)): \(JSONText.string(subjectKey.1)),\n")
    writeList("events", explanation.events.map { JSONText.object(eventPairs($0)) }, to: &out)
    out.write(",\n")
    writeList(
      "excluded", explanation.excluded.map { JSONText.object(excludedPairs($0.event, $0.reason)) },
      to: &out)
    out.write("\n}\n")
  }

  private func writeList(_ key: String, _ items: [String], to out: inout some TextOutputStream) {
    out.write("  \(JSONText.string(key)): [")
    out.write(items.isEmpty ? "]" : "\n    " + items.joined(separator: ",\n    ") + "\n  ]")
  }

  private func eventPairs(_ item: ExplainedEvent) -> [(String, Cell)] {
    let event = item.event
    var pairs: [(String, Cell)] = [
      ("position", .number(Int(event.position))), ("occurred_at", .text(event.occurredAt)),
      ("recorded_at", .text(event.recordedAt)), ("type", .text(event.type)),
    ]
    switch explanation.subject {
    case .book:
      pairs += [
        ("user_id", event.userID.isEmpty ? .null : .text(event.userID)),
        ("quantity", event.quantity.map { .number(Int($0)) } ?? .null),
      ]
    case .user:
      pairs.append(("isbn", .text(event.isbn)))
    }
    pairs += [
      ("command_id", event.commandID.isEmpty ? .null : .text(event.commandID)),
      ("batch", .text(event.batch)), ("hash", .text(event.hash)),
      (
        "anomalies",
        .raw(
          "[" + item.anomalies.map { JSONText.string($0.rawValue) }.joined(separator: ", ") + "]")
      ),
    ]
    switch explanation.subject {
    case .book:
      pairs.append(("after", item.book.map { .raw(JSONText.object(Self.bookPairs($0))) } ?? .null))
    case .user:
      pairs.append(("open_loans", .number(item.openLoans)))
    }
    return pairs
  }

  static func bookPairs(_ book: Book) -> [(String, Cell)] {
    [
      ("total", .number(book.total)), ("on_loan", .number(book.onLoan)),
      ("available", .number(book.available)), ("status", .text(book.status.rawValue)),
    ]
  }

  private func excludedPairs(_ event: StoredEvent, _ reason: ExclusionReason) -> [(String, Cell)] {
    [
      ("position", .number(Int(event.position))), ("occurred_at", .text(event.occurredAt)),
      ("recorded_at", .text(event.recordedAt)), ("type", .text(event.type)),
      ("reason", .text(reason.rawValue)),
    ]
  }

  // MARK: - Tables

  func writeTables(style: TableStyle, to out: inout some TextOutputStream) {
    let known = explanation.cut.knownAt.map { ", as known at \($0)" } ?? ""
    let subject =
      switch explanation.subject {
      case .book(let isbn): "book \(isbn.digits)"
      case .user(let user): "user \(user)"
      }
    var events = TableWriter(style: style, title: "\(subject) at \(explanation.cut.at)\(known)")
    events.layout = layout
    var columns = ["position", "occurred_at", "recorded_at", "type"]
    switch explanation.subject {
    case .book:
      columns += ["user_id", "qty", "anomalies", "total", "on_loan", "available", "status"]
    case .user: columns += ["isbn", "anomalies", "open_loans"]
    }
    events.begin(columns + ["batch", "hash"], to: &out)
    for item in explanation.events {
      let event = item.event
      var cells: [Cell] = [
        .number(Int(event.position)), .text(event.occurredAt), .text(event.recordedAt),
        .text(event.type),
      ]
      let anomalies = Cell.text(item.anomalies.map(\.rawValue).joined(separator: " "))
      switch explanation.subject {
      case .book:
        cells += [
          event.userID.isEmpty ? .null : .text(event.userID),
          event.quantity.map { .number(Int($0)) } ?? .null, anomalies,
        ]
        cells += item.book.map { Self.bookPairs($0).map(\.1) } ?? [.null, .null, .null, .null]
      case .user:
        cells += [.text(event.isbn), anomalies, .number(item.openLoans)]
      }
      cells += [.text(String(event.batch.prefix(12))), .text(String(event.hash.prefix(12)))]
      events.row(cells, to: &out)
    }
    events.end(to: &out)
    out.write("\n")
    var excluded = TableWriter(style: style, title: "left out by the cut")
    excluded.layout = layout
    excluded.begin(["position", "occurred_at", "recorded_at", "type", "reason"], to: &out)
    for (event, reason) in explanation.excluded {
      excluded.row(excludedPairs(event, reason).map(\.1), to: &out)
    }
    excluded.end(to: &out)
  }
}
