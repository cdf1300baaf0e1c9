import LibraryDomain
import Plumbing

/// Folds on a second thread while the calling thread reads the log: blocks of events go to a
/// worker that applies them, and come back empty to be filled again. Two cores then share a
/// replay that SQLite alone would keep one of them busy with; memory is a few blocks, whatever
/// the log's length.
struct FoldPipeline {
  private let filled = HandOff<EventRows>(capacity: 2)
  private let spare = HandOff<EventRows>(capacity: 3)
  private let worker: Background<ReplayFold>

  /// Starts the worker with `fold`, which belongs to it until `finish`.
  init(_ fold: ReplayFold) {
    let filled = self.filled
    let spare = self.spare
    spare.send(EventRows())
    spare.send(EventRows())
    worker = Background {
      var fold = fold
      while var rows = filled.next() {
        fold.apply(rows)
        rows.removeAll()
        spare.send(rows)
      }
      return fold
    }
  }

  /// Hands a filled block to the worker and takes an empty one in its place.
  func push(_ rows: inout EventRows) {
    var next = spare.next() ?? EventRows()
    swap(&rows, &next)
    filled.send(next)
  }

  /// Waits for the worker to apply every block and hands the fold back.
  func finish() -> ReplayFold {
    filled.close()
    // The worker's body does not throw.
    guard let state = try? worker.result() else { preconditionFailure("fold worker failed") }
    return state
  }
}
