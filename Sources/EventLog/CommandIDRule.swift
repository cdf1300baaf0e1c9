import Crypto
import LibraryDomain

/// The fields the duplicate check compares: a command's normalised event fields (docs/importing.md:
/// type, isbn, title, author, quantity, user_id, occurred_at).
public struct CommandContent: Sendable, Equatable {
  public var type: String
  public var isbn: String
  public var title: String
  public var author: String
  public var quantity: Int64?
  public var userID: String
  public var occurredMicroseconds: Int64

  public init(
    type: String, isbn: String, title: String, author: String, quantity: Int64?, userID: String,
    occurredMicroseconds: Int64
  ) {
    self.type = type
    self.isbn = isbn
    self.title = title
    self.author = author
    self.quantity = quantity
    self.userID = userID
    self.occurredMicroseconds = occurredMicroseconds
  }
}

/// An event logged with a command id, as the duplicate check sees it.
public struct LoggedCommand: Sendable, Equatable {
  public var position: Int64
  public var commandID: String
  public var content: CommandContent

  public init(position: Int64, commandID: String, content: CommandContent) {
    self.position = position
    self.commandID = commandID
    self.content = content
  }
}

/// A command's id and content in 16 bytes: what a dry run keeps of the rows it pretends to
/// append (two SHA-256 prefixes; different commands share one with a chance of 2^-64).
public struct CommandFingerprint: Sendable, Equatable {
  public var id: UInt64
  public var content: UInt64

  init(commandID: String, content: CommandContent) {
    id = Self.digest(Array(commandID.utf8))
    var bytes: [UInt8] = []
    for text in [content.type, content.isbn, content.title, content.author, content.userID] {
      bytes += Array("\(text.utf8.count):".utf8) + Array(text.utf8) + [UInt8(ascii: ",")]
    }
    bytes += Array(
      "\(content.quantity.map(String.init) ?? "-"),\(content.occurredMicroseconds)".utf8)
    self.content = Self.digest(bytes)
  }

  private static func digest(_ bytes: [UInt8]) -> UInt64 {
    SHA256.hash(data: bytes).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
  }
}

/// An event logged under a key, as the rule compares it: in full, or (in a dry run) as the
/// fingerprint of a row the run pretended to append.
enum LoggedEntry {
  case command(LoggedCommand)
  case fingerprint(position: Int64, CommandFingerprint)

  var position: Int64 {
    switch self {
    case .command(let command): command.position
    case .fingerprint(let position, _): position
    }
  }
}

/// The command-id rule, whatever keeps the log: a row whose id is logged (before this block, or
/// by an earlier row of this one) is a duplicate when its content is the same and a conflict
/// otherwise; the first row of an id is appended. Every store decides through it.
enum CommandIDRule {
  /// What the rule decided for one row of a block.
  enum Decision {
    case append
    case duplicate(Int64)
    case conflict(Int64)
    /// Same command id as an earlier row of the block (which is appended).
    case duplicateOfRow(Int)
    case conflictWithRow(Int)
  }

  /// The block's rows with a command id, by key, then row.
  static func keyedRows(_ block: AppendBlock) -> [(key: Int64, row: Int32)] {
    var keyed: [(key: Int64, row: Int32)] = []
    for index in 0..<block.count {
      if let key = block.rows[index].key { keyed.append((key, Int32(index))) }
    }
    keyed.sort { $0.key != $1.key ? $0.key < $1.key : $0.row < $1.row }
    return keyed
  }

  /// Decides each row. `keyed` is `keyedRows(block)`; `logged` holds the events logged under
  /// those keys, sorted by key (any order within a key).
  static func decide(
    _ block: AppendBlock, keyed: [(key: Int64, row: Int32)],
    logged: [(key: Int64, event: LoggedEntry)]
  ) -> [Decision] {
    var decisions = [Decision](repeating: .append, count: block.count)
    var hit = 0
    var start = 0
    while start < keyed.count {
      let key = keyed[start].key
      var end = start + 1
      while end < keyed.count, keyed[end].key == key { end += 1 }
      var events: [LoggedEntry] = []
      while hit < logged.count, logged[hit].key < key { hit += 1 }
      while hit < logged.count, logged[hit].key == key {
        events.append(logged[hit].event)
        hit += 1
      }
      if events.isEmpty && end - start == 1 {
        start = end
        continue
      }
      var firsts: [Int] = []
      for entry in keyed[start..<end] {
        let row = Int(entry.row)
        let id = block.commandID(row)
        if let (event, same) = match(events, id: id, content: content(block, row)) {
          decisions[row] = same ? .duplicate(event.position) : .conflict(event.position)
        } else if let earlier = firsts.first(where: { block.commandID($0) == id }) {
          decisions[row] =
            content(block, earlier) == content(block, row)
            ? .duplicateOfRow(earlier) : .conflictWithRow(earlier)
        } else {
          firsts.append(row)
        }
      }
      start = end
    }
    return decisions
  }

  /// Turns decisions into outcomes, in row order: each appended row takes the next position
  /// (`next` is called once per appended row, with the row, and returns its position).
  static func outcomes(
    _ decisions: [Decision], into block: inout AppendBlock, next: (Int) throws -> Int64
  ) rethrows {
    block.outcomes.removeAll(keepingCapacity: true)
    var positions = [Int64](repeating: 0, count: decisions.count)
    for (index, decision) in decisions.enumerated() {
      switch decision {
      case .append:
        positions[index] = try next(index)
        block.outcomes.append(.appended(position: positions[index]))
      case .duplicate(let position):
        block.outcomes.append(.duplicate(of: position))
      case .conflict(let position):
        block.outcomes.append(.conflict(with: position))
      case .duplicateOfRow(let earlier):
        block.outcomes.append(.duplicate(of: positions[earlier]))
      case .conflictWithRow(let earlier):
        block.outcomes.append(.conflict(with: positions[earlier]))
      }
    }
  }

  /// The first logged event with the command id `id`, and whether its content is `content`.
  private static func match(
    _ events: [LoggedEntry], id: String, content: CommandContent
  ) -> (LoggedEntry, Bool)? {
    var fingerprint: CommandFingerprint?
    for event in events {
      switch event {
      case .command(let command) where command.commandID == id:
        return (event, command.content == content)
      case .fingerprint(_, let other):
        let mine = fingerprint ?? CommandFingerprint(commandID: id, content: content)
        fingerprint = mine
        if other.id == mine.id { return (event, other.content == mine.content) }
      default:
        continue
      }
    }
    return nil
  }

  /// The keys of the block's appended rows with their positions, in key order (`keyed` is
  /// `keyedRows(block)`, outcomes set).
  static func appendedKeys(_ block: AppendBlock, keyed: [(key: Int64, row: Int32)]) -> [(
    key: Int64, position: Int64
  )] {
    keyed.compactMap { entry in
      guard case .appended(let position) = block.outcomes[Int(entry.row)] else { return nil }
      return (entry.key, position)
    }
  }

  /// A row's content as the duplicate check compares it.
  static func content(_ block: AppendBlock, _ row: Int) -> CommandContent {
    func text(_ field: AppendBlock.Field) -> String {
      String(decoding: block.field(row, field), as: UTF8.self)
    }
    return CommandContent(
      type: block.rows[row].type.rawValue, isbn: text(.isbn), title: text(.title),
      author: text(.author), quantity: block.rows[row].quantity, userID: text(.userID),
      occurredMicroseconds: block.rows[row].occurredMicroseconds)
  }
}
