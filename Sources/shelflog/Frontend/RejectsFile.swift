import Foundation
import Ingest
import Reports

/// The `--rejects` CSV: `file,line,column,code,message,raw`, one row per fault.
final class RejectsFile {
  private let path: String
  private let handle: UnsafeMutablePointer<FILE>
  private var failed = false

  /// Creates (or truncates) the file; exit 73 when it cannot be created.
  init(path: String) throws(Failure) {
    guard let handle = fopen(path, "w") else {
      throw Failure(
        code: Failure.cannotCreate,
        message: "\(path): cannot create rejects file: \(String(cString: strerror(errno)))")
    }
    self.path = path
    self.handle = handle
    put("file,line,column,code,message,raw\n")
  }

  func write(_ reject: Reject, file: String) {
    let fields = [
      file, String(reject.line), reject.column.map(String.init) ?? "", reject.code.rawValue,
      reject.message, reject.raw,
    ]
    put(fields.map(CSVText.field).joined(separator: ",") + "\n")
  }

  /// Flushes and closes; exit 74 when anything could not be written.
  func close() throws(Failure) {
    if fclose(handle) != 0 { failed = true }
    if failed {
      throw Failure(code: Failure.ioError, message: "\(path): cannot write rejects file")
    }
  }

  /// Writes the UTF-8 bytes (fputs would stop at a NUL inside a raw record).
  private func put(_ text: String) {
    var text = text
    let count = text.utf8.count
    let written = text.withUTF8 { fwrite($0.baseAddress, 1, count, handle) }
    if written != count { failed = true }
  }
}
