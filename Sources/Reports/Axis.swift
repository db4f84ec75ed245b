import Foundation

/// One axis of a chart: its range rounded out to "nice" tick values (1, 2 or 5 × 10^k,
/// Heckbert, "Nice numbers for graph labels", Graphics Gems 1990), or decades on a log axis.
struct Axis {
    enum Scale { case linear, log10 }

    let scale: Scale
    /// The range in data units (on a log axis, of the values themselves).
    let lower: Double, upper: Double
    let ticks: [Double]

    /// An axis covering `values` (non-finite ones, and non-positive ones on a log axis,
    /// ignored); a flat or empty range is widened so that it still has ticks.
    init(covering values: [Double], scale: Scale, includeZero: Bool = false, targetTicks: Int = 5) {
        self.scale = scale
        var finite = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        if includeZero && scale == .linear { finite.append(0) }
        switch scale {
        case .linear:
            var low = finite.min() ?? 0, high = finite.max() ?? 1
            if high - low < 1e-12 * max(abs(low), abs(high), 1) {
                let pad = abs(low) > 0 ? abs(low) * 0.1 : 1
                low -= pad
                high += pad
            }
            let step = Self.niceStep((high - low) / Double(max(targetTicks - 1, 1)))
            lower = floor(low / step) * step
            upper = ceil(high / step) * step
            ticks = stride(from: lower, through: upper + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
        case .log10:
            let low = finite.min() ?? 0.1, high = finite.max() ?? 1
            var lowDecade = floor(log10(low)), highDecade = ceil(log10(high))
            if highDecade <= lowDecade { highDecade = lowDecade + 1 }
            let span = highDecade - lowDecade
            let every = max(1, (span / Double(targetTicks + 2)).rounded(.up))
            lowDecade = floor(lowDecade / every) * every
            lower = pow(10, lowDecade)
            upper = pow(10, highDecade)
            ticks = stride(from: lowDecade, through: highDecade, by: every).map { pow(10, $0) }
        }
    }

    /// Where `value` falls, 0 at `lower` and 1 at `upper`.
    func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return (value - lower) / (upper - lower)
        case .log10: return (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        }
    }

    func label(_ tick: Double) -> String {
        switch scale {
        case .log10: return NumberText.compact(tick, digits: 1)
        case .linear:
            let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
            let decimals = max(0, -Int(floor(log10(step) + 1e-9)))
            return String(format: "%.\(decimals)f", tick).replacingOccurrences(of: "-", with: "−")
        }
    }

    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(rough)))
        let fraction = rough / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }
}
