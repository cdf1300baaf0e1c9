import Foundation
import Importer
import Plumbing

/// One input batch, opened and hashed: a file, or standard input spooled to an unlinked
/// temporary file so that its SHA-256 is known before any row is appended.
final class BatchFile {
  /// The name users see and the `batches` table stores (`-` for standard input).
  let name: String
  let descriptor: Int32
  let size: Int

  /// Opens a batch for reading; a missing or unreadable file is exit 66.
  init(path: String) throws(Failure) {
    let fd: Int32
    if path == "-" {
      fd = try Self.spoolStandardInput()
    } else {
      fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw Failure(
          code: Failure.noInput, message: "\(path): \(String(cString: strerror(errno)))")
      }
    }
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw Failure(code: Failure.noInput, message: "\(path): not a regular file")
    }
    name = path
    descriptor = fd
    size = Int(info.st_size)
  }

  deinit {
    close(descriptor)
  }

  /// SHA-256 of the whole file, as lowercase hex; leaves the file positioned at its start.
  func sha256() throws(Failure) -> String {
    defer { lseek(descriptor, 0, SEEK_SET) }
    do {
      return try BatchDigest.sha256(fileDescriptor: descriptor)
    } catch {
      throw Failure(code: Failure.ioError, message: "\(name): cannot read")
    }
  }

  private static func spoolStandardInput() throws(Failure) -> Int32 {
    let fd: Int32
    do {
      fd = try ScratchFile.open(prefix: "shelflog-stdin")
    } catch {
      throw Failure(
        code: Failure.cannotCreate, message: "cannot spool standard input: \(error.message)")
    }
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        close(fd)
        throw Failure(code: Failure.noInput, message: "-: cannot read standard input")
      }
      if count == 0 { break }
      if let failure = buffer.withUnsafeBytes({
        writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[..<count]))
      }) {
        close(fd)
        throw Failure(
          code: Failure.ioError,
          message:
            "cannot spool standard input in \(ScratchFile.folder): \(String(cString: strerror(failure)))"
        )
      }
    }
    lseek(fd, 0, SEEK_SET)
    return fd
  }
}
