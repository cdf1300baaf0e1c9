import Foundation

/// A thread of its own that runs Swift tasks. PostgresNIO offers `COPY … FROM STDIN` as an
/// `async` call only, and the store is synchronous: a copy runs as a task on this thread while
/// the writer's thread waits for its answer (`PostgresSession.copy`). On Swift's cooperative
/// pool (one thread per core) a caller that waits there, as tests do, could hold the very
/// thread the task needs.
final class CopyExecutor: TaskExecutor, @unchecked Sendable {
  static let shared = CopyExecutor()

  private let condition = NSCondition()
  private var jobs: [UnownedJob] = []

  private init() {
    let thread = Thread { [self] in run() }
    thread.name = "shelflog-copy"
    thread.start()
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    condition.lock()
    jobs.append(job)
    condition.signal()
    condition.unlock()
  }

  /// Runs the jobs in the order they came, for as long as the process lives.
  private func run() {
    while true {
      condition.lock()
      while jobs.isEmpty { condition.wait() }
      let job = jobs.removeFirst()
      condition.unlock()
      job.runSynchronously(on: asUnownedTaskExecutor())
    }
  }
}
