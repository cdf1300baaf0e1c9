import ArgumentParser
import Foundation
import LibraryDomain
import Workload

extension Shelflog {
  /// Writes a deterministic, realistic workload: one batch file or a fixture-like folder.
  struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a deterministic, realistic command workload (demo data, load tests).",
      discussion: """
        ~20,000 ISBNs and ~50,000 users; popular titles borrowed more; returns mostly of open \
        loans; a few percent of anomalies and late arrivals; UUID-style command ids; titles \
        with commas, quotes and non-ASCII text. Same --rows and --seed, same bytes. With \
        --batches K, --out is a folder laid out as a fixture case (batches/NNNN.csv and \
        recorded_at), ready for 'shelflog audit'.
        """)

    @Option(help: "How many command rows.")
    var rows: Int

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("A CSV file, or with --batches a folder.", valueName: "path"))
    var out: String

    @Option(help: "Split the rows into this many nightly batches (a fixture-case folder).")
    var batches: Int = 1

    @Option(
      help: ArgumentHelp(
        "The business time of the first rows (default 2020-01-01T00:00:00Z); a few late rows"
          + " fall up to ten days before it.", valueName: "time"))
    var start: String?

    func validate() throws {
      guard rows >= 0 else { throw ValidationError("--rows takes 0 or more") }
      guard batches >= 1 else { throw ValidationError("--batches takes 1 or more") }
      if let start, Timestamp(cut: start) == nil {
        throw ValidationError("--start \(start) is not a time (2024-03-01T09:30:00Z) or a date")
      }
    }

    func run() throws {
      var generator =
        if let time = start.flatMap({ Timestamp(cut: $0) }) {
          WorkloadGenerator(seed: seed, start: time)
        } else {
          WorkloadGenerator(seed: seed)
        }
      guard batches > 1 else {
        try write(path: out, rows: rows, with: &generator)
        return
      }
      let folder = "\(out)/batches"
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw Failure(code: Failure.cannotCreate, message: "\(folder): cannot create folder")
      }
      var times = ""
      for index in 0..<batches {
        let count = rows / batches + (index < rows % batches ? 1 : 0)
        let last = try write(
          path: "\(folder)/\(String(format: "%04d", index + 1)).csv", rows: count, with: &generator)
        // Each batch is imported the night after its last business time.
        let night = (last.microseconds / 86_400_000_000 + 1) * 86_400_000_000 + 7_200_000_000
        times += Timestamp(microseconds: night).description + "\n"
      }
      try writeText(times, to: "\(out)/recorded_at")
    }

    /// Writes one batch file; returns the generator's clock after it.
    @discardableResult
    private func write(path: String, rows: Int, with generator: inout WorkloadGenerator)
      throws(Failure) -> Timestamp
    {
      guard let file = fopen(path, "w") else {
        throw Failure(code: Failure.cannotCreate, message: "\(path): cannot create")
      }
      var text = WorkloadGenerator.header
      for _ in 0..<rows {
        generator.appendRow(to: &text)
        if text.utf8.count >= 1 << 20 {
          guard fputs(text, file) >= 0 else { break }
          text = ""
        }
      }
      let failed = fputs(text, file) < 0
      guard fclose(file) == 0, !failed else {
        throw Failure(code: Failure.ioError, message: "\(path): cannot write")
      }
      return generator.clockTime
    }

    private func writeText(_ text: String, to path: String) throws(Failure) {
      do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        throw Failure(code: Failure.cannotCreate, message: "\(path): cannot write")
      }
    }
  }
}
