import Crypto
import EventLog
import Testing

@Suite("Hash chain")
struct HashChainTests {
  @Test func canonicalBytesAreNetstringsInSpecOrder() {
    var canonical = CanonicalEvent()
    canonical.append(number: 12)
    canonical.append("BookAdded")
    canonical.append("")
    canonical.append("9781593275846")
    canonical.append("Café, \"quoted\"")
    canonical.append("Saša")
    canonical.append(number: 10)
    canonical.append("")
    canonical.append("2024-03-01T09:00:00Z")
    canonical.append("2024-03-02T00:00:00.250000Z")
    canonical.append("ab")
    let expected =
      "2:12,9:BookAdded,0:,13:9781593275846,15:Café, \"quoted\",5:Saša,2:10,0:,"
      + "20:2024-03-01T09:00:00Z,27:2024-03-02T00:00:00.250000Z,2:ab,"
    #expect(canonical.bytes == Array(expected.utf8))
    canonical.withField(.title) { #expect(Array($0) == Array("Café, \"quoted\"".utf8)) }
    canonical.withField(.quantity) { #expect(Array($0) == Array("10".utf8)) }
  }

  @Test func absentQuantityIsAnEmptyNetstring() {
    var canonical = CanonicalEvent()
    canonical.append(number: nil)
    #expect(canonical.bytes == Array("0:,".utf8))
  }

  @Test func hashIsSHA256OfPreviousHashAndCanonicalBytes() {
    var chain = HashChain()
    let first = Array("1:1,".utf8)
    let second = Array("1:2,".utf8)
    let h1 = first.withUnsafeBytes { chain.append(canonical: $0) }
    let h2 = second.withUnsafeBytes { chain.append(canonical: $0) }
    #expect(h1 == Array(SHA256.hash(data: [UInt8](repeating: 0, count: 32) + first)))
    #expect(h2 == Array(SHA256.hash(data: h1 + second)))
    #expect(chain.headHex == hex(h2))
    #expect(unhex(hex(h2)) == h2)
  }

  @Test func commandKeyIsStableFNV1a() {
    // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
    #expect(commandKey("a") == Int64(bitPattern: 0xaf63_dc4c_8601_ec8c))
    #expect(commandKey("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
  }
}
