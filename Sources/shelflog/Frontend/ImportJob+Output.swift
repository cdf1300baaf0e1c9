import Importer
import Ingest
import Reports

/// What an import prints: a summary line per batch (and one counting its rejects), or JSON.
extension ImportJob {
  /// How many rejects of one batch are printed on stderr; --rejects gets them all.
  static let rejectsShown = 20

  static func line(_ summary: BatchSummary) -> String {
    let sha = summary.sha256.prefix(12)
    switch summary.status {
    case .alreadyImported:
      return "\(summary.file): already imported (sha256 \(sha)…), nothing appended"
    case .refused:
      return "\(summary.file): refused, nothing appended (sha256 \(sha)…)"
    case .rejected:
      return
        "\(summary.file): rejected, nothing appended: \(summary.accepted) valid, "
        + "\(summary.rejected) rejected, \(summary.skipped) skipped (sha256 \(sha)…)"
    case .imported:
      let range =
        summary.firstPosition.map { " at positions \($0)-\(summary.lastPosition ?? $0)" } ?? ""
      return
        "\(summary.file): \(summary.accepted) accepted, \(summary.rejected) rejected, "
        + "\(summary.skipped) skipped\(range) (sha256 \(sha)…)"
    }
  }

  /// `file: rejects: bad_isbn 6,610 (6,587 leading zeros lost); …`, codes in the order of the
  /// reject table, causes in their order; nil when the batch had no reject.
  static func rejectsLine(_ summary: BatchSummary) -> String? {
    guard !summary.rejectCodes.isEmpty else { return nil }
    let parts = RejectCode.allCases.compactMap { code -> String? in
      guard let count = summary.rejectCodes[code] else { return nil }
      let causes = RejectCause.allCases.filter { $0.code == code }.compactMap { cause in
        summary.rejectCauses[cause].map { "\(grouped($0)) \(cause.phrase)" }
      }
      return "\(code.rawValue) \(grouped(count))"
        + (causes.isEmpty ? "" : " (\(causes.joined(separator: ", ")))")
    }
    return "\(summary.file): rejects: \(parts.joined(separator: "; "))"
  }

  /// A count with thousands separators: 6,587.
  static func grouped(_ count: Int) -> String {
    let digits = Array(String(count))
    var text = ""
    for (index, digit) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { text.append(",") }
      text.append(digit)
    }
    return text
  }

  static func json(_ summaries: [BatchSummary]) -> String {
    let batches = summaries.map { summary in
      JSONText.object([
        "file": JSONText.string(summary.file),
        "sha256": JSONText.string(summary.sha256),
        "status": JSONText.string(summary.status.rawValue),
        "accepted": JSONText.number(summary.accepted),
        "rejected": JSONText.number(summary.rejected),
        "skipped": JSONText.number(summary.skipped),
        "recorded_at": JSONText.string(summary.recordedAt),
        "first_position": JSONText.number(summary.firstPosition),
        "last_position": JSONText.number(summary.lastPosition),
        "message": JSONText.string(summary.message),
        "reject_codes": counts(summary.rejectCodes.map { ($0.key.rawValue, $0.value) }),
        "reject_causes": counts(summary.rejectCauses.map { ($0.key.rawValue, $0.value) }),
      ])
    }
    return "{\"batches\":[" + batches.joined(separator: ",") + "]}"
  }

  /// A JSON object of counts, keys sorted.
  private static func counts(_ pairs: [(String, Int)]) -> String {
    "{"
      + pairs.sorted { $0.0 < $1.0 }.map { "\(JSONText.string($0.0)):\($0.1)" }
      .joined(separator: ",") + "}"
  }
}
