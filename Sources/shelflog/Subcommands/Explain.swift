import ArgumentParser
import LibraryDomain
import Replay
import Reports

extension Shelflog {
  /// The events behind a number: a book's or a user's events at a cut, with what each raised
  /// and the state after it.
  struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show the events behind a book's or a user's numbers at a point in time.",
      discussion: """
        Every applied event of the book or user in replay order, with its position, times, \
        batch and hash, the anomalies it raised and the state after it (the book's inventory \
        row, or the user's open loans); then the events the cut leaves out and why (not_known: \
        recorded after --known-at; after_at: occurred after --at).
        """,
      subcommands: [Book.self, User.self])

    struct Book: ParsableCommand {
      static let configuration = CommandConfiguration(
        abstract: "Explain one book (ISBN-10 or ISBN-13, in any form import accepts).")

      @Argument(help: "The ISBN.") var isbn: String
      @OptionGroup var options: ExplainOptions

      func validate() throws {
        if ISBN(isbn) == nil { throw ValidationError("\(isbn) is not a valid ISBN-10 or ISBN-13") }
      }

      func run() throws {
        guard let isbn = ISBN(isbn) else { return }
        try options.run(.book(isbn))
      }
    }

    struct User: ParsableCommand {
      static let configuration = CommandConfiguration(abstract: "Explain one user's loans.")

      @Argument(help: "The user id.") var userID: String
      @OptionGroup var options: ExplainOptions

      func run() throws {
        try options.run(.user(userID))
      }
    }
  }
}

/// The options `explain book` and `explain user` share.
struct ExplainOptions: ParsableArguments {
  @OptionGroup var log: LogOptions
  @OptionGroup var cut: ReplayArguments

  @Option(help: "table, json or md.")
  var format = "table"

  @OptionGroup var table: TableOptions

  func validate() throws {
    guard let format = ReportFormat(rawValue: format), [.table, .json, .md].contains(format) else {
      throw ValidationError("--format \(format) is not table, json or md")
    }
    if cut.asksForActivity {
      throw ValidationError("--every and --from apply to the activity report only")
    }
  }

  func run(_ subject: ExplainSubject) throws {
    let policy = try cut.resolvedPolicy()
    let store = try log.open(.read)
    let started = Diagnostics.clock()
    let explanation: Explanation
    do {
      explanation = try Explainer.explain(
        store, subject, cut: cut.cut(now: .now()), policy: policy)
    } catch {
      throw Failure(replay: error)
    }
    Diagnostics.debug(
      "explained \(explanation.events.count) events in \(Diagnostics.since(started)),"
        + (explanation.fromIndex ? " anomalies from the anomaly index" : " anomalies from a fold"))
    let output = Output()
    var stream = StandardOutput(output: output)
    ExplainWriter(explanation, layout: table.layout).write(
      as: ReportFormat(rawValue: format) ?? .table, to: &stream)
    output.flush()
  }
}
