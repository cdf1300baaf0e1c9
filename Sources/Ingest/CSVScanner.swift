/// The byte-level state machine behind `CSVReader`: it owns the read buffer and builds records.
///
/// It never reads by itself: `scan(into:)` consumes what is buffered and says whether a record
/// was completed; the reader then refills the buffer and calls it again. The state survives
/// between calls, so a record may span any number of reads.
struct CSVScanner: ~Copyable {
  let buffer: UnsafeMutableBufferPointer<UInt8>
  let maxFieldBytes: Int
  let maxFields: Int
  let rawLimit: Int

  /// Next unread byte in `buffer`.
  var position = 0
  /// End of the valid bytes in `buffer`.
  var end = 0
  /// The byte before `buffer[0]`, so a CRLF split across two reads counts as one line break.
  var byteBeforeBuffer: UInt8 = 0
  /// Physical line of the next unread byte.
  var line = 1
  /// The header's field count, once the header is read.
  var expectedFieldCount: Int?

  var state = State.betweenRecords
  /// 0-based index of the field being read.
  var fieldIndex = 0
  /// Unescaped bytes seen in the current field, stored or not.
  var fieldLength = 0
  /// Offset of the current field in the record's byte storage.
  var fieldStart = 0
  /// OR of the current field's bytes: without the high bit the field is ASCII and needs no check.
  var fieldBits: UInt8 = 0
  /// Whether the current field's bytes are kept (not too long, not past `maxFields`).
  var storingField = true
  /// Start in `buffer` of record text not yet copied into `raw`.
  var rawStart = 0

  enum State {
    case betweenRecords
    case fieldStart
    case unquoted
    case quoted
    /// After a `"` inside a quoted field: an escaped quote, or the closing one.
    case quoteInQuoted
  }

  init(capacity: Int, maxFieldBytes: Int, maxFields: Int, rawLimit: Int) {
    buffer = .allocate(capacity: capacity)
    self.maxFieldBytes = maxFieldBytes
    self.maxFields = maxFields
    self.rawLimit = rawLimit
  }

  deinit {
    buffer.deallocate()
  }

  // MARK: - Buffer

  var bufferedCount: Int { end }

  /// Forgets the consumed buffer and returns room for the next read, `limit` bytes at most.
  mutating func emptyBuffer(upTo limit: Int) -> UnsafeMutableRawBufferPointer {
    if end > 0 { byteBeforeBuffer = buffer[end - 1] }
    position = 0
    end = 0
    rawStart = 0
    return spareBuffer(upTo: limit)
  }

  /// Room after the buffered bytes, `limit` bytes at most.
  func spareBuffer(upTo limit: Int) -> UnsafeMutableRawBufferPointer {
    let stop = min(buffer.count, end + limit)
    return UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[end..<stop]))
  }

  /// Takes `count` bytes just written into the spare buffer.
  mutating func didRead(_ count: Int) {
    end += count
  }

  /// Skips a UTF-8 byte order mark at the start of the buffer.
  mutating func skipByteOrderMark() {
    if end >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
  }

  // MARK: - Scanning

  /// Consumes buffered bytes; true when `record` is complete, false when the buffer is used up.
  mutating func scan(into record: inout CSVRecord) -> Bool {
    while position < end {
      switch state {
      case .betweenRecords:
        let byte = buffer[position]
        if byte == CSVByte.lineFeed {
          // The LF of a CRLF was counted with its CR.
          if previousByte(position) != CSVByte.carriageReturn { line += 1 }
          position += 1
        } else if byte == CSVByte.carriageReturn {
          line += 1
          position += 1
        } else {
          record.line = line
          fieldIndex = 0
          startField(in: &record)
          rawStart = position
          state = .fieldStart
        }
      case .fieldStart:
        if buffer[position] == CSVByte.quote {
          position += 1
          state = .quoted
        } else {
          state = .unquoted
        }
      case .unquoted:
        scanUnquoted(into: &record)
        guard position < end else { break }
        let byte = buffer[position]
        switch byte {
        case CSVByte.comma:
          position += 1
          endField(in: &record)
          state = .fieldStart
        case CSVByte.lineFeed, CSVByte.carriageReturn:
          endRecordAtTerminator(in: &record)
          return true
        case CSVByte.quote:
          record.noteFault(.quoteInUnquotedField, column: fieldIndex + 1)
          appendByte(byte, to: &record)
          position += 1
        default:
          record.noteFault(.nulByte, column: fieldIndex + 1)
          appendByte(byte, to: &record)
          position += 1
        }
      case .quoted:
        scanQuoted(into: &record)
        guard position < end else { break }
        let byte = buffer[position]
        switch byte {
        case CSVByte.quote:
          state = .quoteInQuoted
        case CSVByte.carriageReturn:
          line += 1
          appendByte(byte, to: &record)
        case CSVByte.lineFeed:
          if previousByte(position) != CSVByte.carriageReturn { line += 1 }
          appendByte(byte, to: &record)
        default:
          record.noteFault(.nulByte, column: fieldIndex + 1)
          appendByte(byte, to: &record)
        }
        position += 1
      case .quoteInQuoted:
        let byte = buffer[position]
        switch byte {
        case CSVByte.quote:
          appendByte(byte, to: &record)
          position += 1
          state = .quoted
        case CSVByte.comma:
          position += 1
          endField(in: &record)
          state = .fieldStart
        case CSVByte.lineFeed, CSVByte.carriageReturn:
          endRecordAtTerminator(in: &record)
          return true
        default:
          // Taken literally by the unquoted scan, which also flags a quote or NUL in it.
          record.noteFault(.textAfterClosingQuote, column: fieldIndex + 1)
          state = .unquoted
        }
      }
    }
    if state != .betweenRecords { flushRaw(upTo: end, into: &record) }
    return false
  }

  /// Ends the record in progress at the end of input; false when there is none.
  mutating func finishAtEndOfInput(into record: inout CSVRecord) -> Bool {
    switch state {
    case .betweenRecords:
      return false
    case .quoted:
      record.noteFault(.unterminatedQuote, column: fieldIndex + 1)
    case .fieldStart, .unquoted, .quoteInQuoted:
      break
    }
    finishRecord(at: position, in: &record)
    return true
  }

  /// Ends the record at the LF or CR under `position` and steps over it.
  private mutating func endRecordAtTerminator(in record: inout CSVRecord) {
    finishRecord(at: position, in: &record)
    line += 1
    position += 1
  }

  /// Consumes unquoted field bytes up to a comma, line break, quote, NUL or the buffer's end.
  @inline(__always)
  private mutating func scanUnquoted(into record: inout CSVRecord) {
    let bytes = buffer
    let stop = end
    var i = position
    var bits = fieldBits
    while i < stop {
      let byte = bytes[i]
      // Every special byte is at most 0x2C (`,`), so most bytes take the first branch.
      if byte > CSVByte.comma {
        bits |= byte
      } else if byte == CSVByte.comma || byte == CSVByte.lineFeed
        || byte == CSVByte.carriageReturn || byte == CSVByte.quote || byte == CSVByte.nul
      {
        break
      }
      i += 1
    }
    fieldBits = bits
    appendRun(from: position, to: i, to: &record)
    position = i
  }

  /// Consumes quoted field bytes up to a quote, line break, NUL or the buffer's end.
  @inline(__always)
  private mutating func scanQuoted(into record: inout CSVRecord) {
    let bytes = buffer
    let stop = end
    var i = position
    var bits = fieldBits
    while i < stop {
      let byte = bytes[i]
      // Every special byte is at most 0x22 (`"`).
      if byte > CSVByte.quote {
        bits |= byte
      } else if byte == CSVByte.quote || byte == CSVByte.lineFeed
        || byte == CSVByte.carriageReturn || byte == CSVByte.nul
      {
        break
      }
      i += 1
    }
    fieldBits = bits
    appendRun(from: position, to: i, to: &record)
    position = i
  }

  /// The byte before `buffer[index]`, looking back into the previous read when needed.
  @inline(__always)
  private func previousByte(_ index: Int) -> UInt8 {
    index > 0 ? buffer[index - 1] : byteBeforeBuffer
  }
}

/// Bytes with a meaning in CSV.
enum CSVByte {
  static let nul: UInt8 = 0x00
  static let lineFeed: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let quote: UInt8 = 0x22
  static let comma: UInt8 = 0x2C
}
