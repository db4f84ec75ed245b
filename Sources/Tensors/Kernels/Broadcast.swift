/// Broadcasting in NumPy's sense: shapes are aligned at their trailing axes and an extent of
/// 1 stretches to match.
enum Broadcasting {
    /// The broadcast shape of `a` and `b`, or nil when they are incompatible.
    static func shape(_ a: Shape, _ b: Shape) -> Shape? {
        let rank = max(a.rank, b.rank)
        var dims = [Int](repeating: 1, count: rank)
        for axis in 0..<rank {
            let da = axis < rank - a.rank ? 1 : a.dimensions[axis - (rank - a.rank)]
            let db = axis < rank - b.rank ? 1 : b.dimensions[axis - (rank - b.rank)]
            if da == db || db == 1 { dims[axis] = da } else if da == 1 { dims[axis] = db } else { return nil }
        }
        return Shape(dims)
    }

    /// Strides of `source` read as `target` (0 along stretched axes).
    static func stretchedStrides(_ source: Shape, to target: Shape) -> [Int] {
        let offset = target.rank - source.rank
        let sourceStrides = source.strides
        return (0..<target.rank).map { axis in
            if axis < offset { return 0 }
            let extent = source.dimensions[axis - offset]
            return extent == 1 && target.dimensions[axis] != 1 ? 0 : sourceStrides[axis - offset]
        }
    }

    /// Visits every element of `shape` in row-major order, calling `body(linear, mapped)`
    /// with the element's index and its index under `strides`.
    @inline(__always)
    static func forEach(_ shape: Shape, mappedBy strides: [Int], _ body: (Int, Int) -> Void) {
        let rank = shape.rank
        if rank == 0 { body(0, 0); return }
        let dims = shape.dimensions
        let count = shape.count
        if count == 0 { return }
        var index = [Int](repeating: 0, count: rank)
        var mapped = 0
        let inner = dims[rank - 1], innerStride = strides[rank - 1]
        var linear = 0
        while linear < count {
            var m = mapped
            for _ in 0..<inner {
                body(linear, m)
                linear += 1
                m += innerStride
            }
            // Advance the odometer over the outer axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                mapped += strides[axis]
                if index[axis] < dims[axis] { break }
                mapped -= strides[axis] * dims[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// out (shape `target`) = source stretched.
    static func expand(_ source: UnsafePointer<Float>, from: Shape, to target: Shape,
                       into out: UnsafeMutablePointer<Float>) {
        let strides = stretchedStrides(from, to: target)
        if from.count == 1 { out.update(repeating: source[0], count: target.count); return }
        forEach(target, mappedBy: strides) { linear, mapped in out[linear] = source[mapped] }
    }

    /// out (shape `target`) = source (shape `from`) summed over the axes `target` stretches.
    static func reduce(_ source: UnsafePointer<Float>, from: Shape, to target: Shape,
                       into out: UnsafeMutablePointer<Float>) {
        let count = from.count
        if target.count == 1 {
            out[0] = Float(sumInDouble(source, count))
            return
        }
        let padded = [Int](repeating: 1, count: from.rank - target.rank) + target.dimensions
        let dims = from.dimensions
        // Leading axes reduced, trailing kept: a sum of rows.
        var split = dims.count
        while split > 0 && padded[split - 1] == dims[split - 1] { split -= 1 }
        if padded[..<split].allSatisfy({ $0 == 1 }) {
            // Accumulated in float64: bias gradients sum thousands of rows, and a gradient
            // that is exactly zero in exact arithmetic (e.g. the critic's last bias, which
            // the Wasserstein loss cannot see) must come out zero, not rounding noise that
            // Adam would amplify into a full-size step.
            let width = target.count, rows = count / width
            var accumulator = [Double](repeating: 0, count: width)
            accumulator.withUnsafeMutableBufferPointer { sums in
                for row in 0..<rows {
                    let src = source + row * width
                    for c in 0..<width { sums[c] += Double(src[c]) }
                }
            }
            for c in 0..<width { out[c] = Float(accumulator[c]) }
            return
        }
        // Trailing axes reduced, leading kept: one sum per row.
        split = 0
        while split < dims.count && padded[split] == dims[split] { split += 1 }
        if padded[split...].allSatisfy({ $0 == 1 }) {
            let width = count / target.count
            for row in 0..<target.count { out[row] = Float(sumInDouble(source + row * width, width)) }
            return
        }
        var accumulator = [Double](repeating: 0, count: target.count)
        forEach(from, mappedBy: stretchedStrides(target, to: from)) { linear, mapped in
            accumulator[mapped] += Double(source[linear])
        }
        for i in 0..<target.count { out[i] = Float(accumulator[i]) }
    }
}

/// Sum with a float64 accumulator: reductions feed losses and penalties whose parity
/// with float64 references matters.
@inline(__always)
func sumInDouble(_ source: UnsafePointer<Float>, _ count: Int) -> Double {
    var a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0
    var i = 0
    while i + 4 <= count {
        a0 += Double(source[i]); a1 += Double(source[i + 1])
        a2 += Double(source[i + 2]); a3 += Double(source[i + 3])
        i += 4
    }
    while i < count { a0 += Double(source[i]); i += 1 }
    return (a0 + a1) + (a2 + a3)
}
