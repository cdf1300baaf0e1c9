import LibraryDomain
import Replay

/// How much of a report's list a copy may hold: the HTML page embeds each report whole up to a
/// number of bytes of list items (at least one item), and says how many it left out.
struct ListBudget {
  /// Bytes of list items; nil for no limit.
  let limit: Int?
  private(set) var used = 0
  /// Items written.
  private(set) var items = 0

  /// Whether no more item may be written.
  var isSpent: Bool { limit.map { used >= $0 } ?? false }

  mutating func spend(_ bytes: Int) {
    used += bytes
    items += 1
  }

  static var unlimited: ListBudget { ListBudget(limit: nil) }
}

/// Thrown inside a list's iteration to end it once the budget is spent.
private struct BudgetSpent: Error {}

extension ReportWriter {
  func writeJSON(_ name: ReportName, to out: inout some TextOutputStream) {
    var budget = ListBudget.unlimited
    writeJSON(name, to: &out, budget: &budget)
  }

  /// Writes a JSON report, its list cut where `budget` is spent.
  func writeJSON(
    _ name: ReportName, to out: inout some TextOutputStream, budget: inout ListBudget
  ) {
    out.write("{\n")
    out.write("  \"at\": \(JSONText.string(rows.at)),\n")
    out.write("  \"known_at\": \(Cell.optional(rows.knownAt).json),\n")
    switch name {
    case .summary:
      for (key, value) in rows.summary.dropFirst(2) {
        out.write("  \(JSONText.string(key)): \(value.json),\n")
      }
      out.write("  \"anomalies\": \(JSONText.object(rows.anomalyCounts)),\n")
      out.write("  \"log_head\": \(rows.logHead.json)\n")
    case .inventory:
      writeList("books", to: &out, budget: &budget) { item in
        rows.forEachBook { item(JSONText.object(Array(zip(ReportRows.inventoryColumns, $0)))) }
      }
    case .loans where rows.filter.userID == nil:
      writeLoansJSON(to: &out, budget: &budget)
    case .loans:
      writeList("users", to: &out, budget: &budget) { item in
        rows.forEachUser { user, loans in
          let lines = loans.map {
            "      " + JSONText.object(Array(zip(ReportRows.loanColumns, $0.cells)))
          }
          item(
            "{\"user_id\": \(JSONText.string(user)), \"loans\": [\n"
              + lines.joined(separator: ",\n") + "\n    ]}")
        }
      }
    case .anomalies:
      writeAnomaliesJSON(to: &out, budget: &budget)
    case .activity:
      out.write("  \"every\": \(JSONText.string(rows.activity.every.rawValue)),\n")
      writeList("periods", to: &out, budget: &budget) { item in
        rows.forEachPeriod { cells, anomalies in
          let pairs = Array(zip(ReportRows.activityColumns, cells))
          let head = JSONText.object(pairs)
          item(head.dropLast() + ", \"anomalies\": \(JSONText.object(anomalies))}")
        }
      }
    }
    out.write("}\n")
  }

  /// `anomalies.json`'s list as `writeList` would write it from `ReportRows.forEachAnomaly`'s
  /// cells, in bytes.
  private func writeAnomaliesJSON(
    to out: inout some TextOutputStream, budget: inout ListBudget
  ) {
    let filter = rows.filter
    var text = JSONBytes()
    var first = true
    out.write("  \"anomalies\": [")
    try? rows.projection.forEachAnomaly { anomaly in
      guard filter.admits(isbn: anomaly.isbn), filter.admits(user: anomaly.userID) else { return }
      guard !budget.isSpent else { throw BudgetSpent() }
      let before = text.count
      text.append(first ? "\n    {\"type\": " : ",\n    {\"type\": ")
      first = false
      text.append(bytes: JSONText.string(anomaly.type.rawValue).utf8)
      text.append(", \"occurred_at\": \"")
      text.append(time: anomaly.occurredAt.microseconds)
      text.append("\", \"position\": ")
      text.append(bytes: String(anomaly.position).utf8)
      text.append(", \"command_id\": ")
      text.append(bytes: JSONText.string(anomaly.commandID).utf8)
      text.append(", \"isbn\": \"")
      text.append(isbn: anomaly.isbn)
      text.append("\", \"user_id\": ")
      text.append(bytes: JSONText.string(anomaly.userID).utf8)
      text.append(", \"detail\": ")
      text.append(bytes: JSONText.string(anomaly.detail).utf8)
      text.append("}")
      budget.spend(text.count - before)
      text.flushIfFull(to: &out)
    }
    text.flush(to: &out)
    out.write(first ? "]\n" : "\n  ]\n")
  }

  /// `loans.json`'s list of users as `writeList` would write it, in bytes: every loan of the log
  /// passes here, so nothing is made per loan but its two timestamps' digits.
  private func writeLoansJSON(to out: inout some TextOutputStream, budget: inout ListBudget) {
    let projection = rows.projection
    let library = projection.library
    let filter = rows.filter
    let at = projection.cut.at
    let policy = projection.policy
    out.write("  \"users\": [")
    var first = true
    var spent = budget
    defer { budget = spent }
    writeInBackground(to: &out) { out in
      var text = JSONBytes()
      // Per ISBN index, the bytes `{"isbn": "…", "title": …, "borrowed_at": "` in one buffer
      // (an empty range for an ISBN the filter leaves out).
      var prefixBytes: [UInt8] = []
      var prefixEnds: [Int] = []
      prefixEnds.reserveCapacity(library.isbnCount)
      for book in 0..<Int32(library.isbnCount) {
        let isbn = library.isbn(book)
        if filter.admits(isbn: isbn) {
          prefixBytes += "{\"isbn\": \"\(isbn.digits)\", \"title\": ".utf8
          prefixBytes += JSONText.string(library.title(book)).utf8
          prefixBytes += ", \"borrowed_at\": \"".utf8
        }
        prefixEnds.append(prefixBytes.count)
      }
      prefixBytes.withUnsafeBufferPointer { prefixes in
        try? projection.forEachUser { user, loans in
          guard !spent.isSpent else { throw BudgetSpent() }
          let before = text.count
          var opened = false
          for loan in loans {
            let book = Int(loan.book)
            let start = book == 0 ? 0 : prefixEnds[book - 1]
            guard prefixEnds[book] > start else { continue }
            if !opened {
              text.append(first ? "\n    " : ",\n    ")
              first = false
              text.append("{\"user_id\": ")
              text.append(bytes: JSONText.string(library.userID(user)).utf8)
              text.append(", \"loans\": [\n      ")
              opened = true
            } else {
              text.append(",\n      ")
            }
            text.append(bytes: UnsafeBufferPointer(rebasing: prefixes[start..<prefixEnds[book]]))
            text.append(time: loan.borrowedAt)
            if loan.isOpen {
              text.append("\", \"returned_at\": null, \"overdue\": ")
              text.append(
                policy.isOverdue(borrowedAt: loan.borrowedAt, at: at) ? "true}" : "false}")
            } else {
              text.append("\", \"returned_at\": \"")
              text.append(time: loan.returnedAt)
              text.append("\", \"overdue\": false}")
            }
          }
          if opened { text.append("\n    ]}") }
          if opened { spent.spend(text.count - before) }
          text.flushIfFull(to: &out)
        }
      }
      text.append(first ? "]\n" : "\n  ]\n")
      text.flush(to: &out)
    }
  }

  /// Writes `"key": [ … ]` with one item a line, items separated by commas, up to the budget.
  private func writeList(
    _ key: String, to out: inout some TextOutputStream, budget: inout ListBudget,
    items: ((String) -> Void) -> Void
  ) {
    var first = true
    var buffer = ""
    out.write("  \(JSONText.string(key)): [")
    items { item in
      guard !budget.isSpent else { return }
      budget.spend(item.utf8.count + 6)
      buffer += first ? "\n    " : ",\n    "
      buffer += item
      first = false
      if buffer.utf8.count >= 1 << 16 {
        out.write(buffer)
        buffer = ""
      }
    }
    out.write(buffer)
    out.write(first ? "]\n" : "\n  ]\n")
  }
}
