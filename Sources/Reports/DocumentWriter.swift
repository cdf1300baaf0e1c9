/// A writer of one document (an explanation, a restatement) that has a JSON form and a table
/// form; `write(as:to:)` picks between them once for all such writers.
protocol DocumentWriter {
  func writeJSON(to out: inout some TextOutputStream)
  func writeTables(style: TableStyle, to out: inout some TextOutputStream)
}

extension DocumentWriter {
  /// Writes the document in `json`, `md` or `table` (any other format is not written).
  func writeDocument(as format: ReportFormat, to out: inout some TextOutputStream) {
    switch format {
    case .json: writeJSON(to: &out)
    case .md: writeTables(style: .markdown, to: &out)
    case .table: writeTables(style: .terminal, to: &out)
    case .csv, .html: break
    }
  }
}
