/// Streaming RFC 4180 reader with shelflog's strict rules; memory stays bounded whatever the input.
///
/// Records end in LF, CRLF or a lone CR; completely empty lines are skipped; a leading UTF-8 BOM
/// is ignored. Data faults (SPEC section 1) are reported on the record, never thrown: after a
/// fault the reader takes the offending byte literally and scans on to the end of the record, so
/// the next record is read correctly. Only I/O errors are thrown.
public struct CSVReader<Source: ByteSource & ~Copyable>: ~Copyable {
  var source: Source
  let buffer: UnsafeMutableBufferPointer<UInt8>
  let chunkSize: Int
  let maxFieldBytes: Int
  let maxFields: Int
  let rawLimit: Int

  // MARK: Input position

  /// Next unread byte in `buffer`.
  var position = 0
  /// End of the valid bytes in `buffer`.
  var end = 0
  /// The byte before `buffer[0]`, so a CRLF split across two reads counts as one line break.
  var byteBeforeBuffer: UInt8 = 0
  var exhausted = false
  var started = false
  /// Physical line of the next unread byte.
  var line = 1
  /// The header's field count, once the header is read.
  var expectedFieldCount: Int?

  /// Bytes read from the source so far, for progress display.
  public internal(set) var bytesRead = 0

  // MARK: Current record

  /// 0-based index of the field being read.
  var fieldIndex = 0
  /// Unescaped bytes seen in the current field, stored or not.
  var fieldLength = 0
  /// Offset of the current field in the record's byte storage.
  var fieldStart = 0
  /// OR of the current field's bytes: no high bit means ASCII, so no UTF-8 check.
  var fieldBits: UInt8 = 0
  /// Whether the current field's bytes are kept (not too long, not past `maxFields`).
  var storingField = true
  /// Start in `buffer` of record text not yet copied into `raw`.
  var rawStart = 0

  /// Makes a reader; the limits bound memory (`maxFieldBytes` per field, `maxFields` per record,
  /// `rawLimit` for the raw text) and `bufferSize` is the most it asks the source for at once.
  public init(
    source: consuming Source, maxFieldBytes: Int = 65_536, maxFields: Int = 4_096,
    rawLimit: Int = 65_536, bufferSize: Int = 1 << 16
  ) {
    self.source = source
    self.chunkSize = max(1, bufferSize)
    self.buffer = .allocate(capacity: max(chunkSize, 3))
    self.maxFieldBytes = max(0, maxFieldBytes)
    self.maxFields = max(1, maxFields)
    self.rawLimit = max(0, rawLimit)
  }

  deinit {
    buffer.deallocate()
  }

  /// Reads the next record into `record`; false at end of input.
  ///
  /// The first record is the header: its field count becomes the expected count for every later
  /// record.
  public mutating func next(into record: inout CSVRecord) throws(CSVReadError) -> Bool {
    if !started { try skipByteOrderMark() }
    guard try skipEmptyLines() else {
      record.clearForReuse(line: line)
      return false
    }
    record.clearForReuse(line: line)
    fieldIndex = 0
    startField(in: &record)
    rawStart = position
    var state = State.fieldStart
    while true {
      if position == end {
        flushRaw(upTo: end, into: &record)
        guard try refill() else {
          if state == .quoted {
            record.noteFault(.unterminatedQuote, column: fieldIndex + 1)
          }
          finishRecord(at: position, in: &record)
          return true
        }
      }
      switch state {
      case .fieldStart:
        if buffer[position] == CSVByte.quote {
          position += 1
          state = .quoted
        } else {
          state = .unquoted
        }
      case .unquoted:
        scanUnquoted(into: &record)
        if position == end { continue }
        let byte = buffer[position]
        switch byte {
        case CSVByte.comma:
          position += 1
          endField(in: &record)
          state = .fieldStart
        case CSVByte.lineFeed, CSVByte.carriageReturn:
          finishRecord(at: position, in: &record)
          line += 1
          position += 1
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
        if position == end { continue }
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
          finishRecord(at: position, in: &record)
          line += 1
          position += 1
          return true
        default:
          // Taken literally by the unquoted scan, which also flags a quote or NUL in it.
          record.noteFault(.textAfterClosingQuote, column: fieldIndex + 1)
          state = .unquoted
        }
      }
    }
  }

  // MARK: - Scanning

  private enum State {
    case fieldStart
    case unquoted
    case quoted
    /// After a `"` inside a quoted field: an escaped quote, or the closing one.
    case quoteInQuoted
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
      } else if byte == CSVByte.comma || byte == CSVByte.lineFeed || byte == CSVByte.carriageReturn
        || byte == CSVByte.quote || byte == CSVByte.nul
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
      } else if byte == CSVByte.quote || byte == CSVByte.lineFeed || byte == CSVByte.carriageReturn
        || byte == CSVByte.nul
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
  func previousByte(_ index: Int) -> UInt8 {
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
