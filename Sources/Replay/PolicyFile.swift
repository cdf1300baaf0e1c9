import Foundation
import LibraryDomain

/// A policy file: a JSON object with `loan_days` and/or `max_loans`, nothing else.
public struct PolicyFile: Sendable, Equatable {
  public var loanDays: Int?
  public var maxLoans: Int?

  /// Why a policy file cannot be used.
  public enum Problem: Error, Sendable, Equatable {
    case unreadable(String)
    case invalid(String)

    public var message: String {
      switch self {
      case .unreadable(let message), .invalid(let message): message
      }
    }
  }

  public init(path: String) throws(Problem) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable("\(path): cannot read policy file")
    }
    guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw .invalid("\(path): policy file is not a JSON object such as {\"loan_days\": 21}")
    }
    for key in object.keys.sorted() where key != "loan_days" && key != "max_loans" {
      throw .invalid("\(path): unknown key \"\(key)\" (known: loan_days, max_loans)")
    }
    // JSONDecoder tells 1 from true, which JSONSerialization's NSNumber does not on Linux.
    struct Fields: Decodable {
      var loanDays: Int?
      var maxLoans: Int?
      enum CodingKeys: String, CodingKey {
        case loanDays = "loan_days"
        case maxLoans = "max_loans"
      }
    }
    guard let fields = try? JSONDecoder().decode(Fields.self, from: data) else {
      throw .invalid("\(path): loan_days and max_loans must be whole numbers")
    }
    for (key, value) in [("loan_days", fields.loanDays), ("max_loans", fields.maxLoans)] {
      if let value, value < 0 { throw .invalid("\(path): \(key) must be 0 or more") }
    }
    loanDays = fields.loanDays
    maxLoans = fields.maxLoans
  }

  /// The policy with this file's values over `base`.
  public func applied(to base: ReplayPolicy) -> ReplayPolicy {
    ReplayPolicy(loanDays: loanDays ?? base.loanDays, maxLoans: maxLoans ?? base.maxLoans)
  }
}
