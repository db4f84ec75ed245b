import Corpus
import Foundation

/// An opened store's counts of one order, read-only once loaded, in half the memory of a
/// ``CountTable``: each key is its n token ids packed into one 64-bit word at the
/// vocabulary's bit width (⌈log2 V⌉ bits a token: 6-grams over 117 units take 42 bits) and
/// each count a 32-bit integer, in two parallel arrays of twice as many slots as the order
/// has distinct n-grams (linear probing, a zero count marking an empty slot): 24 bytes an
/// n-gram instead of 48 (issue 19, item 1; the table image kept in the store and parallel
/// loading are not done).
///
/// ```swift
/// if let table = PackedCountTable(order: 6, vocabularySize: 117, distinct: 1_000_000) { … }
/// ```
final class PackedCountTable {
    let order: Int
    let bitsPerToken: Int
    private let bits: Int
    private(set) var count = 0
    private let keys: UnsafeMutablePointer<UInt64>
    private let counts: UnsafeMutablePointer<UInt32>

    /// Counts at or above this need the wide table.
    static let countLimit = UInt64(UInt32.max)

    /// A table for `distinct` n-grams of `order` over a vocabulary of `vocabularySize`, or
    /// nil when such keys do not fit 64 bits or the table would be implausibly large.
    init?(order: Int, vocabularySize: Int, distinct: Int) {
        var width = 1
        while (1 << width) < vocabularySize { width += 1 }
        guard order >= 1, order * width <= 64, distinct >= 0, distinct <= 1 << 31 else { return nil }
        self.order = order
        bitsPerToken = width
        bits = CountTable.bits(forMinimumCapacity: max(distinct, 8))
        keys = ZeroedMemory.allocate(UInt64.self, count: 1 << bits)
        counts = ZeroedMemory.allocate(UInt32.self, count: 1 << bits)
    }

    deinit {
        ZeroedMemory.deallocate(keys, count: 1 << bits)
        ZeroedMemory.deallocate(counts, count: 1 << bits)
    }

    /// Bytes held by the slots.
    var bytes: Int { (1 << bits) * (MemoryLayout<UInt64>.stride + MemoryLayout<UInt32>.stride) }

    @inline(__always)
    private func pack(_ key: NGramKey) -> UInt64 {
        var packed: UInt64 = 0
        for k in 0..<order {
            let word = k < 4 ? key.high : key.low
            packed = packed << UInt64(bitsPerToken) | (word >> UInt64(48 - 16 * (k & 3)) & 0xFFFF)
        }
        return packed
    }

    @inline(__always)
    private func start(_ packed: UInt64) -> Int {
        Int(truncatingIfNeeded: ((packed ^ packed >> 31) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - bits))
    }

    /// Stores a new key's count (1 ≤ count < ``countLimit``); false when a token does not fit
    /// the bit width or the table is already half full (more n-grams than the store's totals
    /// said).
    func insert(_ key: NGramKey, count value: UInt64) -> Bool {
        guard 2 * (count + 1) <= 1 << bits else { return false }
        for k in 0..<order where ((k < 4 ? key.high : key.low) >> UInt64(48 - 16 * (k & 3)) & 0xFFFF) >> UInt64(bitsPerToken) != 0 {
            return false
        }
        let packed = pack(key), mask = (1 << bits) - 1
        var i = start(packed)
        while counts[i] != 0 { i = (i + 1) & mask }
        keys[i] = packed
        counts[i] = UInt32(value)
        count += 1
        return true
    }

    /// The count of `key`, 0 when absent.
    @inline(__always)
    func find(_ key: NGramKey) -> UInt64 {
        let packed = pack(key), mask = (1 << bits) - 1
        var i = start(packed)
        while counts[i] != 0 {
            if keys[i] == packed { return UInt64(counts[i]) }
            i = (i + 1) & mask
        }
        return 0
    }
}

/// One order's corpus counts in an opened store: packed when its keys and counts fit, else
/// the general table.
enum CorpusCounts {
    case packed(PackedCountTable)
    case wide(CountTable)

    @inline(__always)
    func find(_ key: NGramKey) -> UInt64 {
        switch self {
        case let .packed(table): return table.find(key)
        case let .wide(table): return table.find(key).count
        }
    }

    var distinct: Int {
        switch self {
        case let .packed(table): return table.count
        case let .wide(table): return table.count
        }
    }
}
