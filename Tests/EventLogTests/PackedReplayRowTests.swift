import Testing

@testable import EventLog

/// The packed part of a PostgreSQL replay row (`PostgresSchema.replayColumns`), read in place.
@Suite("Packed replay row")
struct PackedReplayRowTests {
  static func fixed(type: Int16, isbn: Int64, quantity: Int64) -> [UInt8] {
    withUnsafeBytes(of: type.bigEndian) { Array($0) }
      + withUnsafeBytes(of: isbn.bigEndian) { Array($0) }
      + withUnsafeBytes(of: quantity.bigEndian) { Array($0) }
  }

  @Test func readsTheIntegersAndTheFourTexts() throws {
    let bytes =
      Self.fixed(type: 2, isbn: 9_781_593_275_846, quantity: -7) + Array("c-1".utf8) + [0]
      + Array("Tït\tle".utf8) + [0] + [0] + Array("ann".utf8)
    try bytes.withUnsafeBytes { raw in
      let row = try #require(PackedReplayRow(raw))
      #expect(row.type == 2 && row.isbn == 9_781_593_275_846 && row.quantity == -7)
      #expect(Array(row.commandID) == Array("c-1".utf8))
      #expect(Array(row.title) == Array("Tït\tle".utf8))
      #expect(row.author.isEmpty)
      #expect(Array(row.userID) == Array("ann".utf8))
    }
  }

  /// Bytes not in that form (too short for the integers, or fewer than three zero bytes after
  /// them) are refused, never read past.
  @Test func refusesBytesNotInItsForm() {
    let fixed = Self.fixed(type: 0, isbn: 1, quantity: 0)
    for bytes in [
      Array(fixed.prefix(17)), fixed, fixed + [0, 0], fixed + Array("a".utf8) + [0] + [0],
    ] {
      bytes.withUnsafeBytes { raw in #expect(PackedReplayRow(raw) == nil, "\(bytes.count)") }
    }
    (fixed + [0, 0, 0]).withUnsafeBytes { raw in #expect(PackedReplayRow(raw) != nil) }
  }
}
