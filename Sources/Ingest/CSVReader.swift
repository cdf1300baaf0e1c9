/// Streaming RFC 4180 reader with shelflog's strict rules; memory stays bounded whatever the input.
///
/// Records end in LF, CRLF or a lone CR; completely empty lines are skipped; a leading UTF-8 BOM
/// is ignored. Data faults (docs/importing.md) are reported on the record, never thrown: after a
/// fault the reader takes the offending byte literally and scans on to the end of the record, so
/// the next record is read correctly. Only I/O errors are thrown.
public struct CSVReader<Source: ByteSource & ~Copyable>: ~Copyable {
  /// The byte-level state machine; not generic, so it is fully optimised once, in this module.
  private var scanner: CSVScanner
  private let chunkSize: Int
  private var exhausted = false
  private var started = false
  private var source: Source

  /// Bytes read from the source so far, for progress display.
  public private(set) var bytesRead = 0

  /// Makes a reader; the limits bound memory (`maxFieldBytes` per field, `maxFields` per record,
  /// `rawLimit` for the raw text) and `bufferSize` is the most it asks the source for at once.
  public init(
    source: consuming Source, maxFieldBytes: Int = 65_536, maxFields: Int = 4_096,
    rawLimit: Int = 65_536, bufferSize: Int = 1 << 16
  ) {
    chunkSize = max(1, bufferSize)
    scanner = CSVScanner(
      capacity: max(chunkSize, 3), maxFieldBytes: max(0, maxFieldBytes),
      maxFields: max(1, maxFields), rawLimit: max(0, rawLimit))
    self.source = source
  }

  /// Reads the next record into `record`; false at end of input.
  ///
  /// The first record is the header: its field count becomes the expected count for every later
  /// record. Data faults land in `record.faults`; only a failing read throws, and the reader
  /// should not be used after that.
  public mutating func next(into record: inout CSVRecord) throws(CSVReadError) -> Bool {
    if !started { try skipByteOrderMark() }
    record.clearForReuse()
    while true {
      if scanner.scan(into: &record) { return true }
      // The scanner has used every buffered byte.
      if try !refill() { return scanner.finishAtEndOfInput(into: &record) }
    }
  }

  /// Reads the next chunk into the scanner's buffer; false at end of input.
  private mutating func refill() throws(CSVReadError) -> Bool {
    guard !exhausted else { return false }
    let target = scanner.emptyBuffer(upTo: chunkSize)
    let count = min(max(0, try source.read(into: target)), target.count)
    scanner.didRead(count)
    bytesRead += count
    if count == 0 { exhausted = true }
    return count > 0
  }

  /// Reads at least three bytes (or all there is) and skips a leading UTF-8 byte order mark.
  private mutating func skipByteOrderMark() throws(CSVReadError) {
    started = true
    while scanner.bufferedCount < 3, !exhausted {
      let target = scanner.spareBuffer(upTo: chunkSize)
      let count = min(max(0, try source.read(into: target)), target.count)
      scanner.didRead(count)
      bytesRead += count
      if count == 0 { exhausted = true }
    }
    scanner.skipByteOrderMark()
  }
}
