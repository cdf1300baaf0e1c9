import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Watches the folder of a SQLite log with inotify: a commit writes the `-wal` file (or the log
/// itself), which wakes the watch; no polling. Other files changing in the folder wake it too,
/// which costs one read that finds nothing new. Where inotify is missing, `wait` sleeps.
final class FileChangeWatch: ChangeWatch {
  private let descriptor: Int32

  init(path: String) {
    #if canImport(Glibc)
      descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
      let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
      if descriptor >= 0 {
        let mask = UInt32(IN_MODIFY | IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO)
        _ = inotify_add_watch(descriptor, folder, mask)
      }
    #else
      descriptor = -1
    #endif
  }

  deinit {
    if descriptor >= 0 { close(descriptor) }
  }

  func wait(timeout: Double) {
    guard descriptor >= 0 else {
      Thread.sleep(forTimeInterval: timeout)
      return
    }
    var watched = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    _ = poll(&watched, 1, Int32(max(0, min(timeout, 3600)) * 1000))
    // Drain what arrived: the next wait sleeps until the next change.
    var buffer = [UInt8](repeating: 0, count: 4096)
    while read(descriptor, &buffer, buffer.count) > 0 {}
  }
}

extension SQLiteEventStore {
  public func watchChanges() -> any ChangeWatch {
    FileChangeWatch(path: path)
  }
}
