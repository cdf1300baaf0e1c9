import Foundation

/// Sleeps until a log may have changed.
public protocol ChangeWatch: AnyObject {
  /// Returns when the log may have changed since the watch was made or last returned, or after
  /// `timeout` seconds; may return early.
  func wait(timeout: Double)
}

/// A watch that can only sleep: wakes every `interval` seconds at most.
public final class PollingWatch: ChangeWatch {
  private let interval: Double

  public init(interval: Double) {
    self.interval = interval
  }

  public func wait(timeout: Double) {
    Thread.sleep(forTimeInterval: max(0, min(timeout, interval)))
  }
}
