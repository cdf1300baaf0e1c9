import GRDB
import GRDBSQLite

/// Steps a prepared statement through its rows, calling `body` on each until it returns false;
/// a failed step becomes a `DatabaseError` with SQLite's message. The hot loops (replay, verify)
/// read columns through the C API on the handle.
func forEachRow(_ handle: OpaquePointer, _ body: () throws -> Bool) throws {
  while true {
    let code = sqlite3_step(handle)
    if code == SQLITE_DONE { return }
    guard code == SQLITE_ROW else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code),
        message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
    }
    if try !body() { return }
  }
}
