import Foundation
import Templates

/// The geometry of a bar chart for `Views/partials/bar-chart.html`, which draws it as
/// inline SVG so the admin dashboard shows a chart with no script.
///
/// The value axis runs from zero to a round number at or above the tallest bar, with a
/// labelled line at that number and one at its half, so the bars can be read without
/// hovering over them.
struct BarChart {
    struct Bar {
        /// The label under the bar, such as `Nov 5`; shown for a few bars only.
        let label: String
        let value: Double
        /// The text a screen reader and a hover tooltip give for the bar.
        let title: String
    }

    let bars: [Bar]
    /// The chart's accessible name, such as "Revenue per day, last 30 days".
    let caption: String
    var width = 720
    var height = 220
    /// Whether values are counts, so that no scale line is drawn at a fraction.
    var countsOnly = false
    /// Formats a value of the scale, such as `$80.00`.
    var scaleLabel: (Double) -> String = { String(format: "%g", $0) }
    /// The width, in characters, to leave for the scale's labels at the least, so that
    /// charts shown one above the other can line up their plots.
    var minimumLabelWidth = 0
    /// The minimum top of the scale, for a chart whose values are all zero or tiny. A
    /// revenue chart in cents passes 100, so that its scale reads 1.00 rather than 0.01.
    var minimumScale: Double = 1

    /// The labels of the scale's lines, from the top.
    var scaleLabels: [String] {
        scaleValues.map(scaleLabel)
    }

    private var scaleValues: [Double] {
        let maximum = Self.roundMaximum(for: max(bars.map(\.value).max() ?? 0, minimumScale), countsOnly: countsOnly)
        let half = maximum / 2
        return !countsOnly || half == half.rounded() ? [maximum, half] : [maximum]
    }

    var templateValue: TemplateValue {
        let scaleValues = self.scaleValues
        let scaleMaximum = scaleValues[0]
        let scaleLabels = self.scaleLabels

        let top = 20.0
        // Phones draw the chart at half its size or less, so the style sheet doubles the
        // labels' font there. The margins leave room for labels at that size, at about 12
        // units for each character of the longest scale label.
        let bottom = 32.0
        let left = 14 + 12 * Double(max(scaleLabels.map(\.count).max() ?? 1, minimumLabelWidth))
        let right = 36.0
        let plotHeight = Double(height) - top - bottom
        let slot = (Double(width) - left - right) / Double(max(bars.count, 1))
        let barWidth = max(slot * 0.7, 1)
        let labelEvery = max(1, bars.count / 6)

        let drawn: [TemplateValue] = bars.enumerated().map { index, bar in
            let barHeight = bar.value <= 0 ? 0 : max(plotHeight * bar.value / scaleMaximum, 2)
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            let showsLabel = index % labelEvery == 0 || index == bars.count - 1
            return [
                "x": .string(format(x)),
                "y": .string(format(top + plotHeight - barHeight)),
                "width": .string(format(barWidth)),
                "height": .string(format(barHeight)),
                "labelX": .string(format(x + barWidth / 2)),
                "label": showsLabel ? .string(bar.label) : .null,
                "title": .string(bar.title),
            ]
        }

        let scale: [TemplateValue] = zip(scaleValues, scaleLabels).map { value, label in
            let y = top + plotHeight - plotHeight * value / scaleMaximum
            return [
                "y": .string(format(y)),
                // Centred on the line: SVG places text by its baseline.
                "labelY": .string(format(y + 4)),
                "label": .string(label),
            ]
        }

        return [
            "caption": .string(caption),
            "width": .int(width),
            "height": .int(height),
            "axisY": .string(format(top + plotHeight)),
            "axisStart": .string(format(left)),
            "axisEnd": .string(format(Double(width) - right)),
            "scaleLabelX": .string(format(left - 6)),
            "labelY": .string(format(Double(height) - 6)),
            "scale": .array(scale),
            "bars": .array(drawn),
        ]
    }

    /// Returns the smallest round number at or above `value`: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or
    /// 8 times a power of ten, so that the half of it is round too. Counts get a whole
    /// half where the maximum is above 1.
    static func roundMaximum(for value: Double, countsOnly: Bool) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, (log10(value)).rounded(.down))
        let steps: [Double] = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]
        // A small tolerance keeps 3.0000000001 (from log10 rounding) at 3.
        var maximum = (steps.first { $0 * power >= value * (1 - 1e-9) } ?? 10) * power
        if countsOnly {
            maximum = maximum.rounded(.up)
            if maximum > 1, maximum.truncatingRemainder(dividingBy: 2) != 0 {
                maximum += 1
            }
        }
        return maximum
    }

    private func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
