import EventLog
import Ingest
import Replay

/// A failure the executable reports as one line and an exit code of the README.
struct Failure: Error {
  var code: Int32
  var message: String

  static let verifyFault: Int32 = 1
  static let usage: Int32 = 64
  static let dataError: Int32 = 65
  static let noInput: Int32 = 66
  static let cannotCreate: Int32 = 73
  static let ioError: Int32 = 74
  static let busy: Int32 = 75

  init(code: Int32, message: String) {
    self.code = code
    self.message = message
  }

  init(_ error: EventLogError) {
    let code: Int32 =
      switch error {
      case .notFound, .notALog: Self.noInput
      case .newerSchema: Self.dataError
      case .busy, .modelMoved: Self.busy
      case .readOnly, .notEmpty: Self.cannotCreate
      case .io, .database: Self.ioError
      }
    self.init(code: code, message: error.message)
  }

  init(_ error: IngestError, file: String) {
    let code =
      switch error {
      case .badHeader: Self.dataError
      case .io: Self.ioError
      }
    self.init(code: code, message: "\(file): \(error.message)")
  }

  init(replay error: ReplayError) {
    switch error {
    case .log(let error): self.init(error)
    case .spill: self.init(code: Self.ioError, message: error.message)
    case .tooManyPeriods: self.init(code: Self.usage, message: error.message)
    }
  }
}
