import Crypto
import EventLog
import Testing

@Suite("Hash chain")
struct HashChainTests {
  private static func bytes(_ text: String) -> UnsafeRawBufferPointer {
    // Test strings live as long as the test: a copy that is never freed is fine here.
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: text.utf8.count, alignment: 1)
    copy.copyBytes(from: Array(text.utf8))
    return UnsafeRawBufferPointer(copy)
  }

  private static func fields(quantity: Int64?, title: String = "Café, \"quoted\"") -> EventFields {
    EventFields(
      position: 12, type: bytes("BookAdded"), commandID: bytes(""),
      isbn: bytes("9781593275846"), title: bytes(title), author: bytes("Saša"),
      quantity: quantity, userID: bytes(""), occurredAt: bytes("2024-03-01T09:00:00Z"),
      recordedAt: bytes("2024-03-02T00:00:00.250000Z"), batch: bytes("ab"))
  }

  @Test func canonicalBytesAreNetstringsInSpecOrder() {
    let expected =
      "2:12,9:BookAdded,0:,13:9781593275846,15:Café, \"quoted\",5:Saša,2:10,0:,"
      + "20:2024-03-01T09:00:00Z,27:2024-03-02T00:00:00.250000Z,2:ab,"
    #expect(CanonicalEvent.bytes(Self.fields(quantity: 10)) == Array(expected.utf8))
  }

  @Test func absentQuantityIsAnEmptyNetstring() {
    let expected =
      "2:12,9:BookAdded,0:,13:9781593275846,0:,5:Saša,0:,0:,"
      + "20:2024-03-01T09:00:00Z,27:2024-03-02T00:00:00.250000Z,2:ab,"
    #expect(
      CanonicalEvent.bytes(Self.fields(quantity: nil, title: "")) == Array(expected.utf8))
  }

  @Test func negativeAndLongNumbersKeepTheirLength() {
    var fields = Self.fields(quantity: -1_000_000)
    fields.position = 1_234_567_890_123
    let text = String(decoding: CanonicalEvent.bytes(fields), as: UTF8.self)
    #expect(text.hasPrefix("13:1234567890123,"))
    #expect(text.contains(",8:-1000000,"))
  }

  @Test func hashIsSHA256OfPreviousHashAndCanonicalBytes() {
    var chain = HashChain()
    let first = Array("1:1,".utf8)
    let second = Array("1:2,".utf8)
    let h1 = first.withUnsafeBytes { chain.append(canonical: $0) }
    let h2 = second.withUnsafeBytes { chain.append(canonical: $0) }
    #expect(h1 == Array(SHA256.hash(data: [UInt8](repeating: 0, count: 32) + first)))
    #expect(h2 == Array(SHA256.hash(data: h1 + second)))
    #expect(chain.headHex == Hex.string(h2))
    #expect(Hex.bytes(Hex.string(h2)) == h2)
    #expect(Hex.bytes("ABCD") == nil && Hex.bytes("abc") == nil)
  }

  @Test func commandKeyIsStableFNV1a() {
    // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
    #expect(CommandKey.of("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
    #expect(CommandKey.of("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
  }
}
