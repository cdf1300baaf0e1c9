import LibraryDomain

/// A deterministic, realistic stream of command rows for demos and load tests: same seed, same
/// bytes. About 20,000 ISBNs and 50,000 users, popular titles borrowed more, returns mostly of
/// open loans, a few percent of anomalies, late arrivals, UUID-style command ids, and titles
/// with commas, quotes and non-ASCII text.
public struct WorkloadGenerator {
  public static let header = "command_id,command,isbn,title,author,quantity,user_id,occurred_at\n"

  private var random: SplitMix64
  private let isbns: [String]
  private let userCount: Int
  /// Titles catalogued so far: the first rows add every title once.
  private var catalogued = 0
  /// What the generator believes of each title, so that most commands make sense (a real
  /// library lends copies it has); the few that do not are the workload's anomalies.
  private var active: [Bool]
  private var copies: [Int32]
  private var lent: [Int32]
  private var removed: [Int32] = []
  /// Copies of active titles, and the open loans per user.
  private var activeCopies = 0
  private var userLoans: [UInt8]
  private var openLoans: [(user: Int32, book: Int32, since: Int64)] = []
  private var clock: Int64
  /// Rows generated so far.
  public private(set) var rows = 0

  /// The business time reached so far.
  public var clockTime: Timestamp { Timestamp(microseconds: clock) }

  /// - Parameters:
  ///   - seed: the same seed gives the same rows.
  ///   - titles: how many ISBNs (default 20,000).
  ///   - users: how many users (default 50,000).
  ///   - start: the business time of the first row.
  public init(
    seed: UInt64, titles: Int = 20_000, users: Int = 50_000,
    start: Timestamp = Timestamp(microseconds: 1_577_836_800_000_000)
  ) {
    random = SplitMix64(seed: seed)
    var isbns: [String] = []
    isbns.reserveCapacity(titles)
    var seen = Set<UInt64>()
    while isbns.count < titles {
      let body =
        978_000_000_000 + random.next() % 1_000_000_000 + (random.next() & 1) * 1_000_000_000
      guard seen.insert(body).inserted else { continue }
      isbns.append(Self.isbn13(body))
    }
    self.isbns = isbns
    active = Array(repeating: false, count: titles)
    copies = Array(repeating: 0, count: titles)
    lent = Array(repeating: 0, count: titles)
    userCount = users
    userLoans = Array(repeating: 0, count: users)
    clock = start.microseconds
  }

  /// Appends the next row (with its line end) to `out`.
  public mutating func appendRow(to out: inout String) {
    rows += 1
    clock += Int64(1 + random.below(40)) * 1_000_000 + Int64(random.below(1_000)) * 1_000
    // Catalogue first: every title is added before most of the lending starts.
    if catalogued < isbns.count, random.below(100) < 90 {
      appendAdd(book: catalogued, to: &out)
      catalogued += 1
      return
    }
    let roll = random.below(10_000)
    switch roll {
    case 0..<5:  // a title leaves the catalogue (worn-out popular copies, or a slow title)
      let book = roll < 3 ? popularBook() : random.below(isbns.count)
      if active[book] {
        active[book] = false
        activeCopies -= Int(copies[book])
        removed.append(Int32(book))
      }
      append(command: "RemoveBook", book: book, user: nil, to: &out)
    case 5..<25:  // more copies, a removed title back, or (rarely) a conflicting entry
      if roll >= 10, !removed.isEmpty {
        let index = random.below(removed.count)
        let book = Int(removed[index])
        removed[index] = removed[removed.count - 1]
        removed.removeLast()
        appendAdd(book: book, to: &out)
      } else {
        appendAdd(book: popularBook(), to: &out, conflicting: roll < 10)
      }
    case 25..<150:  // a return with no loan behind it
      append(
        command: "ReturnBook", book: popularBook(), user: Int32(random.below(userCount)), to: &out)
    case 150..<200:  // a borrow of an ISBN nobody catalogued
      append(
        command: "BorrowBook", isbn: Self.isbn13(979_000_000_000 + UInt64(random.below(1_000_000))),
        user: Int32(random.below(userCount)), to: &out)
    default:
      let busy = openLoans.count * 10 >= activeCopies * 7
      if !openLoans.isEmpty && (busy || roll < 5_000) {
        appendReturn(to: &out)
      } else {
        appendBorrow(to: &out)
      }
    }
  }

  /// A borrow of a popular title with a copy free, by a user under the loan limit; when a few
  /// tries find none, the borrow happens anyway (an over-borrow or loan-limit anomaly).
  private mutating func appendBorrow(to out: inout String) {
    // One borrow in a hundred skips the checks, as a hurried desk might.
    let checked = random.below(100) != 0
    var book = popularBook()
    for attempt in 0..<16 where checked && !(active[book] && lent[book] < copies[book]) {
      // Readers settle for a less popular title when the one they want is out.
      book = attempt < 6 ? popularBook() : random.below(isbns.count)
    }
    var user = random.below(userCount)
    for _ in 0..<4 where checked && userLoans[user] >= 5 {
      user = random.below(userCount)
    }
    if active[book] { lent[book] += 1 }
    userLoans[user] += 1
    openLoans.append((Int32(user), Int32(book), clock))
    append(command: "BorrowBook", book: book, user: Int32(user), lateAfter: nil, to: &out)
  }

  /// A return of a random open loan.
  private mutating func appendReturn(to out: inout String) {
    let index = random.below(openLoans.count)
    let loan = openLoans[index]
    openLoans[index] = openLoans[openLoans.count - 1]
    openLoans.removeLast()
    let book = Int(loan.book)
    if lent[book] > 0 { lent[book] -= 1 }
    userLoans[Int(loan.user)] -= 1
    // A return scanned late (a drop box emptied days later) arrives after its loan.
    append(command: "ReturnBook", book: book, user: loan.user, lateAfter: loan.since, to: &out)
  }

  /// A title index, skewed so that popular titles are borrowed far more.
  private mutating func popularBook() -> Int {
    let uniform = Double(random.next() >> 11) / Double(1 << 53)
    return min(isbns.count - 1, Int(Double(isbns.count) * uniform * uniform * uniform))
  }

  private mutating func appendAdd(book: Int, to out: inout String, conflicting: Bool = false) {
    let title = Self.title(book, variant: conflicting ? 1 : 0)
    let author = Self.authors[book % Self.authors.count]
    let quantity = 1 + random.below(book < 500 ? 12 : 4)
    if active[book] {
      copies[book] += Int32(quantity)
    } else {
      active[book] = true
      copies[book] = Int32(quantity)
    }
    activeCopies += quantity
    appendID(to: &out)
    out += ",AddBook,\(isbnText(book)),\(csv(title)),\(csv(author)),\(quantity),,"
    appendTime(to: &out)
  }

  private mutating func append(
    command: String, book: Int, user: Int32?, lateAfter: Int64? = Int64.min, to out: inout String
  ) {
    append(command: command, isbn: isbnText(book), user: user, lateAfter: lateAfter, to: &out)
  }

  private mutating func append(
    command: String, isbn: String, user: Int32?, lateAfter: Int64? = Int64.min, to out: inout String
  ) {
    appendID(to: &out)
    out += ",\(command),\(isbn),,,,"
    if let user { out += Self.userName(user) }
    out += ","
    appendTime(to: &out, lateAfter: lateAfter)
  }

  /// Some rows carry the ISBN-10 form or hyphens, as real exports do.
  private mutating func isbnText(_ book: Int) -> String {
    let isbn = isbns[book]
    let chars = Array(isbn)
    switch random.below(100) {
    case 0 where isbn.hasPrefix("978"):
      let body = chars[3..<12].map { Int($0.asciiValue ?? 48) - 48 }
      let sum = body.enumerated().reduce(0) { $0 + $1.element * (10 - $1.offset) }
      let check = (11 - sum % 11) % 11
      return String(chars[3..<12]) + (check == 10 ? "X" : String(check))
    case 1:
      return String(chars[0..<3]) + "-" + String(chars[3..<4]) + "-" + String(chars[4..<9]) + "-"
        + String(chars[9..<12]) + "-" + String(chars[12])
    default:
      return isbn
    }
  }

  private mutating func appendID(to out: inout String) {
    // About one row in fifty has no command id.
    guard random.below(50) != 0 else { return }
    let high = random.next()
    let low = random.next()
    out +=
      Self.hex(high >> 32, 8) + "-" + Self.hex((high >> 16) & 0xFFFF, 4) + "-4"
      + Self.hex(high & 0xFFF, 3) + "-" + Self.hex(0x8000 | (low >> 48) & 0x3FFF, 4) + "-"
      + Self.hex(low & 0xFFFF_FFFF_FFFF, 12)
  }

  /// The row's time: mostly now; sometimes a late arrival from up to ten days ago, though never
  /// before `lateAfter` (a return arrives late, but after its loan). Borrows (`lateAfter` nil
  /// from `appendBorrow`) are never late, so that late rows do not cascade into over-borrows.
  private mutating func appendTime(to out: inout String, lateAfter: Int64? = Int64.min) {
    var time = clock
    if let lateAfter, random.below(100) < 2 {
      let earliest = max(lateAfter + 1, clock - 10 * 86_400 * 1_000_000)
      if earliest < clock { time = earliest + Int64(random.below(Int(clock - earliest))) }
    }
    out += Timestamp(microseconds: time).description
    out += "\n"
  }

  private func csv(_ text: String) -> String {
    text.contains(",") || text.contains("\"")
      ? "\"" + text.replacing("\"", with: "\"\"") + "\"" : text
  }

  // MARK: - Names

  static let authors = [
    "Saša Jurić", "Dave Thomas", "Ursula K. Le Guin", "Gabriel García Márquez",
    "Chimamanda Ngozi Adichie",
    "Haruki Murakami", "Wisława Szymborska", "Fyodor Dostoevsky", "Toni Morrison",
    "Jorge Luis Borges",
    "Astrid Lindgren", "Naguib Mahfouz", "O'Brien, Flann", "Lu Xun", "Zadie Smith",
  ]
  static let words = [
    "Elixir", "Garden", "Winter", "Night", "River", "Dragon's", "Quiet", "Glass", "Atlas", "Fête",
    "Über", "Ciudad", "Ocean", "Machine", "Letters", "北京", "Île", "Shadow", "Song", "Mirror",
  ]

  static func title(_ book: Int, variant: Int) -> String {
    let first = words[book % words.count]
    let second = words[(book / words.count + variant) % words.count]
    switch book % 7 {
    case 0: return "\(first) and \(second), Vol. \(book % 9 + 1)"
    case 1: return "The \"\(first)\" \(second)"
    case 2: return "\(first) \(second) 📚"
    default: return "\(first) \(second) \(book)"
    }
  }

  static func userName(_ user: Int32) -> String {
    let names = ["ann", "bo", "chen", "dara", "emil", "fatima", "goran", "hana", "ines", "juan"]
    return "\(names[Int(user) % names.count]).\(user)"
  }

  static func isbn13(_ body: UInt64) -> String {
    let digits = Array(String(body).utf8).map { Int($0) - 48 }
    let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
    return String(body) + String((10 - sum % 10) % 10)
  }

  static func hex(_ value: UInt64, _ width: Int) -> String {
    let text = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - text.count)) + text
  }
}

/// SplitMix64: the generator's random numbers, stable across platforms and releases.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) {
    state = seed
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var value = state
    value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
    value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
    return value ^ (value >> 31)
  }

  /// A number in `0..<bound` (the slight modulo bias does not matter for a workload).
  public mutating func below(_ bound: Int) -> Int {
    Int(next() % UInt64(bound))
  }

  /// One of `items`, which must not be empty.
  public mutating func pick<T>(_ items: [T]) -> T {
    items[below(items.count)]
  }
}
