import Corpus

/// An n-gram of up to ``maxOrder`` token ids packed into 128 bits: token k sits in the
/// 16 bits at `63 − 16·(k mod 4)` of `high` (k < 4) or `low` (k ≥ 4), so comparing
/// `(high, low)` numerically orders n-grams of one order like their token sequences, and
/// the big-endian bytes of the first `n` tokens are the store's `key` blob.
struct NGramKey: Hashable {
    static let maxOrder = 8

    var high: UInt64
    var low: UInt64

    static let empty = NGramKey(high: 0, low: 0)

    /// The key extended by token `token` at position `position` (0-based).
    @inline(__always)
    func appending(_ token: TokenID, at position: Int) -> NGramKey {
        let shift = UInt64(48 - 16 * (position & 3))
        if position < 4 { return NGramKey(high: high | UInt64(token) << shift, low: low) }
        return NGramKey(high: high, low: low | UInt64(token) << shift)
    }

    /// The first `n` token ids.
    func tokens(_ n: Int) -> [TokenID] {
        (0..<n).map { k in
            let word = k < 4 ? high : low
            return TokenID(truncatingIfNeeded: word >> UInt64(48 - 16 * (k & 3)))
        }
    }

    /// The store's key blob: the first `n` ids as big-endian `UInt16`s.
    func blob(_ n: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(2 * n)
        for t in tokens(n) { bytes.append(UInt8(t >> 8)); bytes.append(UInt8(t & 0xFF)) }
        return bytes
    }

    /// Reads a key blob of `count` bytes (2 per token).
    init(blob: UnsafeRawPointer, count: Int) {
        var key = NGramKey.empty
        for k in 0..<(count / 2) {
            let t = TokenID(blob.load(fromByteOffset: 2 * k, as: UInt8.self)) << 8
                | TokenID(blob.load(fromByteOffset: 2 * k + 1, as: UInt8.self))
            key = key.appending(t, at: k)
        }
        self = key
    }

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A 64-bit mix of both words (multiplicative hashing: the high bits of the product are
    /// the well-mixed ones, so tables probe from the top bits).
    @inline(__always)
    var mixed: UInt64 {
        (high ^ (low &* 0xC2B2_AE3D_27D4_EB4F) ^ (low >> 29)) &* 0x9E37_79B9_7F4A_7C15
    }

    /// Where the key starts probing in a table of `1 << bits` slots (Fibonacci hashing).
    @inline(__always)
    func slot(bits: Int) -> Int {
        Int(truncatingIfNeeded: mixed >> UInt64(64 - bits))
    }
}
