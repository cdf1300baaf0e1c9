// MARK: - Fields and records

extension CSVScanner {
  /// Keeps `buffer[start..<stop]` as field bytes, unless the field is too long or not stored.
  @inline(__always)
  mutating func appendRun(from start: Int, to stop: Int, to record: inout CSVRecord) {
    let count = stop - start
    guard count > 0 else { return }
    fieldLength += count
    guard storingField else { return }
    if fieldLength > maxFieldBytes {
      dropLongField(from: &record)
      return
    }
    record.fieldBytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<stop]))
  }

  /// Keeps one field byte (an escaped quote, a line break in quotes, a faulty byte).
  @inline(__always)
  mutating func appendByte(_ byte: UInt8, to record: inout CSVRecord) {
    fieldLength += 1
    guard storingField else { return }
    if fieldLength > maxFieldBytes {
      dropLongField(from: &record)
      return
    }
    record.fieldBytes.append(byte)
  }

  /// Records `fieldTooLong` and forgets the field's bytes, so a huge field costs no memory.
  private mutating func dropLongField(from record: inout CSVRecord) {
    record.noteFault(.fieldTooLong(limit: maxFieldBytes), column: fieldIndex + 1)
    record.fieldBytes.removeLast(record.fieldBytes.count - fieldStart)
    storingField = false
  }

  /// Resets the per-field state for field `fieldIndex`.
  @inline(__always)
  mutating func startField(in record: inout CSVRecord) {
    fieldLength = 0
    fieldBits = 0
    fieldStart = record.fieldBytes.count
    storingField = fieldIndex < maxFields
  }

  /// Closes the current field (checking its UTF-8) and starts the next one.
  @inline(__always)
  mutating func endField(in record: inout CSVRecord) {
    closeField(in: &record)
    fieldIndex += 1
    if fieldIndex == maxFields {
      record.noteFault(.tooManyFields(limit: maxFields), column: maxFields + 1)
    }
    startField(in: &record)
  }

  /// Closes the last field, completes `raw` up to `stop` (the terminator) and checks the count.
  mutating func finishRecord(at stop: Int, in record: inout CSVRecord) {
    closeField(in: &record)
    flushRaw(upTo: stop, into: &record)
    state = .betweenRecords
    let actual = fieldIndex + 1
    if let expected = expectedFieldCount {
      if actual != expected {
        record.noteFault(
          .fieldCount(expected: expected, actual: actual), column: min(expected, actual) + 1)
      }
    } else {
      expectedFieldCount = actual
    }
  }

  @inline(__always)
  private mutating func closeField(in record: inout CSVRecord) {
    guard fieldIndex < maxFields else { return }
    if storingField, fieldBits & 0x80 != 0 {
      let range = fieldStart..<record.fieldBytes.count
      let valid = record.fieldBytes.withUnsafeBufferPointer { all in
        CSVUTF8.isValid(UnsafeBufferPointer(rebasing: all[range]))
      }
      if !valid { record.noteFault(.badEncoding, column: fieldIndex + 1) }
    }
    record.fieldEnds.append(record.fieldBytes.count)
  }

  /// Copies record text from `rawStart` to `stop` into `raw`, up to `rawLimit` bytes.
  mutating func flushRaw(upTo stop: Int, into record: inout CSVRecord) {
    let count = stop - rawStart
    guard count > 0 else { return }
    let room = max(0, rawLimit - record.raw.count)
    if count > room { record.rawTruncated = true }
    let kept = min(count, room)
    if kept > 0 {
      record.raw.append(
        contentsOf: UnsafeBufferPointer(rebasing: buffer[rawStart..<(rawStart + kept)]))
    }
    rawStart = stop
  }
}
