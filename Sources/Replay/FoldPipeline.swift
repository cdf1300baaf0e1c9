import Foundation
import LibraryDomain

/// Folds on a second thread while the calling thread reads the log: the reading thread copies
/// each row into a batch (its user id and command id as bytes), and a worker applies whole
/// batches to the library. Two cores then share a replay that SQLite alone would keep one of
/// them busy with. Batches are recycled: memory is a few batches, whatever the log's length.
///
/// The reading thread's side is this struct (a local variable: no dynamic exclusivity checks on
/// the hot path); the two threads meet only in `Channel`, once per batch.
struct FoldPipeline {
  /// One event of a batch; `bytes[userStart..<userEnd]` is the user id and
  /// `bytes[userEnd..<commandEnd]` the command id.
  fileprivate struct Entry {
    var position: Int64
    var occurredAt: Int64
    var isbn: ISBN
    var quantity: Int
    var type: EventType
    var userStart: Int32
    var userEnd: Int32
    var commandEnd: Int32
    /// The index of a BookAdded's title and author in `texts`, -1 otherwise.
    var text: Int32
  }

  fileprivate struct Batch {
    var entries: [Entry] = []
    var bytes: [UInt8] = []
    var texts: [(title: String, author: String)] = []

    init() {
      entries.reserveCapacity(FoldPipeline.batchSize)
      bytes.reserveCapacity(FoldPipeline.batchSize * 48)
    }

    mutating func reset() {
      entries.removeAll(keepingCapacity: true)
      bytes.removeAll(keepingCapacity: true)
      texts.removeAll(keepingCapacity: true)
    }
  }

  static let batchSize = 4096

  private var filling = Batch()
  private var channel: Channel?

  init() {}

  /// Whether the worker runs (the state then belongs to it until `finish`).
  var started: Bool { channel != nil }

  /// Starts the worker with `library` and `sink`, which belong to it until `finish`.
  mutating func start(library: inout Library, sink: SpillSink) {
    guard channel == nil else { return }
    channel = Channel(library: library, sink: sink)
    library = Library(policy: library.policy)
  }

  /// Queues one row for the worker (after `start`).
  mutating func push(_ row: EventRow) {
    let userStart = Int32(filling.bytes.count)
    filling.bytes.append(contentsOf: row.userID)
    let userEnd = Int32(filling.bytes.count)
    row.withCommandID { filling.bytes.append(contentsOf: $0) }
    var text: Int32 = -1
    if row.type == .bookAdded {
      text = Int32(filling.texts.count)
      filling.texts.append((row.title, row.author))
    }
    filling.entries.append(
      Entry(
        position: row.position, occurredAt: row.occurredAt.microseconds, isbn: row.isbn,
        quantity: row.quantity, type: row.type, userStart: userStart, userEnd: userEnd,
        commandEnd: Int32(filling.bytes.count), text: text))
    if filling.entries.count >= Self.batchSize {
      filling = channel!.exchange(filling)
    }
  }

  /// Waits for the worker to apply every queued row and hands the state back (unchanged when no
  /// row was pushed).
  mutating func finish(library: inout Library, sink: inout SpillSink) {
    guard let channel else { return }
    (library, sink) = channel.finish(last: filling)
    filling.reset()
    self.channel = nil
  }
}

/// Where the reading thread hands filled batches to the worker and takes empty ones back.
private final class Channel: @unchecked Sendable {
  private let condition = NSCondition()
  /// Guarded by `condition`.
  private var filled: [FoldPipeline.Batch] = []
  private var spare: [FoldPipeline.Batch] = [FoldPipeline.Batch(), FoldPipeline.Batch()]
  private var ending = false
  private var ended = false
  /// The worker's while it runs; handed back by `finish`.
  private var library: Library
  private var sink: SpillSink
  /// What `Library.prefetch` returned (kept, so its reads stay).
  private(set) var warmth = 0

  init(library: Library, sink: SpillSink) {
    self.library = library
    self.sink = sink
    Thread { [self] in work() }.start()
  }

  /// Queues a filled batch and returns an empty one (waiting while the worker is behind).
  func exchange(_ batch: FoldPipeline.Batch) -> FoldPipeline.Batch {
    condition.lock()
    defer { condition.unlock() }
    filled.append(batch)
    condition.broadcast()
    while spare.isEmpty { condition.wait() }
    return spare.removeLast()
  }

  func finish(last: FoldPipeline.Batch) -> (Library, SpillSink) {
    condition.lock()
    defer { condition.unlock() }
    if !last.entries.isEmpty { filled.append(last) }
    ending = true
    condition.broadcast()
    while !ended { condition.wait() }
    return (library, sink)
  }

  private func work() {
    condition.lock()
    var library = self.library
    var sink = self.sink
    // The worker's copy is now the only one (no copy-on-write on the first event).
    self.library = Library(policy: library.policy)
    condition.unlock()
    while true {
      condition.lock()
      while filled.isEmpty && !ending { condition.wait() }
      guard !filled.isEmpty else {
        self.library = library
        self.sink = sink
        ended = true
        condition.broadcast()
        condition.unlock()
        return
      }
      var batch = filled.removeFirst()
      condition.unlock()
      warmth &+= Self.fold(batch, into: &library, sink: &sink)
      batch.reset()
      condition.lock()
      spare.append(batch)
      condition.broadcast()
      condition.unlock()
    }
  }

  /// Applies a batch, a group of events at a time, each group prefetched first.
  private static func fold(
    _ batch: FoldPipeline.Batch, into library: inout Library, sink: inout SpillSink
  ) -> Int {
    let group = 16
    var warmth = 0
    batch.bytes.withUnsafeBufferPointer { bytes in
      var command = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
      let withCommandID: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void = { body in body(command) }
      for (index, entry) in batch.entries.enumerated() {
        if index % group == 0 {
          let first = index
          warmth &+= library.prefetch(
            min(group, batch.entries.count - first),
            user: {
              let entry = batch.entries[first + $0]
              return UnsafeBufferPointer(
                rebasing: bytes[Int(entry.userStart)..<Int(entry.userEnd)])
            },
            isbn: { batch.entries[first + $0].isbn })
        }
        command = UnsafeBufferPointer(
          rebasing: bytes[Int(entry.userEnd)..<Int(entry.commandEnd)])
        let text = entry.text >= 0 ? batch.texts[Int(entry.text)] : ("", "")
        library.apply(
          row: EventRow(
            position: entry.position, occurredAt: Timestamp(microseconds: entry.occurredAt),
            type: entry.type, isbn: entry.isbn, quantity: entry.quantity, title: text.0,
            author: text.1,
            userID: UnsafeBufferPointer(
              rebasing: bytes[Int(entry.userStart)..<Int(entry.userEnd)]),
            withCommandID: withCommandID),
          sink: &sink)
      }
    }
    return warmth
  }
}
