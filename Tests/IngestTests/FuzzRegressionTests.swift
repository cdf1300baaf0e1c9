import Ingest
import LibraryDomain
import Testing

/// Inputs on which the ShelflogFuzz target (Fuzz/README.md) found a broken invariant, each kept
/// with the rule it broke once the bug was fixed.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
  private static let header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

  private static func addBook(quantity: String) -> String {
    header + "c1,AddBook,9781593275846,T,A,\(quantity),,2024-03-01T09:00:00Z\n"
  }

  /// The quantity rule read at most seven bytes, so `0000015` was 15 but `00000015` (the
  /// fuzzer's crash, found in a demo batch's row) was bad_quantity: acceptance hung on how many
  /// leading zeros a quantity had.
  @Test(
    "a quantity is judged by its value, whatever its leading zeros",
    arguments: [
      ("00000015", 15), ("00000001", 1), ("0000000000000000000000000000000000000000007", 7),
      ("0001000000", 1_000_000),
    ])
  func quantityWithLeadingZeros(_ text: String, _ value: Int) throws {
    let result = try validate(Self.addBook(quantity: text))
    #expect(result.rejects.isEmpty, "\(result.rejects)")
    guard case .bookAdded(let added) = try #require(result.rows.first).event else {
      Issue.record("not a BookAdded row")
      return
    }
    #expect(added.quantity == value)
  }

  /// Values past the limit or zero stay bad_quantity however they are written, and a long run of
  /// digits cannot overflow.
  @Test(
    "a quantity out of range stays bad_quantity",
    arguments: [
      "00000000", "00001000001", String(repeating: "9", count: 40),
      "1" + String(repeating: "0", count: 30),
    ])
  func quantityOutOfRange(_ text: String) throws {
    let result = try validate(Self.addBook(quantity: text))
    #expect(result.rows.isEmpty)
    #expect(result.rejects.map(\.code) == [.badQuantity])
    #expect(result.rejects.map(\.column) == [6])
  }
}
