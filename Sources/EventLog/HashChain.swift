import Crypto
import Foundation

/// The tamper-evident chain of docs/log-format.md: each hash is SHA-256 over the previous hash's 32
/// bytes followed by the event's canonical bytes (`CanonicalEvent`).
public struct HashChain: Sendable {
  /// The 32 bytes of the last hash (zeros before position 1).
  public private(set) var head: [UInt8]

  public init(head: [UInt8] = [UInt8](repeating: 0, count: 32)) {
    self.head = head
  }

  /// Hashes one event's canonical bytes and advances the head; returns the new hash.
  @discardableResult
  public mutating func append(canonical: UnsafeRawBufferPointer) -> [UInt8] {
    advance(canonical: canonical) { _ in }
    return head
  }

  /// Hashes one event's canonical bytes and advances the head in place; `body` sees the new
  /// hash's bytes. Allocates nothing (the hot loops of import and verify).
  mutating func advance(
    canonical: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
  ) {
    var hasher = SHA256()
    head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    hasher.update(bufferPointer: canonical)
    let digest = hasher.finalize()
    digest.withUnsafeBytes { bytes in
      head.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
      body(bytes)
    }
  }

  /// Hashes one event's canonical bytes, advances the head in place, and says whether the new
  /// hash is `expected` (verify's hot loop: no closure, nothing allocated).
  mutating func advance(canonical: UnsafeRawBufferPointer, matches expected: UnsafeRawBufferPointer)
    -> Bool
  {
    var hasher = SHA256()
    head.withUnsafeBytes { hasher.update(bufferPointer: $0) }
    hasher.update(bufferPointer: canonical)
    let digest = hasher.finalize()
    return digest.withUnsafeBytes { bytes in
      head.withUnsafeMutableBytes { $0.copyMemory(from: bytes) }
      return bytes.count == expected.count
        && memcmp(bytes.baseAddress!, expected.baseAddress!, bytes.count) == 0
    }
  }

  /// The head as lowercase hex.
  public var headHex: String { Hex.string(head) }
}

/// Lowercase hex SHA-256 of bytes.
public func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
  Hex.string(SHA256.hash(data: Array(bytes)))
}
