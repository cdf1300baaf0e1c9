import Crypto
import Foundation
import Testing

/// docs/log-format.md: the hash chain, re-computed here from `log --format jsonl` alone.
@Suite("Hash chain")
struct HashChainTests {
  /// The canonical bytes of one event: netstrings of its fields in the order of docs/log-format.md.
  static func canonical(_ event: [String: Any]) throws -> [UInt8] {
    func text(_ key: String) throws -> String {
      try #require(event[key] as? String, "\(key) is not a string in \(event)")
    }
    let position = try #require(event["position"] as? Int, "no position in \(event)")
    let quantity: String
    if let number = event["quantity"] as? Int {
      quantity = String(number)
    } else {
      #expect(event["quantity"] is NSNull, "quantity is a number or null: \(event)")
      quantity = ""
    }
    let fields = [
      String(position), try text("type"), try text("command_id"), try text("isbn"),
      try text("title"), try text("author"), quantity, try text("user_id"),
      try text("occurred_at"), try text("recorded_at"), try text("batch"),
    ]
    var bytes: [UInt8] = []
    for field in fields {
      let utf8 = Array(field.utf8)
      bytes += Array(String(utf8.count).utf8) + [UInt8(ascii: ":")] + utf8 + [UInt8(ascii: ",")]
    }
    return bytes
  }

  static func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  @Test func everyHashRecomputesFromTheJSONL() async throws {
    let box = try Sandbox()
    defer { box.remove() }
    let first = Data(
      csv(
        fullHeader,
        [
          "a1,AddBook,0-306-40615-2,\"War, Peace and \"\"Quotes\"\"\",Tolstoï Лев,3,,"
            + "2024-03-01T09:00:00+02:00",
          "a2,AddBook,\(isbn13(42)),\"  Émoji 📚 title, ok \",Zoë 🦊,1,,2024-03-01T09:00:00.25Z",
          ",BorrowBook,0306406152,ignored title,,,alice.b@x-y_z,2024-03-02T10:00:00Z",
          "r1,ReturnBook,\(isbn13(42)),,,,alice.b@x-y_z,2024-03-03T10:00:00.123456-05:30",
        ]
      ).utf8)
    // A second batch with a BOM, CRLF line ends and its columns in another order.
    let second =
      Data([0xEF, 0xBB, 0xBF])
      + Data(
        ("occurred_at,isbn,command,user_id,command_id\r\n"
          + "2024-03-04T00:00:00Z,978-0-306-40615-7,RemoveBook,,x9\r\n"
          + "2024-03-04T01:00:00Z,\(isbn13(42)),BorrowBook,BOB,\r\n").utf8)
    try box.write("first.csv", first)
    try box.write("second.csv", second)
    let one = try await box.shelflog(
      ["import", "first.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T00:00:00Z"])
    #expect(one.status == 0, "\(one)")
    let two = try await box.shelflog(
      [
        "import", "second.csv", "--db", "log.sqlite", "--recorded-at",
        "2024-03-06T12:00:00.5+00:00",
      ])
    #expect(two.status == 0, "\(two)")

    let events = try await box.events()
    try #require(events.count == 6)

    var previous = [UInt8](repeating: 0, count: 32)
    for (index, event) in events.enumerated() {
      #expect(event["position"] as? Int == index + 1)
      var hasher = SHA256()
      hasher.update(data: previous)
      hasher.update(data: try Self.canonical(event))
      previous = Array(hasher.finalize())
      #expect(event["hash"] as? String == Self.hex(previous), "hash of position \(index + 1)")
    }

    // What the stored fields hold, normalised.
    let batches = [sha256Hex(first), sha256Hex(second)]
    #expect(values(events, "batch") == [0, 0, 0, 0, 1, 1].map { batches[$0] })
    #expect(
      values(events, "type") == [
        "BookAdded", "BookAdded", "BookBorrowed", "BookReturned", "BookRemoved", "BookBorrowed",
      ])
    #expect(values(events, "command_id") == ["a1", "a2", "", "r1", "x9", ""])
    #expect(
      values(events, "isbn") == [
        "9780306406157", isbn13(42), "9780306406157", isbn13(42), "9780306406157", isbn13(42),
      ])
    #expect(
      values(events, "title") == ["War, Peace and \"Quotes\"", "Émoji 📚 title, ok", "", "", "", ""])
    #expect(values(events, "author") == ["Tolstoï Лев", "Zoë 🦊", "", "", "", ""])
    #expect(events.map { $0["quantity"] as? Int } == [3, 1, nil, nil, nil, nil])
    #expect(values(events, "user_id") == ["", "", "alice.b@x-y_z", "alice.b@x-y_z", "", "BOB"])
    #expect(
      values(events, "occurred_at") == [
        "2024-03-01T07:00:00Z", "2024-03-01T09:00:00.250000Z", "2024-03-02T10:00:00Z",
        "2024-03-03T15:30:00.123456Z", "2024-03-04T00:00:00Z", "2024-03-04T01:00:00Z",
      ])
    #expect(
      values(events, "recorded_at") == [
        "2024-03-05T00:00:00Z", "2024-03-05T00:00:00Z", "2024-03-05T00:00:00Z",
        "2024-03-05T00:00:00Z", "2024-03-06T12:00:00.500000Z", "2024-03-06T12:00:00.500000Z",
      ])

    let verify = try await box.shelflog(["verify", "--db", "log.sqlite"])
    #expect(verify.status == 0, "\(verify)")
    #expect(verify.stdout.contains(Self.hex(previous)), "verify names the head: \(verify)")
  }

  @Test func sameInputsGiveTheSameChain() async throws {
    var heads: [[String]] = []
    for _ in 0..<2 {
      let box = try Sandbox()
      defer { box.remove() }
      try box.write(
        "a.csv",
        csv(fullHeader, ["a1,AddBook,9780306406157,Dune,Frank Herbert,2,,2024-03-01T09:00:00Z"]))
      let result = try await box.shelflog(
        ["import", "a.csv", "--db", "log.sqlite", "--recorded-at", "2024-03-05T00:00:00Z"])
      #expect(result.status == 0, "\(result)")
      heads.append(values(try await box.events(), "hash"))
    }
    #expect(heads[0] == heads[1] && heads[0].count == 1)
  }
}
