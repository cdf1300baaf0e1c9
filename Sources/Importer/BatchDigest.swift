import Crypto
import EventLog
import Foundation
import Ingest

/// A batch's identity (docs/importing.md): the SHA-256 of its bytes, as lowercase hex.
public enum BatchDigest {
  /// The SHA-256 of everything readable from a file descriptor.
  public static func sha256(fileDescriptor: Int32) throws(IngestError) -> String {
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw .io(errno: errno)
      }
      if count == 0 { break }
      buffer.withUnsafeBytes {
        hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<count]))
      }
    }
    return Hex.string(hasher.finalize())
  }
}
