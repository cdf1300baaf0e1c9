import LibraryDomain

/// Report text built as bytes and handed to the stream about 64 KiB at a time.
struct JSONBytes {
  private var bytes: [UInt8] = []

  init() {
    bytes.reserveCapacity(1 << 17)
  }

  /// Bytes held (not yet flushed).
  var count: Int { bytes.count }

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
