/// The current-state model's tables (docs/current-model.md), written once for both stores: each
/// store spells the column kinds in its own SQL (`create`). They are not part of the log's
/// migrations: `project` creates them, an older shelflog ignores them, and dropping them loses
/// nothing the log does not hold.
enum ModelSchema {
  enum Kind {
    case text, optionalText, integer, smallInteger, bytes
  }

  struct Table {
    var name: String
    var columns: [(name: String, kind: Kind)]
    var key: [String]
    /// A rowid table on SQLite (its key an integer alias of the rowid); the others are
    /// `WITHOUT ROWID`.
    var rowid = false
    var check: String?
  }

  /// The four tables, each created under `name + suffix` (a rebuild fills `_next` and renames).
  static let tables = [
    Table(
      name: "current_books",
      columns: [
        ("isbn", .text), ("title", .text), ("author", .text), ("total", .integer),
        ("on_loan", .integer), ("available", .integer), ("status", .text),
      ], key: ["isbn"]),
    Table(
      name: "current_loans",
      columns: [
        ("position", .integer), ("isbn", .text), ("user_id", .text), ("borrowed_at", .text),
        ("due_at", .text), ("borrowed_us", .integer), ("due_us", .integer),
        ("counted", .smallInteger),
      ], key: ["position"], rowid: true),
    Table(
      name: "current_users",
      columns: [
        ("user_id", .text), ("open_loans", .integer), ("max_loans", .integer),
        ("at_limit", .smallInteger),
      ], key: ["user_id"]),
    Table(
      name: "current_anomalies",
      columns: [
        ("occurred_us", .integer), ("position", .integer), ("seq", .integer), ("type", .text),
        ("occurred_at", .text), ("command_id", .optionalText), ("isbn", .text),
        ("user_id", .optionalText), ("detail", .text),
      ], key: ["occurred_us", "position", "seq"]),
  ]

  static let names = tables.map(\.name)

  /// The checkpoint's one row, created when missing.
  static let checkpoint = Table(
    name: "model_checkpoint",
    columns: [
      ("id", .smallInteger), ("model_version", .integer), ("max_loans", .integer),
      ("loan_days", .integer), ("position", .integer), ("hash", .text), ("occurred_us", .integer),
      ("events", .integer), ("guards", .text), ("state", .bytes),
    ], key: ["id"], rowid: true, check: "id = 1")

  /// Indexes of the live tables (made after a rebuild's swap, so their names stay).
  static let indexes = [
    "CREATE INDEX current_loans_by_user ON current_loans (user_id)",
    "CREATE INDEX current_loans_by_isbn ON current_loans (isbn)",
  ]

  /// `CREATE TABLE` for `table` under `name + suffix`, with each kind's type from `type`.
  static func create(
    _ table: Table, suffix: String = "", ifMissing: Bool = false, withoutRowID: Bool,
    type: (Kind) -> String
  ) -> String {
    let columns = table.columns.map { column in
      "\(column.name) \(type(column.kind))\(column.kind == .optionalText ? "" : " NOT NULL")"
    }
    let check = table.check.map { ", CHECK (\($0))" } ?? ""
    return "CREATE TABLE \(ifMissing ? "IF NOT EXISTS " : "")\(table.name)\(suffix) ("
      + columns.joined(separator: ", ") + ", PRIMARY KEY (" + table.key.joined(separator: ", ")
      + ")\(check))" + (withoutRowID && !table.rowid ? " WITHOUT ROWID" : "")
  }
}
