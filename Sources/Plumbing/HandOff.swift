import Foundation

/// A bounded queue between threads: one side sends items, the other takes them in order,
/// each side waiting while the queue is full or empty. The one way shelflog's threads hand work
/// to each other (the replay's fold worker, a report formatted in the background, verify's
/// second walker).
public final class HandOff<Item>: @unchecked Sendable {
  private let condition = NSCondition()
  /// Guarded by `condition`.
  private var items: [Item] = []
  private var closed = false
  private let capacity: Int

  /// A queue that holds at most `capacity` items; `send` waits while it is full.
  public init(capacity: Int) {
    precondition(capacity > 0, "a hand-off holds at least one item")
    self.capacity = capacity
  }

  /// Queues `item`, waiting while the queue is full.
  public func send(_ item: Item) {
    condition.lock()
    defer { condition.unlock() }
    while items.count >= capacity { condition.wait() }
    items.append(item)
    condition.broadcast()
  }

  /// Says no more items will come: `next` returns nil once the queue is empty.
  public func close() {
    condition.lock()
    defer { condition.unlock() }
    closed = true
    condition.broadcast()
  }

  /// The next item, waiting for one; nil once the queue is closed and empty.
  public func next() -> Item? {
    condition.lock()
    defer { condition.unlock() }
    while items.isEmpty && !closed { condition.wait() }
    guard !items.isEmpty else { return nil }
    // A queue holds a few items: taking the first costs nothing, and keeps no taken item alive.
    let item = items.removeFirst()
    condition.broadcast()
    return item
  }
}

/// Work run on a thread of its own, whose result is taken later (a hand-off of one item).
public final class Background<Value>: @unchecked Sendable {
  private let outcome = HandOff<Result<Value, any Error>>(capacity: 1)
  private var taken: Result<Value, any Error>?

  /// Starts `body` on a new thread. What it captures belongs to that thread until `result()`
  /// returns: the caller must not touch it meanwhile.
  public init(_ body: @escaping () throws -> Value) {
    let job = Job(body)
    let outcome = self.outcome
    Thread.detachNewThread {
      outcome.send(Result { try job.body() })
    }
  }

  /// Waits for the work and returns its value, or throws its error.
  public func result() throws -> Value {
    if taken == nil { taken = outcome.next() }
    return try taken!.get()
  }

  /// A closure handed to the new thread; nothing else runs it.
  private final class Job: @unchecked Sendable {
    let body: () throws -> Value
    init(_ body: @escaping () throws -> Value) { self.body = body }
  }
}
