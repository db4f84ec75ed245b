import Foundation

/// A seeded, reproducible random source (xoshiro256**, seeded through SplitMix64) whose
/// whole state can be saved with a checkpoint and restored, so a resumed run draws exactly
/// the numbers an uninterrupted one would.
public struct RandomSource: Sendable, Equatable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// Box–Muller yields normals in pairs; the second waits here.
    public private(set) var spareNormal: Double?

    public init(seed: UInt64) {
        var seeder = SplitMix64(seed: seed)
        state = (seeder.next(), seeder.next(), seeder.next(), seeder.next())
        spareNormal = nil
    }

    public static func == (a: RandomSource, b: RandomSource) -> Bool {
        a.state == b.state && a.spareNormal == b.spareNormal
    }

    public mutating func nextUInt64() -> UInt64 {
        let result = rotate(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotate(state.3, 45)
        return result
    }

    @inline(__always) private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double { Double(nextUInt64() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller in double precision).
    public mutating func nextNormal() -> Double {
        if let spare = spareNormal { spareNormal = nil; return spare }
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        spareNormal = radius * Foundation.sin(2 * .pi * u2)
        return radius * Foundation.cos(2 * .pi * u2)
    }

    /// Uniform integer in 0..<bound (bias-free by rejection).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        let limit = UInt64.max - UInt64.max % UInt64(bound)
        var x = nextUInt64()
        while x >= limit { x = nextUInt64() }
        return Int(x % UInt64(bound))
    }

    /// The state as six numbers (four words, a flag, the spare normal's bits), for checkpoints.
    public var serialized: [UInt64] {
        [state.0, state.1, state.2, state.3, spareNormal == nil ? 0 : 1, spareNormal?.bitPattern ?? 0]
    }

    public init?(serialized words: [UInt64]) {
        guard words.count == 6, words[4] <= 1 else { return nil }
        state = (words[0], words[1], words[2], words[3])
        spareNormal = words[4] == 1 ? Double(bitPattern: words[5]) : nil
    }
}

/// SplitMix64 (Steele, Lea & Flood, 2014): a small, well-mixed, seedable generator, so a
/// seed gives the same shuffle on every platform.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound, without modulo bias (Lemire, 2019).
    public mutating func next(below bound: Int) -> Int {
        let b = UInt64(bound)
        var product = next().multipliedFullWidth(by: b)
        if product.low < b {
            let threshold = (0 &- b) % b
            while product.low < threshold { product = next().multipliedFullWidth(by: b) }
        }
        return Int(product.high)
    }
}
