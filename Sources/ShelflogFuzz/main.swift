// The target's only entry point is `LLVMFuzzerTestOneInput`; this file holds nothing else.
//
// It is named main.swift so that a normal `swift build` links: a file by that name gives the
// executable an (empty) `main`. Under `--sanitize=fuzzer` the compiler parses the module as a
// library, so there is no Swift `main` and libFuzzer's takes over. Top-level statements here
// would therefore break the fuzzer build. How to build and run: Fuzz/README.md.

/// Feeds one input through the CSV reader, the header check and the row validator under several
/// read sizes and limits, and stops the process when an invariant breaks, so libFuzzer saves the
/// input as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
  IngestInvariants.check(bytes)
  return 0
}
