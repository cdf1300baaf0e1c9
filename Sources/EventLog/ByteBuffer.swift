/// A growable byte buffer at a stable address between mutations, so SQLite can bind its bytes
/// with `SQLITE_STATIC` until the next statement step.
final class ByteBuffer {
  private(set) var base: UnsafeMutablePointer<UInt8>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int = 4_096) {
    self.capacity = capacity
    base = .allocate(capacity: capacity)
  }

  deinit { base.deallocate() }

  func removeAll() { count = 0 }

  /// Makes room for `extra` more bytes (which may move the buffer).
  @inline(__always)
  func reserve(_ extra: Int) {
    if count + extra > capacity { grow(extra) }
  }

  @inline(never)
  private func grow(_ extra: Int) {
    var newCapacity = capacity * 2
    while newCapacity < count + extra { newCapacity *= 2 }
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: base, count: count)
    base.deallocate()
    base = grown
    capacity = newCapacity
  }

  func append(_ bytes: UnsafeRawBufferPointer) {
    guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
    reserve(bytes.count)
    (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    count += bytes.count
  }

  func append(_ text: String) {
    var text = text
    text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
  }

  func append(byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  /// The length of a number's decimal text, its sign included.
  static func decimalLength(_ value: Int64) -> Int {
    var digits = value < 0 ? 2 : 1
    var rest = value.magnitude
    while rest >= 10 {
      digits += 1
      rest /= 10
    }
    return digits
  }

  /// Appends the decimal digits of a number.
  func append(decimal value: Int64) {
    if value < 0 { append(byte: UInt8(ascii: "-")) }
    let magnitude = value.magnitude
    let digits = Self.decimalLength(value) - (value < 0 ? 1 : 0)
    reserve(digits)
    var rest = magnitude
    for place in stride(from: digits - 1, through: 0, by: -1) {
      base[count + place] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
      rest /= 10
    }
    count += digits
  }

  /// Appends `count` bytes written by `body` at the end (room is made first).
  func append(count extra: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
    reserve(extra)
    body(base + count)
    count += extra
  }

  func pointer(at offset: Int) -> UnsafeMutablePointer<UInt8> { base + offset }

  /// The bytes in `range`, valid until the next mutation.
  func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
  }
}
