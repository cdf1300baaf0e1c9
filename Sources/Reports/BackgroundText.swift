import Plumbing

/// Makes a report's text on a second thread while this one writes it out: `produce` sends UTF-8
/// chunks (the writer's 64 KiB flushes) that reach `out` here, in order, made Strings here (the
/// UTF-8 check shares the work). A large report then costs about the larger of making and
/// writing it, not their sum. At most a few chunks wait at any time.
func writeInBackground(
  to out: inout some TextOutputStream, _ produce: @escaping (inout BackgroundText) -> Void
) {
  let chunks = HandOff<[UInt8]>(capacity: 8)
  let producer = Background {
    var stream = BackgroundText(chunks: chunks)
    produce(&stream)
    chunks.close()
  }
  while let chunk = chunks.next() { out.write(String(decoding: chunk, as: UTF8.self)) }
  try? producer.result()
}

/// The producing thread's end of the hand-off.
struct BackgroundText {
  fileprivate let chunks: HandOff<[UInt8]>

  /// Sends `bytes` (UTF-8) and leaves it empty, its capacity kept.
  mutating func send(_ bytes: inout [UInt8]) {
    guard !bytes.isEmpty else { return }
    let capacity = bytes.capacity
    chunks.send(bytes)
    bytes = []
    bytes.reserveCapacity(capacity)
  }
}
