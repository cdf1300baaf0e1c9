import Foundation

/// Makes a report's text on a second thread while this one writes it out: `produce` sends UTF-8
/// chunks (the writer's 64 KiB flushes) that reach `out` here, in order, made Strings here (the
/// UTF-8 check shares the work). A large report then costs about the larger of making and
/// writing it, not their sum. At most a few chunks wait at any time.
func writeInBackground(
  to out: inout some TextOutputStream, _ produce: @escaping (inout BackgroundText) -> Void
) {
  let pipe = TextPipe()
  let job = UncheckedJob(produce)
  Thread {
    var stream = BackgroundText(pipe: pipe)
    job.body(&stream)
    pipe.close()
  }.start()
  while let chunk = pipe.next() { out.write(String(decoding: chunk, as: UTF8.self)) }
}

/// The producing thread's end of the pipe.
struct BackgroundText {
  fileprivate let pipe: TextPipe

  /// Sends `bytes` (UTF-8) and leaves it empty, its capacity kept.
  mutating func send(_ bytes: inout [UInt8]) {
    guard !bytes.isEmpty else { return }
    let capacity = bytes.capacity
    pipe.send(bytes)
    bytes = []
    bytes.reserveCapacity(capacity)
  }
}

/// A closure that runs on the producing thread only (its captures are not shared meanwhile).
private final class UncheckedJob: @unchecked Sendable {
  let body: (inout BackgroundText) -> Void

  init(_ body: @escaping (inout BackgroundText) -> Void) {
    self.body = body
  }
}

private final class TextPipe: @unchecked Sendable {
  private let condition = NSCondition()
  /// Guarded by `condition`.
  private var chunks: [[UInt8]] = []
  private var closed = false
  private static let capacity = 8

  func send(_ chunk: [UInt8]) {
    condition.lock()
    defer { condition.unlock() }
    while chunks.count >= Self.capacity { condition.wait() }
    chunks.append(chunk)
    condition.broadcast()
  }

  func close() {
    condition.lock()
    defer { condition.unlock() }
    closed = true
    condition.broadcast()
  }

  /// The next chunk, nil once the producer closed the pipe and every chunk was taken.
  func next() -> [UInt8]? {
    condition.lock()
    defer { condition.unlock() }
    while chunks.isEmpty && !closed { condition.wait() }
    guard !chunks.isEmpty else { return nil }
    let chunk = chunks.removeFirst()
    condition.broadcast()
    return chunk
  }
}
