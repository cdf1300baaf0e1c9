import LibraryDomain
import Replay

/// One chart of the HTML report, as the template draws it: an inline SVG with a title, a text
/// alternative, labelled axes, and either lines or stacked bars. Geometry is computed here;
/// every text goes through the template's escaping.
struct Chart {
  struct Tick {
    var x: String
    var y: String
    var label: String
  }

  struct Line {
    var name: String
    var color: String
    var points: String
  }

  struct Bar {
    var x: String
    var y: String
    var width: String
    var height: String
    var color: String
    /// Shown on hover, and read by screen readers: `2024-03: borrowed 287`.
    var label: String
  }

  struct Legend {
    var name: String
    var color: String
    var x: String
    /// The swatch's top and the label's baseline.
    var y: String
    var baseline: String
  }

  var id: String
  var title: String
  var description: String
  var yLabel: String
  var xTicks: [Tick] = []
  var yTicks: [Tick] = []
  var lines: [Line] = []
  var bars: [Bar] = []
  var legend: [Legend] = []
  /// The plot area's corners and the axis labels' places, for the template.
  var frame = Frame()

  static let width = 720.0
  static let height = 290.0
  /// The plot area inside the margins that hold the title, the legend and the axes' labels.
  static let left = 72.0
  static let right = 12.0
  static let top = 58.0
  static let bottom = 50.0
  static var plotWidth: Double { width - left - right }
  static var plotHeight: Double { height - top - bottom }

  /// Colors that stay apart for most kinds of color blindness (Okabe and Ito's palette).
  static let palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"]
}

extension Chart {
  /// Lines over the periods: one point per period's end.
  static func lines(
    id: String, title: String, yLabel: String, periods: [ActivityPeriod],
    series: [(String, (ActivityPeriod) -> Int)]
  ) -> Chart {
    let maximum = niceMaximum(
      periods.flatMap { period in series.map { $0.1(period) } }.max() ?? 0)
    var chart = Chart(
      id: id, title: title,
      description: describe(title, periods: periods, series: series), yLabel: yLabel)
    chart.axes(periods: periods, maximum: maximum)
    for (index, (name, value)) in series.enumerated() {
      let points = periods.enumerated().map { slot, period in
        "\(format(x(slot, of: periods.count))),\(format(y(value(period), maximum: maximum)))"
      }
      chart.lines.append(
        Line(
          name: name, color: palette[index % palette.count], points: points.joined(separator: " ")))
    }
    chart.legend = legend(series.map(\.0))
    return chart
  }

  /// Stacked bars per period, one segment per series.
  static func stackedBars(
    id: String, title: String, yLabel: String, periods: [ActivityPeriod],
    series: [(String, (ActivityPeriod) -> Int)]
  ) -> Chart {
    let maximum = niceMaximum(
      periods.map { period in series.reduce(0) { $0 + $1.1(period) } }.max() ?? 0)
    var chart = Chart(
      id: id, title: title,
      description: describe(title, periods: periods, series: series), yLabel: yLabel)
    chart.axes(periods: periods, maximum: maximum)
    let slot = plotWidth / Double(max(periods.count, 1))
    let width = max(1, slot * 0.7)
    for (index, period) in periods.enumerated() {
      var base = 0
      for (number, (name, value)) in series.enumerated() {
        let count = value(period)
        guard count > 0 else { continue }
        let top = y(base + count, maximum: maximum)
        chart.bars.append(
          Bar(
            x: format(left + slot * Double(index) + (slot - width) / 2), y: format(top),
            width: format(width), height: format(y(base, maximum: maximum) - top),
            color: palette[number % palette.count],
            label: "\(periodLabel(period)): \(name) \(count)"))
        base += count
      }
    }
    chart.legend = legend(series.map(\.0))
    return chart
  }

  /// Tick labels: a few periods along the bottom, round values up the side.
  private mutating func axes(periods: [ActivityPeriod], maximum: Int) {
    let every = max(1, Int((Double(periods.count) / 8).rounded(.up)))
    for slot in stride(from: 0, to: periods.count, by: every) {
      xTicks.append(
        Tick(
          x: Chart.format(Chart.x(slot, of: periods.count)),
          y: Chart.format(Chart.top + Chart.plotHeight + 16),
          label: Chart.periodLabel(periods[slot])))
    }
    for step in 0...4 {
      let value = maximum * step / 4
      yTicks.append(
        Tick(
          x: Chart.format(Chart.left - 6), y: Chart.format(Chart.y(value, maximum: maximum) + 4),
          label: String(value)))
    }
  }

  /// The legend under the title, in rows of at most the chart's width.
  private static func legend(_ names: [String]) -> [Legend] {
    var x = left
    var row = 0.0
    return names.enumerated().map { index, name in
      let width = 24 + Double(name.count) * 6.5
      if x + width > Self.width - right && x > left {
        x = left
        row += 1
      }
      defer { x += width }
      let y = 24 + row * 15
      return Legend(
        name: name, color: palette[index % palette.count], x: format(x), y: format(y),
        baseline: format(y + 9))
    }
  }

  /// The text alternative: the periods, and each series' first, last and largest value.
  private static func describe(
    _ title: String, periods: [ActivityPeriod], series: [(String, (ActivityPeriod) -> Int)]
  ) -> String {
    guard let first = periods.first, let last = periods.last else {
      return "\(title): no periods."
    }
    let parts = series.map { name, value in
      let values = periods.map(value)
      return "\(name) \(values.first ?? 0) in the first period, \(values.last ?? 0) in the last,"
        + " at most \(values.max() ?? 0)"
    }
    return "\(title), \(periods.count) periods from \(periodLabel(first)) to \(periodLabel(last)):"
      + " \(parts.joined(separator: "; "))."
  }

  /// A period named by its start: `2024-03-01` (the date only when it starts at midnight).
  static func periodLabel(_ period: ActivityPeriod) -> String {
    let text = period.start.description
    return text.hasSuffix("T00:00:00Z") ? String(text.prefix(10)) : text
  }

  private static func x(_ slot: Int, of count: Int) -> Double {
    let step = plotWidth / Double(max(count, 1))
    return left + step * (Double(slot) + 0.5)
  }

  private static func y(_ value: Int, maximum: Int) -> Double {
    top + plotHeight * (1 - Double(value) / Double(max(maximum, 1)))
  }

  /// A round number at or above `value` that divides into four even ticks.
  static func niceMaximum(_ value: Int) -> Int {
    guard value > 4 else { return 4 }
    var step = 1
    while step * 10 < value { step *= 10 }
    for multiple in [1, 2, 4, 5, 8, 10] where step * multiple >= value && (step * multiple) % 4 == 0
    {
      return step * multiple
    }
    return ((value + 3) / 4) * 4
  }

  /// Coordinates with one decimal, the same text on every machine.
  static func format(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return (tenths < 0 ? "-" : "") + "\(abs(tenths) / 10).\(abs(tenths) % 10)"
  }

  struct Frame {
    let left = Chart.format(Chart.left)
    let right = Chart.format(Chart.width - Chart.right)
    let top = Chart.format(Chart.top)
    let bottom = Chart.format(Chart.top + Chart.plotHeight)
    let yLabelX = "14"
    let yLabelY = Chart.format(Chart.top + Chart.plotHeight / 2)
    let xLabelX = Chart.format(Chart.left + Chart.plotWidth / 2)
    let xLabelY = Chart.format(Chart.height - 6)
  }
}
