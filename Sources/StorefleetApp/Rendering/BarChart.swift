import Foundation
import Templates

/// The geometry of a bar chart for `Views/partials/bar-chart.html`, which draws it as
/// inline SVG so the admin dashboard shows a chart with no script.
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

    var templateValue: TemplateValue {
        let top = 12.0
        let bottom = 28.0
        let left = 8.0
        let plotHeight = Double(height) - top - bottom
        let maximum = max(bars.map(\.value).max() ?? 0, 1)
        let slot = (Double(width) - left * 2) / Double(max(bars.count, 1))
        let barWidth = max(slot * 0.7, 1)
        let labelEvery = max(1, bars.count / 6)

        let drawn: [TemplateValue] = bars.enumerated().map { index, bar in
            let barHeight = bar.value <= 0 ? 0 : max(plotHeight * bar.value / maximum, 2)
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
        return [
            "caption": .string(caption),
            "width": .int(width),
            "height": .int(height),
            "axisY": .string(format(top + plotHeight)),
            "axisStart": .string(format(left)),
            "axisEnd": .string(format(Double(width) - left)),
            "labelY": .string(format(Double(height) - 8)),
            "bars": .array(drawn),
        ]
    }

    private func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}
