/// User ids interned to dense indexes, looked up by their UTF-8 bytes without making a String:
/// the fold meets a user id on every borrow and return. A slot holds the id's first 16 bytes, so
/// a lookup of a short id touches one cache line.
struct UserTable: Sendable {
  /// The ids by index.
  private(set) var names: [String] = []
  /// The bytes of every id, one after the other; id `i` is `bytes[starts[i]..<starts[i + 1]]`.
  private var bytes: [UInt8] = []
  private var starts: [Int] = [0]
  /// Open addressing, a power of two long.
  private var slots: [Slot] = Array(repeating: Slot(), count: 1024)

  private struct Slot: Sendable {
    /// The first 16 bytes of the id, zero-padded.
    var head: (UInt64, UInt64) = (0, 0)
    /// The id's byte count in the high half, its index + 1 in the low half; 0 when empty.
    var meta: UInt64 = 0
  }

  /// An id's first 16 bytes, zero-padded, and its hash.
  private struct Key {
    var head: (UInt64, UInt64) = (0, 0)
    var count: Int
    var hash: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
      count = bytes.count
      if count >= 16 {
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        head = (
          raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
          raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
        )
      } else if count > 0 {
        withUnsafeMutableBytes(of: &head) {
          $0.copyMemory(from: UnsafeRawBufferPointer(bytes))
        }
      }
      var mixed = (head.0 ^ 0x9E37_79B9_7F4A_7C15) &* 0xFF51_AFD7_ED55_8CCD
      mixed = (mixed ^ (mixed >> 32) ^ head.1 ^ UInt64(count)) &* 0xC4CE_B9FE_1A85_EC53
      hash = Int(truncatingIfNeeded: mixed ^ (mixed >> 29))
    }
  }

  var count: Int { names.count }

  /// The index of `key`, nil when it was never interned.
  func find(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
    let probe = Key(key)
    let slot = locate(probe, key)
    let meta = slots[slot].meta
    return meta == 0 ? nil : Int32(truncatingIfNeeded: meta & 0xFFFF_FFFF) - 1
  }

  func find(_ string: String) -> Int32? {
    var string = string
    return string.withUTF8 { find($0) }
  }

  /// The index of `key`, interning it on first sight.
  mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
    let probe = Key(key)
    let slot = locate(probe, key)
    let meta = slots[slot].meta
    if meta != 0 { return Int32(truncatingIfNeeded: meta & 0xFFFF_FFFF) - 1 }
    let index = Int32(names.count)
    names.append(String(decoding: key, as: UTF8.self))
    bytes.append(contentsOf: key)
    starts.append(bytes.count)
    slots[slot] = Slot(head: probe.head, meta: UInt64(probe.count) << 32 | UInt64(index + 1))
    if names.count * 2 > slots.count { grow() }
    return index
  }

  /// The slot holding `key`, or the empty slot where it would go.
  private func locate(_ probe: Key, _ key: UnsafeBufferPointer<UInt8>) -> Int {
    slots.withUnsafeBufferPointer { slots in
      let mask = slots.count - 1
      var slot = probe.hash & mask
      while true {
        let entry = slots[slot]
        if entry.meta == 0 { return slot }
        if entry.meta >> 32 == UInt64(probe.count) && entry.head == probe.head
          && (probe.count <= 16
            || equals(Int(entry.meta & 0xFFFF_FFFF) - 1, key))
        {
          return slot
        }
        slot = (slot + 1) & mask
      }
    }
  }

  /// The UTF-8 bytes of id `index`, for ordering without making Strings compare.
  func withBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    bytes.withUnsafeBufferPointer {
      body(UnsafeBufferPointer(rebasing: $0[starts[index]..<starts[index + 1]]))
    }
  }

  /// Whether id `lhs` sorts before id `rhs` by their bytes.
  func precedes(_ lhs: Int, _ rhs: Int) -> Bool {
    bytes.withUnsafeBufferPointer {
      UnsafeBufferPointer(rebasing: $0[starts[lhs]..<starts[lhs + 1]]).lexicographicallyPrecedes(
        UnsafeBufferPointer(rebasing: $0[starts[rhs]..<starts[rhs + 1]]))
    }
  }

  private func equals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = starts[index]
    let count = starts[index + 1] - start
    guard count == key.count else { return false }
    return bytes.withUnsafeBufferPointer { stored in
      count == 0 || memcmpBytes(stored.baseAddress! + start, key.baseAddress!, count)
    }
  }

  private mutating func grow() {
    var grown = [Slot](repeating: Slot(), count: slots.count * 2)
    let mask = grown.count - 1
    for entry in slots where entry.meta != 0 {
      let index = Int(entry.meta & 0xFFFF_FFFF) - 1
      let hash = withBytes(index) { Key($0).hash }
      var slot = hash & mask
      while grown[slot].meta != 0 { slot = (slot + 1) & mask }
      grown[slot] = entry
    }
    slots = grown
  }
}

/// Byte equality of two ranges (count > 0).
@inline(__always)
private func memcmpBytes(
  _ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ count: Int
) -> Bool {
  var index = 0
  while index + 8 <= count {
    let left = UnsafeRawPointer(lhs).loadUnaligned(fromByteOffset: index, as: UInt64.self)
    let right = UnsafeRawPointer(rhs).loadUnaligned(fromByteOffset: index, as: UInt64.self)
    if left != right { return false }
    index += 8
  }
  while index < count {
    if lhs[index] != rhs[index] { return false }
    index += 1
  }
  return true
}

/// ISBNs interned to dense indexes (open addressing on the 13-digit number, kept in the slot).
struct ISBNTable: Sendable {
  private(set) var isbns: [ISBN] = []
  /// The ISBN's number (0 for an empty slot: no ISBN is 0) and its index.
  private var slots: [(value: UInt64, index: Int32)] = Array(
    repeating: (0, -1), count: 1024)

  var count: Int { isbns.count }

  func find(_ isbn: ISBN) -> Int32? {
    let index = slots[locate(isbn)].index
    return index < 0 ? nil : index
  }

  /// The index of `isbn` and whether it was new.
  mutating func intern(_ isbn: ISBN) -> (index: Int32, inserted: Bool) {
    let slot = locate(isbn)
    if slots[slot].index >= 0 { return (slots[slot].index, false) }
    let index = Int32(isbns.count)
    isbns.append(isbn)
    slots[slot] = (isbn.value, index)
    if isbns.count * 2 > slots.count { grow() }
    return (index, true)
  }

  /// The slot holding `isbn`, or the empty slot where it would go.
  private func locate(_ isbn: ISBN) -> Int {
    slots.withUnsafeBufferPointer { slots in
      let mask = slots.count - 1
      var slot = Self.hash(isbn.value) & mask
      while slots[slot].value != isbn.value && slots[slot].index >= 0 {
        slot = (slot + 1) & mask
      }
      return slot
    }
  }

  private mutating func grow() {
    var grown = [(value: UInt64, index: Int32)](repeating: (0, -1), count: slots.count * 2)
    let mask = grown.count - 1
    for (index, isbn) in isbns.enumerated() {
      var slot = Self.hash(isbn.value) & mask
      while grown[slot].index >= 0 { slot = (slot + 1) & mask }
      grown[slot] = (isbn.value, Int32(index))
    }
    slots = grown
  }

  @inline(__always)
  private static func hash(_ value: UInt64) -> Int {
    let mixed = value &* 0x9E37_79B9_7F4A_7C15
    return Int(truncatingIfNeeded: mixed ^ (mixed >> 29))
  }
}
