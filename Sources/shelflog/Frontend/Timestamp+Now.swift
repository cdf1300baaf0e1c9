import Foundation
import LibraryDomain

extension Timestamp {
  /// The wall clock, to the microsecond. The domain never reads it; the executable passes it in.
  static func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
  }
}
