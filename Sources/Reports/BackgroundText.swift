import Plumbing

/// A text stream that also takes UTF-8 bytes as they are (a report file): text made from
/// Strings needs no second UTF-8 check on its way out.
public protocol UTF8OutputStream: TextOutputStream {
  mutating func write(utf8 bytes: UnsafeRawBufferPointer)
}

/// Makes a report's text on a second thread while this one writes it out: `produce` sends UTF-8
/// chunks (the writer's 64 KiB flushes) that reach `out` here, in order: as bytes to a
/// `UTF8OutputStream`, else made Strings here. A large report then costs about the larger of
/// making and writing it, not their sum. At most a few chunks wait at any time.
func writeInBackground<Out: TextOutputStream>(
  to out: inout Out, _ produce: @escaping (inout BackgroundText) -> Void
) {
  let chunks = HandOff<[UInt8]>(capacity: 8)
  let producer = Background {
    var stream = BackgroundText(chunks: chunks)
    produce(&stream)
    chunks.close()
  }
  if var bytes = out as? any UTF8OutputStream {
    while let chunk = chunks.next() { chunk.withUnsafeBytes { bytes.write(utf8: $0) } }
    if let written = bytes as? Out { out = written }
  } else {
    while let chunk = chunks.next() { out.write(String(decoding: chunk, as: UTF8.self)) }
  }
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
