import Foundation

/// An open-addressing hash table from ``NGramKey`` to a count (linear probing, at most half
/// full, a zero count marking an empty slot). Swift's `Dictionary` costs several times as
/// much per insertion here, and counting and evaluation are all insertions and look-ups.
final class CountTable {
    private(set) var bits: Int
    private(set) var count = 0
    private var high: UnsafeMutablePointer<UInt64>
    private var low: UnsafeMutablePointer<UInt64>
    private var counts: UnsafeMutablePointer<UInt64>
    /// Slots in use, in insertion order, so clearing a sparsely used table is cheap.
    private var used: [Int32] = []

    var capacity: Int { 1 << bits }
    /// Bytes held by the slots.
    var bytes: Int { capacity * 24 + used.capacity * 4 }

    init(minimumCapacity: Int = 16) {
        bits = 4
        while (1 << bits) < 2 * minimumCapacity { bits += 1 }
        (high, low, counts) = Self.allocate(1 << bits)
    }

    deinit {
        high.deallocate()
        low.deallocate()
        counts.deallocate()
    }

    /// Adds `amount` to `key`'s count; returns the slot and whether the key is new.
    @inline(__always)
    @discardableResult
    func add(_ key: NGramKey, _ amount: UInt64 = 1) -> (slot: Int, inserted: Bool) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while counts[i] != 0 {
            if high[i] == key.high && low[i] == key.low {
                counts[i] += amount
                return (i, false)
            }
            i = (i + 1) & mask
        }
        high[i] = key.high
        low[i] = key.low
        counts[i] = amount
        used.append(Int32(i))
        count += 1
        if 2 * count > capacity {
            grow()
            return (find(key).slot, true)
        }
        return (i, true)
    }

    /// The count of `key` (0 when absent) and its slot.
    @inline(__always)
    func find(_ key: NGramKey) -> (count: UInt64, slot: Int) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while counts[i] != 0 {
            if high[i] == key.high && low[i] == key.low { return (counts[i], i) }
            i = (i + 1) & mask
        }
        return (0, -1)
    }

    func count(at slot: Int) -> UInt64 { counts[slot] }

    /// Calls `body` with every occupied slot and its count, in insertion order.
    @inline(__always)
    func forEachSlot(_ body: (Int, UInt64) -> Void) {
        for s in used { body(Int(s), counts[Int(s)]) }
    }

    /// Calls `body` with every key and count, in insertion order.
    func forEach(_ body: (NGramKey, UInt64) throws -> Void) rethrows {
        for s in used { try body(NGramKey(high: high[Int(s)], low: low[Int(s)]), counts[Int(s)]) }
    }

    /// Every key and count, sorted by key (so that writing them appends to the store's B-tree).
    func sorted() -> [(key: NGramKey, count: UInt64)] {
        var entries = used.map { (key: NGramKey(high: high[Int($0)], low: low[Int($0)]), count: counts[Int($0)]) }
        entries.sort { $0.key.high != $1.key.high ? $0.key.high < $1.key.high : $0.key.low < $1.key.low }
        return entries
    }

    /// Empties the table, keeping its slots.
    func removeAll() {
        if used.count * 8 < capacity {
            for s in used { counts[Int(s)] = 0 }
        } else {
            counts.update(repeating: 0, count: capacity)
        }
        used.removeAll(keepingCapacity: true)
        count = 0
    }

    private func grow() {
        let (oldHigh, oldLow, oldCounts) = (high, low, counts)
        let oldUsed = used
        bits += 1
        (high, low, counts) = Self.allocate(1 << bits)
        used.removeAll(keepingCapacity: true)
        count = 0
        for s in oldUsed {
            let i = Int(s)
            insertFresh(NGramKey(high: oldHigh[i], low: oldLow[i]), oldCounts[i])
        }
        oldHigh.deallocate()
        oldLow.deallocate()
        oldCounts.deallocate()
    }

    private func insertFresh(_ key: NGramKey, _ amount: UInt64) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while counts[i] != 0 { i = (i + 1) & mask }
        high[i] = key.high
        low[i] = key.low
        counts[i] = amount
        used.append(Int32(i))
        count += 1
    }

    private static func allocate(_ n: Int) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>) {
        let h = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let l = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        let c = UnsafeMutablePointer<UInt64>.allocate(capacity: n)
        c.initialize(repeating: 0, count: n)
        return (h, l, c)
    }
}
