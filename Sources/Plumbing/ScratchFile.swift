import Foundation

/// Unlinked temporary files in `$TMPDIR` (default `/tmp`): scratch space that leaves nothing
/// behind, even after a kill. The one place shelflog makes one (replay spills, standard input
/// spooled before an import).
public enum ScratchFile {
  /// Why a scratch file could not be made, with the folder and the system's reason.
  public struct Failure: Error, Sendable {
    public let folder: String
    public let errno: Int32

    public var message: String {
      "cannot create a scratch file in \(folder): \(String(cString: strerror(errno)))"
    }
  }

  /// The folder scratch files go to.
  public static var folder: String {
    ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
  }

  /// Creates a file named after `prefix`, unlinks it at once, and returns its open descriptor
  /// (read and write); the caller closes it.
  public static func open(prefix: String) throws(Failure) -> Int32 {
    let folder = Self.folder
    var template = Array("\(folder)/\(prefix)-XXXXXX".utf8CString)
    let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard descriptor >= 0 else { throw Failure(folder: folder, errno: errno) }
    template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    return descriptor
  }
}

/// Writes all of `bytes` to `descriptor`, retrying short and interrupted writes; the errno of
/// the failure, nil when everything was written.
public func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
  var offset = 0
  while offset < bytes.count {
    let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
    if written < 0 {
      if errno == EINTR { continue }
      return errno
    }
    offset += written
  }
  return nil
}
