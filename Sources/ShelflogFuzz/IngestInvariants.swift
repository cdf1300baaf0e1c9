import Ingest
import LibraryDomain

/// The rules every input must keep, whatever its bytes.
enum IngestInvariants {
  /// The read sizes that must give the same outcome as one big read: chunk boundaries anywhere,
  /// a BOM or a CRLF split across reads.
  static let readSizes = [1, 2, 3, 7, 64]

  /// Checks one input; stops the process when a rule breaks.
  static func check(_ bytes: [UInt8]) {
    // Past the default raw limit, records no longer show where they end; -max_len stays far below.
    guard bytes.count < PassSettings.defaults.rawLimit else { return }
    let full = PassOutcome(bytes, .defaults)
    // RFC 4180's reading of each record's full raw text, for the checks with and without limits.
    let strict = full.records.map { Reference.strictFields($0.raw) }
    checkRecordsCoverInput(full, bytes)
    checkFields(full, scannedFields: full, strict: strict)
    checkHeader(full)
    checkVerdicts(full)
    // One read of the whole input makes the same calls to the source as the default 64 KiB
    // read size, without a 64 KiB buffer for each pass (ASan pays for every byte of it).
    let oneRead = max(bytes.count, 1)
    full.requireSame(
      reading: bytes, .defaults.reading(oneRead), validating: true,
      "a second pass over the same input")
    // The header check and the validator see nothing but the record (and the header record), so
    // records that match give the same verdicts; the second pass above shows that they judge
    // the same record alike twice. Reads of `size` bytes or more make the same calls to the
    // source as one big read when the input is no longer than `size`: the second pass was that.
    for size in readSizes where size < bytes.count {
      full.requireSame(
        reading: bytes, .defaults.reading(size), validating: false, "reads of \(size) bytes")
    }

    let small = PassOutcome(bytes, .small)
    if PassSettings.small.bufferSize < bytes.count {
      small.requireSame(
        reading: bytes, .small.reading(oneRead), validating: false,
        "small limits: one big read, against reads of \(PassSettings.small.bufferSize) bytes")
    }
    checkLimitedRecords(small, against: full)
    checkFields(small, scannedFields: full, strict: strict)
    checkHeader(small)
    checkVerdicts(small)
    checkSameVerdictsWithinLimits(small, full)
  }

  /// A record that reaches no field limit is judged the same with small limits as without; a
  /// cut raw text changes only the rejects' copy of it.
  static func checkSameVerdictsWithinLimits(_ small: PassOutcome, _ full: PassOutcome) {
    guard let header = small.records.first, !header.reachesFieldLimit else { return }
    require(small.header == full.header, "small limits: header \(String(describing: small.header))")
    for (index, verdict) in small.verdicts.enumerated()
    where !small.records[index + 1].reachesFieldLimit {
      require(
        verdict.withoutRaw == full.verdicts[index].withoutRaw,
        "line \(small.records[index + 1].line): small limits: \(verdict), without: "
          + "\(full.verdicts[index])")
    }
  }

  // MARK: - Records

  /// Records tile the input: an optional BOM, then per record skipped line breaks, its raw text
  /// and a terminator; each starts on the line where its text starts.
  static func checkRecordsCoverInput(_ outcome: PassOutcome, _ bytes: [UInt8]) {
    let lines = Reference.lineNumbers(bytes)
    var position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    var previousLine = 0
    for record in outcome.records {
      while position < bytes.count, Reference.isLineBreak(bytes[position]) { position += 1 }
      require(position < bytes.count, "record at line \(record.line) after the last text")
      require(!record.rawTruncated, "line \(record.line): raw truncated below the raw limit")
      require(
        record.line == lines[position], "line \(record.line), but text starts on \(lines[position])"
      )
      require(record.line > previousLine, "line \(record.line) after line \(previousLine)")
      previousLine = record.line
      require(!record.raw.isEmpty, "line \(record.line): empty raw text")
      require(
        bytes[position...].starts(with: record.raw),
        "line \(record.line): raw is not the input's text at that place")
      position += record.raw.count
      require(
        position == bytes.count || Reference.isLineBreak(bytes[position]),
        "line \(record.line): record ends before a byte that is not a line break")
    }
    require(
      bytes[position...].allSatisfy(Reference.isLineBreak),
      "text left after the last record, from byte \(position)")
  }

  /// With small limits the same records start on the same lines, their raw text is the full
  /// one's prefix, and the structural faults are the same.
  static func checkLimitedRecords(_ small: PassOutcome, against full: PassOutcome) {
    require(
      small.records.count == full.records.count,
      "small limits: \(small.records.count) records, not \(full.records.count)")
    let limit = small.settings.rawLimit
    for (record, whole) in zip(small.records, full.records) {
      require(record.line == whole.line, "small limits: line \(record.line), not \(whole.line)")
      require(
        record.raw == Array(whole.raw.prefix(limit))
          && record.rawTruncated == (whole.raw.count > limit),
        "line \(record.line): raw under small limits is not the full raw's prefix")
      require(
        record.faults.filter(\.kind.isStructural) == whole.faults.filter(\.kind.isStructural),
        "line \(record.line): structural faults \(record.faults) under small limits,"
          + " \(whole.faults) without")
    }
  }

  /// Fields and faults agree with the reading of the same bytes without limits (`scannedFields`)
  /// and, for records that keep the batch format's strict rules, with RFC 4180 itself.
  /// `strict` holds `Reference.strictFields` of each record of `full`.
  static func checkFields(
    _ outcome: PassOutcome, scannedFields full: PassOutcome, strict strictFields: [[[UInt8]]?]
  ) {
    let settings = outcome.settings
    let headerCount = full.records.first.flatMap { header -> Int? in
      if let fields = strictFields[0] { return fields.count }
      return header.faults.contains { $0.kind.isTooManyFields }
        ? nil : header.fields.count
    }
    for (index, (record, whole)) in zip(outcome.records, full.records).enumerated() {
      let line = record.line
      let strict = strictFields[index]
      let structural = record.faults.contains { $0.kind.isStrictRuleFault }
      require(
        structural == (strict == nil),
        "line \(line): strict RFC 4180 \(strict == nil ? "refuses" : "accepts") the text,"
          + " faults \(record.faults)")
      // The fields as the reader scanned them, every one stored.
      var scanned = whole.fields
      if let strict {
        require(
          Array(strict.prefix(scanned.count)) == scanned,
          "line \(line): fields \(scanned), RFC 4180 gives \(strict)")
        scanned = strict
      } else if whole.faults.contains(where: { $0.kind.isTooManyFields }) {
        continue  // fields past the limit are unknown, and so is the count
      }
      var expected: [CSVFault] = []
      let kept = min(scanned.count, settings.maxFields)
      require(
        record.fields.count == kept, "line \(line): \(record.fields.count) fields kept, not \(kept)"
      )
      var tooLong: Int?
      var badEncoding: Int?
      for column in 0..<kept {
        let field = scanned[column]
        if field.count > settings.maxFieldBytes {
          tooLong = tooLong ?? column + 1
          require(record.fields[column].isEmpty, "line \(line): a too long field is kept")
        } else {
          require(record.fields[column] == field, "line \(line): field \(column + 1) differs")
          if !Reference.isValidUTF8(field) { badEncoding = badEncoding ?? column + 1 }
        }
      }
      if let tooLong {
        expected.append(
          CSVFault(kind: .fieldTooLong(limit: settings.maxFieldBytes), column: tooLong))
      }
      if let badEncoding { expected.append(CSVFault(kind: .badEncoding, column: badEncoding)) }
      if scanned.count > settings.maxFields {
        expected.append(
          CSVFault(kind: .tooManyFields(limit: settings.maxFields), column: settings.maxFields + 1))
      }
      if index > 0, let headerCount, scanned.count != headerCount {
        expected.append(
          CSVFault(
            kind: .fieldCount(expected: headerCount, actual: scanned.count),
            column: min(headerCount, scanned.count) + 1))
      }
      let actual = record.faults.filter { !$0.kind.isStrictRuleFault }
      let comparable =
        headerCount == nil
        ? actual.filter { !$0.kind.isFieldCount } : actual
      require(
        comparable.count == expected.count && expected.allSatisfy(comparable.contains),
        "line \(line): faults \(record.faults), expected \(expected) besides strict-rule ones")
    }
  }
}

extension RecordSnapshot {
  /// Whether the reader dropped a field or a field's bytes.
  var reachesFieldLimit: Bool {
    faults.contains { $0.kind.isTooManyFields || $0.kind.isFieldTooLong }
  }
}

extension Verdict {
  /// The same verdict with the rejects' raw text left out.
  var withoutRaw: Verdict {
    guard case .rejected(let rejects) = self else { return self }
    return .rejected(
      rejects.map {
        Reject(line: $0.line, column: $0.column, code: $0.code, message: $0.message, raw: "")
      })
  }
}

extension CSVFaultKind {
  /// A fault of the batch format's strict rules: the record's text itself is not RFC 4180.
  var isStrictRuleFault: Bool {
    switch self {
    case .unterminatedQuote, .quoteInUnquotedField, .textAfterClosingQuote, .nulByte: true
    case .fieldCount, .tooManyFields, .fieldTooLong, .badEncoding: false
    }
  }

  var isTooManyFields: Bool {
    if case .tooManyFields = self { true } else { false }
  }

  var isFieldTooLong: Bool {
    if case .fieldTooLong = self { true } else { false }
  }

  var isFieldCount: Bool {
    if case .fieldCount = self { true } else { false }
  }

  /// A fault that does not depend on the reader's limits.
  var isStructural: Bool {
    switch self {
    case .unterminatedQuote, .quoteInUnquotedField, .textAfterClosingQuote, .nulByte, .fieldCount:
      true
    case .tooManyFields, .fieldTooLong, .badEncoding: false
    }
  }
}
