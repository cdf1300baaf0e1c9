import LibraryDomain
import Replay

/// Writes the reports of one projection. Same projection and flags, same bytes: nothing here
/// reads a clock.
public struct ReportWriter {
  let rows: ReportRows

  public init(projection: Projection, filter: ReportFilter = ReportFilter()) {
    rows = ReportRows(projection: projection, filter: filter)
  }

  /// Writes one report in one format. `html` is not written here (see the executable).
  public func write(
    _ name: ReportName, as format: ReportFormat, to out: inout some TextOutputStream
  ) {
    switch format {
    case .json: writeJSON(name, to: &out)
    case .csv: writeTable(name, style: .csv, to: &out)
    case .md: writeTable(name, style: .markdown, to: &out)
    case .table: writeTable(name, style: .terminal, to: &out)
    case .html: out.write("")
    }
  }

  // MARK: - JSON

  private func writeJSON(_ name: ReportName, to out: inout some TextOutputStream) {
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
      writeList("books", to: &out) { item in
        rows.forEachBook { item(JSONText.object(Array(zip(ReportRows.inventoryColumns, $0)))) }
      }
    case .loans where rows.filter.userID == nil:
      writeLoansJSON(to: &out)
    case .loans:
      writeList("users", to: &out) { item in
        rows.forEachUser { user, loans in
          let lines = loans.map {
            "      " + JSONText.object(Array(zip(ReportRows.loanColumns, $0)))
          }
          item(
            "{\"user_id\": \(JSONText.string(user)), \"loans\": [\n"
              + lines.joined(separator: ",\n") + "\n    ]}")
        }
      }
    case .anomalies:
      writeAnomaliesJSON(to: &out)
    }
    out.write("}\n")
  }

  /// `anomalies.json`'s list as `writeList` would write it from `ReportRows.forEachAnomaly`'s
  /// cells, in bytes.
  private func writeAnomaliesJSON(to out: inout some TextOutputStream) {
    let filter = rows.filter
    var text = JSONBytes()
    var first = true
    out.write("  \"anomalies\": [")
    rows.projection.forEachAnomaly { anomaly in
      guard filter.admits(isbn: anomaly.isbn), filter.admits(user: anomaly.userID) else { return }
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
      text.flushIfFull(to: &out)
    }
    text.flush(to: &out)
    out.write(first ? "]\n" : "\n  ]\n")
  }

  /// `loans.json`'s list of users as `writeList` would write it, in bytes: every loan of the log
  /// passes here, so nothing is made per loan but its two timestamps' digits.
  private func writeLoansJSON(to out: inout some TextOutputStream) {
    let projection = rows.projection
    let library = projection.library
    let filter = rows.filter
    let at = projection.cut.at.microseconds
    let loanMicroseconds = projection.policy.loanMicroseconds
    out.write("  \"users\": [")
    var first = true
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
        projection.forEachUser { user, loans in
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
              text.append(loan.borrowedAt + loanMicroseconds < at ? "true}" : "false}")
            } else {
              text.append("\", \"returned_at\": \"")
              text.append(time: loan.returnedAt)
              text.append("\", \"overdue\": false}")
            }
          }
          if opened { text.append("\n    ]}") }
          text.flushIfFull(to: &out)
        }
      }
      text.append(first ? "]\n" : "\n  ]\n")
      text.flush(to: &out)
    }
  }

  /// Writes `"key": [ … ]` with one item a line, items separated by commas.
  private func writeList(
    _ key: String, to out: inout some TextOutputStream, items: ((String) -> Void) -> Void
  ) {
    var first = true
    var buffer = ""
    out.write("  \(JSONText.string(key)): [")
    items { item in
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

  // MARK: - Tables

  private func writeTable(
    _ name: ReportName, style: TableStyle, to out: inout some TextOutputStream
  ) {
    var table = TableWriter(style: style, title: title(name))
    switch name {
    case .summary:
      let pairs =
        rows.summary + rows.anomalyCounts.map { ("anomalies.\($0.0)", $0.1) } + [
          ("log_head", rows.logHead)
        ]
      if style == .csv {
        // CSV consumers get one wide row under a header of metric names.
        table.begin(pairs.map(\.0), to: &out)
        table.row(pairs.map(\.1), to: &out)
      } else {
        table.begin(["metric", "value"], to: &out)
        for (key, value) in pairs { table.row([.text(key), value], to: &out) }
      }
    case .inventory:
      table.begin(ReportRows.inventoryColumns, to: &out)
      rows.forEachBook { table.row($0, to: &out) }
    case .loans:
      table.begin(["user_id"] + ReportRows.loanColumns, to: &out)
      rows.forEachUser { user, loans in
        for loan in loans { table.row([.text(user)] + loan, to: &out) }
      }
    case .anomalies:
      table.begin(ReportRows.anomalyColumns, to: &out)
      rows.forEachAnomaly { table.row($0, to: &out) }
    }
    table.end(to: &out)
  }

  private func title(_ name: ReportName) -> String {
    let known = rows.knownAt.map { ", as known at \($0)" } ?? ""
    return "\(name.rawValue) at \(rows.at)\(known)"
  }
}

/// Report text built as bytes and handed to the stream about 64 KiB at a time.
struct JSONBytes {
  private var bytes: [UInt8] = []

  init() {
    bytes.reserveCapacity(1 << 17)
  }

  mutating func append(_ literal: StaticString) {
    literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  mutating func append(bytes more: some Sequence<UInt8>) {
    bytes.append(contentsOf: more)
  }

  mutating func append(bytes more: UnsafeBufferPointer<UInt8>) {
    bytes.append(contentsOf: more)
  }

  mutating func append(isbn: ISBN) {
    isbn.appendText(to: &bytes)
  }

  /// `Timestamp.description`'s text, its date part ("YYYY-MM-DDT") remembered per day.
  mutating func append(time microseconds: Int64) {
    // Years 1 to 9999 (what parsing accepts); others take the general path.
    guard microseconds >= -62_135_596_800_000_000 && microseconds <= 253_402_300_799_999_999
    else {
      Timestamp(microseconds: microseconds).appendText(to: &bytes)
      return
    }
    let perDay: Int64 = 86_400_000_000
    let day = microseconds >= 0 ? microseconds / perDay : (microseconds + 1) / perDay - 1
    let slot = Int(truncatingIfNeeded: day) & (Self.dayCacheSize - 1)
    if dates.isEmpty {
      dates = Array(repeating: (Int64.min, 0, 0), count: Self.dayCacheSize)
    }
    if dates[slot].day != day {
      var text: [UInt8] = []
      Timestamp(microseconds: day * perDay).appendText(to: &text)
      guard text.count == 20, text[10] == UInt8(ascii: "T") else {
        Timestamp(microseconds: microseconds).appendText(to: &bytes)
        return
      }
      let head = text.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
      let tail = UInt32(text[8]) | UInt32(text[9]) << 8 | UInt32(text[10]) << 16
      dates[slot] = (day, head, tail)
    }
    let date = dates[slot]
    let rest = microseconds - day * perDay
    let seconds = Int(rest / 1_000_000)
    let fraction = Int(rest % 1_000_000)
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) { buffer in
      let raw = UnsafeMutableRawPointer(buffer.baseAddress!)
      raw.storeBytes(of: date.head, toByteOffset: 0, as: UInt64.self)
      buffer[8] = UInt8(truncatingIfNeeded: date.tail)
      buffer[9] = UInt8(truncatingIfNeeded: date.tail >> 8)
      buffer[10] = UInt8(truncatingIfNeeded: date.tail >> 16)
      func put(_ value: Int, at index: Int) {
        buffer[index] = UInt8(truncatingIfNeeded: value / 10) &+ UInt8(ascii: "0")
        buffer[index + 1] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
      }
      put(seconds / 3600, at: 11)
      buffer[13] = UInt8(ascii: ":")
      put(seconds / 60 % 60, at: 14)
      buffer[16] = UInt8(ascii: ":")
      put(seconds % 60, at: 17)
      var count = 19
      if fraction != 0 {
        buffer[19] = UInt8(ascii: ".")
        var rest = fraction
        for index in stride(from: 25, through: 20, by: -1) {
          buffer[index] = UInt8(truncatingIfNeeded: rest % 10) &+ UInt8(ascii: "0")
          rest /= 10
        }
        count = 26
      }
      buffer[count] = UInt8(ascii: "Z")
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(count + 1)]))
    }
  }

  private static let dayCacheSize = 8192
  /// Dates by day number modulo `dayCacheSize`: the day, and the 11 bytes of its date part.
  private var dates: [(day: Int64, head: UInt64, tail: UInt32)] = []

  mutating func flushIfFull(to out: inout some TextOutputStream) {
    if bytes.count >= 1 << 16 { flush(to: &out) }
  }

  mutating func flushIfFull(to out: inout BackgroundText) {
    if bytes.count >= 1 << 16 { out.send(&bytes) }
  }

  mutating func flush(to out: inout BackgroundText) {
    out.send(&bytes)
  }

  mutating func flush(to out: inout some TextOutputStream) {
    guard !bytes.isEmpty else { return }
    out.write(String(decoding: bytes, as: UTF8.self))
    bytes.removeAll(keepingCapacity: true)
  }
}
