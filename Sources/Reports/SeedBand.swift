/// The seeds of one schedule on a common grid: each seed's curve linearly interpolated at the
/// grid points, and their mean, minimum and maximum there, as the paper's figures show them
/// ("mean … over 10 runs", a band from the minimum to the maximum). The grid spans only where
/// every seed has data: from the latest first point to the earliest last one.
struct SeedBand: Equatable {
    var x: [Double]
    var mean: [Double]
    var low: [Double]
    var high: [Double]

    /// Grid points over the common range of the curves.
    static let gridPoints = 100

    /// The band over `curves` (each a seed's points, any order), or nil when a curve is empty
    /// or the curves share no range.
    static func resample(_ curves: [[(x: Double, y: Double)]], points: Int = gridPoints) -> SeedBand? {
        let sorted = curves.map { $0.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x } }
        guard !sorted.isEmpty, sorted.allSatisfy({ !$0.isEmpty }) else { return nil }
        let lower = sorted.map { $0.first!.x }.max()!, upper = sorted.map { $0.last!.x }.min()!
        guard lower <= upper else { return nil }
        let count = upper > lower ? max(points, 2) : 1
        // The ends exactly, and rounding never steps past them.
        let grid = (0..<count).map { $0 == count - 1 ? upper : min(upper, lower + (upper - lower) * Double($0) / Double(count - 1)) }
        var band = SeedBand(x: grid, mean: [], low: [], high: [])
        for x in grid {
            let values = sorted.map { interpolate($0, at: x)! }
            band.mean.append(values.reduce(0, +) / Double(values.count))
            band.low.append(values.min()!)
            band.high.append(values.max()!)
        }
        return band
    }

    /// The curve (sorted by x) at `x` by linear interpolation between its neighbours; nil
    /// outside its range. Where several points share an x, the last one counts.
    static func interpolate(_ curve: [(x: Double, y: Double)], at x: Double) -> Double? {
        guard let first = curve.first, let last = curve.last, x >= first.x, x <= last.x else { return nil }
        guard let after = curve.firstIndex(where: { $0.x > x }) else { return last.y }
        let (a, b) = (curve[after - 1], curve[after])
        return a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x)
    }
}
