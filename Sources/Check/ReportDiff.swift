/// Compares an expected JSON report with the actual one by content (white space aside), and
/// names each difference by report, row and field.
struct ReportDiff {
  let file: String
  let report: String
  private(set) var differences: [Difference] = []

  init(file: String, report: String) {
    self.file = file
    self.report = report
  }

  /// Diffs two report texts.
  mutating func compare(expected: String, actual: String) {
    guard let want = JSONValue.parse(expected) else {
      note(report, "not valid JSON", "a \(report) report")
      return
    }
    guard let got = JSONValue.parse(actual) else {
      note(report, "a \(report) report", "not valid JSON")
      return
    }
    compareObject(want, got, path: report)
  }

  /// The key that names a row of each list, so rows are matched by identity, not by index.
  private static func rowKey(_ list: String, _ row: JSONValue, _ index: Int) -> String {
    switch list {
    case "books": row["isbn"]?.plain ?? "#\(index + 1)"
    case "users": row["user_id"]?.plain ?? "#\(index + 1)"
    case "anomalies":
      "position \(row["position"]?.plain ?? "?") \(row["type"]?.plain ?? "?")"
    case "loans":
      "#\(index + 1) \(row["isbn"]?.plain ?? "?") borrowed \(row["borrowed_at"]?.plain ?? "?")"
    default: "#\(index + 1)"
    }
  }

  private mutating func compareObject(_ want: JSONValue, _ got: JSONValue, path: String) {
    guard case .object(let wantPairs) = want, case .object(let gotPairs) = got else {
      compareValue(want, got, path: path)
      return
    }
    var keys = wantPairs.map(\.0)
    for (key, _) in gotPairs where !keys.contains(key) { keys.append(key) }
    for key in keys {
      let place = "\(path).\(key)"
      switch (want[key], got[key]) {
      case (let wanted?, let gotten?): compareValue(wanted, gotten, path: place, list: key)
      case (let wanted?, nil): note(place, wanted.text, "no such key")
      case (nil, let gotten?): note(place, "no such key", gotten.text)
      case (nil, nil): break
      }
    }
    let wantKeys = wantPairs.map(\.0)
    let gotKeys = gotPairs.map(\.0)
    if Set(wantKeys) == Set(gotKeys), wantKeys != gotKeys {
      note(path, "keys in order \(wantPairs.map(\.0))", "\(gotPairs.map(\.0))")
    }
  }

  private mutating func compareValue(
    _ want: JSONValue, _ got: JSONValue, path: String, list: String = ""
  ) {
    guard want != got else { return }
    switch (want, got) {
    case (.object, .object): compareObject(want, got, path: path)
    case (.array(let wantRows), .array(let gotRows)):
      compareRows(wantRows, gotRows, path: path, list: list)
    default: note(path, want.text, got.text)
    }
  }

  /// Matches rows by their key; reports missing, extra and changed rows, then order.
  private mutating func compareRows(
    _ want: [JSONValue], _ got: [JSONValue], path: String, list: String
  ) {
    let wantKeys = want.enumerated().map { Self.rowKey(list, $1, $0) }
    let gotKeys = got.enumerated().map { Self.rowKey(list, $1, $0) }
    let gotByKey = Dictionary(zip(gotKeys, got), uniquingKeysWith: { first, _ in first })
    let wantByKey = Dictionary(zip(wantKeys, want), uniquingKeysWith: { first, _ in first })
    for (key, row) in zip(wantKeys, want) {
      let place = "\(path)[\(key)]"
      if let other = gotByKey[key] {
        compareObject(row, other, path: place)
      } else {
        note(place, row.text, "no such row")
      }
    }
    for (key, row) in zip(gotKeys, got) where wantByKey[key] == nil {
      note("\(path)[\(key)]", "no such row", row.text)
    }
    let common = wantKeys.filter { gotByKey[$0] != nil }
    let commonGot = gotKeys.filter { wantByKey[$0] != nil }
    if common != commonGot {
      note("\(path) order", common.joined(separator: ", "), commonGot.joined(separator: ", "))
    }
  }

  private mutating func note(_ place: String, _ expected: String, _ actual: String) {
    differences.append(
      Difference(file: file, line: nil, place: place, expected: expected, actual: actual))
  }
}

extension JSONValue {
  /// Strings without quotes, for row names.
  var plain: String {
    if case .string(let text) = self { return text }
    return text
  }
}
