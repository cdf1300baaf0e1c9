/// The inverse of the HTML report's script-safe escaping of its embedded JSON, aware of JSON's
/// own escapes: `\u003c`, `\u003e` and `\u0026` become `<`, `>` and `&`, and every other escape
/// stays as it is. So the embedded text can be compared byte for byte with the JSON files.
public func unescapedScriptJSON(_ text: String) -> String {
  let scalars = Array(text.unicodeScalars)
  var out = String.UnicodeScalarView()
  var index = 0
  while index < scalars.count {
    guard scalars[index] == "\\", index + 1 < scalars.count else {
      out.append(scalars[index])
      index += 1
      continue
    }
    let six =
      index + 6 <= scalars.count
      ? String(String.UnicodeScalarView(scalars[index..<index + 6])) : ""
    switch six {
    case "\\u003c": out.append("<")
    case "\\u003e": out.append(">")
    case "\\u0026": out.append("&")
    default:
      out.append(scalars[index])
      out.append(scalars[index + 1])
      index += 2
      continue
    }
    index += 6
  }
  return String(out)
}
