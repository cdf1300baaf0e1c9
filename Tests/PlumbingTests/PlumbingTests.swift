import Foundation
import Plumbing
import Testing

@Suite("Plumbing: hand-offs and scratch files")
struct PlumbingTests {
  /// Items sent from another thread arrive in order, once each, and the queue never holds more
  /// than its capacity.
  @Test func handOffKeepsOrderAndBound() throws {
    let queue = HandOff<Int>(capacity: 3)
    let producer = Background {
      for item in 0..<10_000 { queue.send(item) }
      queue.close()
    }
    var received: [Int] = []
    while let item = queue.next() { received.append(item) }
    try producer.result()
    #expect(received == Array(0..<10_000))
    #expect(queue.next() == nil)
  }

  @Test func backgroundReturnsItsValueOrRethrows() throws {
    struct Boom: Error {}
    let value = Background { 6 * 7 }
    #expect(try value.result() == 42)
    #expect(try value.result() == 42)
    let failing = Background { () throws -> Int in throw Boom() }
    #expect(throws: Boom.self) { try failing.result() }
  }

  /// A scratch file is unlinked at once: it can be written and read, and its folder holds no
  /// file of that name afterwards.
  @Test func scratchFilesLeaveNothingBehind() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "plumbing-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    setenv("TMPDIR", folder.path, 1)
    defer { unsetenv("TMPDIR") }
    let descriptor = try ScratchFile.open(prefix: "probe")
    defer { close(descriptor) }
    let bytes = Array("hello".utf8)
    #expect(bytes.withUnsafeBytes { writeAll(descriptor, $0) } == nil)
    var back = [UInt8](repeating: 0, count: 5)
    #expect(pread(descriptor, &back, 5, 0) == 5)
    #expect(back == bytes)
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
  }

  @Test func scratchFileInAMissingFolderSaysWhere() {
    setenv("TMPDIR", "/nonexistent-shelflog-folder", 1)
    defer { unsetenv("TMPDIR") }
    #expect {
      _ = try ScratchFile.open(prefix: "probe")
    } throws: { error in
      (error as? ScratchFile.Failure)?.message.contains("/nonexistent-shelflog-folder") == true
    }
  }
}
