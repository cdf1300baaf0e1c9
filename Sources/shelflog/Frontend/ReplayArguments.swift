import ArgumentParser
import EventLog
import Foundation
import LibraryDomain
import Replay

/// The policy options shared by `replay`, `report`, `audit`, `explain` and `diff`.
struct PolicyArguments: ParsableArguments {
  @Option(help: ArgumentHelp("Days before a loan is overdue (default 21).", valueName: "days"))
  var loanDays: Int?

  @Option(
    help: ArgumentHelp(
      "Open loans per user before loan_limit_exceeded (default 5).", valueName: "count"))
  var maxLoans: Int?

  @Option(
    help: ArgumentHelp(
      "A JSON policy file: {\"loan_days\": 21, \"max_loans\": 5}; flags win over it.",
      valueName: "file"))
  var policy: String?

  func validate() throws {
    if let loanDays, loanDays < 0 || loanDays > 36_500 {
      throw ValidationError("--loan-days takes 0 to 36500")
    }
    if let maxLoans, maxLoans < 0 { throw ValidationError("--max-loans takes 0 or more") }
  }

  /// The policy: defaults, then the file, then the flags.
  func resolved() throws(Failure) -> ReplayPolicy {
    try ReplayArguments.policy(file: policy, loanDays: loanDays, maxLoans: maxLoans)
  }
}

/// The cut and policy options shared by `replay`, `report`, `audit` and `explain`.
struct ReplayArguments: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Business time of the report (RFC 3339, or a date meaning its last microsecond, UTC).",
      discussion: "Default: now.", valueName: "time"))
  var at: String?

  @Option(
    help: ArgumentHelp(
      "Only what the log knew at this time (events recorded by then).", valueName: "time"))
  var knownAt: String?

  @OptionGroup var policyOptions: PolicyArguments

  @Option(
    help: ArgumentHelp(
      "The activity report's period: day, week (ISO, from Monday) or month (default).",
      valueName: "period"))
  var every: String?

  @Option(
    help: ArgumentHelp(
      "The activity report's first period: the one holding this date or time.",
      discussion: "Default: the period of the first event applied.", valueName: "time"))
  var from: String?

  func validate() throws {
    for (name, value) in [("--at", at), ("--known-at", knownAt)] {
      if let value, Timestamp(cut: value) == nil {
        throw ValidationError(
          "\(name) \(value) is not a time (2024-03-01T09:30:00Z) or a date (2024-03-01)")
      }
    }
    if let every, PeriodLength(rawValue: every) == nil {
      throw ValidationError("--every \(every) is not day, week or month")
    }
    if let from, Timestamp(cut: from) == nil {
      throw ValidationError(
        "--from \(from) is not a time (2024-03-01T09:30:00Z) or a date (2024-03-01)")
    }
  }

  /// Whether `--every` or `--from` was given.
  var asksForActivity: Bool { every != nil || from != nil }

  /// The activity report's options: `--every` (default month) and `--from`.
  var activity: ActivityOptions {
    ActivityOptions(
      every: every.flatMap(PeriodLength.init(rawValue:)) ?? .month,
      from: from.flatMap { Timestamp(cut: $0) })
  }

  /// The cut: `--at` (default now) and `--known-at`.
  func cut(now: Timestamp) -> ReplayCut {
    ReplayCut(
      at: at.flatMap { Timestamp(cut: $0) } ?? now, knownAt: knownAt.flatMap { Timestamp(cut: $0) })
  }

  /// The policy: defaults, then the file, then the flags.
  func resolvedPolicy() throws(Failure) -> ReplayPolicy {
    try policyOptions.resolved()
  }

  /// The policy: defaults, then the file, then the flags.
  static func policy(file policy: String?, loanDays: Int?, maxLoans: Int?) throws(Failure)
    -> ReplayPolicy
  {
    var resolved = ReplayPolicy.standard
    if let policy {
      do {
        resolved = try PolicyFile(path: policy).applied(to: resolved)
      } catch {
        let code = if case .unreadable = error { Failure.noInput } else { Failure.dataError }
        throw Failure(code: code, message: error.message)
      }
    }
    resolved.loanDays = loanDays ?? resolved.loanDays
    resolved.maxLoans = maxLoans ?? resolved.maxLoans
    return resolved
  }
}

/// Parses a comma-separated format list.
func parseFormats<Format: RawRepresentable & CaseIterable>(_ text: String, as: Format.Type) throws
  -> [Format] where Format.RawValue == String
{
  try text.split(separator: ",").map { name in
    guard let format = Format(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
      throw ValidationError(
        "unknown format \(name); expected \(Format.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    return format
  }
}
