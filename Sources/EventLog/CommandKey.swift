/// The key of the idempotency index: the 64-bit FNV-1a of a command id's UTF-8 bytes. Stable
/// across runs and machines (Swift's `Hasher` is not). Different ids may share a key, so a
/// lookup by key always compares the ids themselves.
public enum CommandKey {
  /// The key of a command id's bytes.
  @inline(__always)
  public static func of(_ bytes: some Sequence<UInt8>) -> Int64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      hash ^= UInt64(byte)
      hash = hash &* 0x0000_0100_0000_01B3
    }
    return Int64(bitPattern: hash)
  }

  /// The key of a command id.
  public static func of(_ commandID: String) -> Int64 {
    of(commandID.utf8)
  }
}

extension CommandKey {
  /// Merges keys with their positions into `sorted` (sorted by key, then position), from the
  /// back: positions grow through a batch, so with equal keys the new ones come after. What a
  /// writer keeps of the keys it appended and has not yet indexed.
  static func merge(
    _ new: [(key: Int64, position: Int64)], into sorted: inout [(key: Int64, position: Int64)]
  ) {
    guard !new.isEmpty else { return }
    var old = sorted.count - 1
    var next = new.count - 1
    sorted.append(contentsOf: new)
    var target = sorted.count - 1
    while next >= 0 {
      if old >= 0, sorted[old].key > new[next].key {
        sorted[target] = sorted[old]
        old -= 1
      } else {
        sorted[target] = new[next]
        next -= 1
      }
      target -= 1
    }
  }
}
