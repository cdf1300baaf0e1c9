/// shelflog's version, printed by `--version` and written into the HTML report (and, with it,
/// into a report's bytes: a new version changes the page, never the JSON, CSV or Markdown).
public enum ShelflogVersion {
  public static let current = "0.8.0"
}
