import Foundation

/// An open-addressing hash table from ``NGramKey`` to a count (linear probing, at most half
/// full, a zero count marking an empty slot). Swift's `Dictionary` costs several times as
/// much per insertion here, and counting and evaluation are all insertions and look-ups.
/// A slot keeps key and count together, so a probe touches one cache line.
final class CountTable {
    struct Slot {
        var high: UInt64
        var low: UInt64
        var count: UInt64
    }

    private(set) var bits: Int
    private(set) var count = 0
    private var slots: UnsafeMutablePointer<Slot>
    /// Slots in use, in insertion order, so clearing a sparsely used table is cheap.
    private var used: [Int32] = []

    var capacity: Int { 1 << bits }
    /// Bytes held by the slots.
    var bytes: Int { capacity * MemoryLayout<Slot>.stride + used.capacity * 4 }

    init(minimumCapacity: Int = 16) {
        bits = 4
        while (1 << bits) < 2 * minimumCapacity { bits += 1 }
        slots = Self.allocate(1 << bits)
    }

    deinit { slots.deallocate() }

    /// Adds `amount` to `key`'s count; returns the slot and whether the key is new.
    @inline(__always)
    @discardableResult
    func add(_ key: NGramKey, _ amount: UInt64 = 1) -> (slot: Int, inserted: Bool) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while slots[i].count != 0 {
            if slots[i].high == key.high && slots[i].low == key.low {
                slots[i].count += amount
                return (i, false)
            }
            i = (i + 1) & mask
        }
        slots[i] = Slot(high: key.high, low: key.low, count: amount)
        used.append(Int32(i))
        count += 1
        if 2 * count > capacity {
            grow()
            return (find(key).slot, true)
        }
        return (i, true)
    }

    /// The count of `key` (0 when absent) and its slot (−1 when absent).
    @inline(__always)
    func find(_ key: NGramKey) -> (count: UInt64, slot: Int) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while slots[i].count != 0 {
            if slots[i].high == key.high && slots[i].low == key.low { return (slots[i].count, i) }
            i = (i + 1) & mask
        }
        return (0, -1)
    }

    /// Calls `body` with every occupied slot and its count, in insertion order.
    @inline(__always)
    func forEachSlot(_ body: (Int, UInt64) -> Void) {
        for s in used { body(Int(s), slots[Int(s)].count) }
    }

    /// Every key and count, sorted by key (so that writing them appends to the store's B-tree).
    func sorted() -> [Slot] {
        var entries = used.map { slots[Int($0)] }
        entries.sort { $0.high != $1.high ? $0.high < $1.high : $0.low < $1.low }
        return entries
    }

    /// Empties the table, keeping its slots.
    func removeAll() {
        if used.count * 8 < capacity {
            for s in used { slots[Int(s)].count = 0 }
        } else {
            slots.update(repeating: Slot(high: 0, low: 0, count: 0), count: capacity)
        }
        used.removeAll(keepingCapacity: true)
        count = 0
    }

    private func grow() {
        let old = slots
        let oldUsed = used
        bits += 1
        slots = Self.allocate(1 << bits)
        used.removeAll(keepingCapacity: true)
        let mask = capacity - 1
        for s in oldUsed {
            let slot = old[Int(s)]
            var i = NGramKey(high: slot.high, low: slot.low).slot(bits: bits)
            while slots[i].count != 0 { i = (i + 1) & mask }
            slots[i] = slot
            used.append(Int32(i))
        }
        old.deallocate()
    }

    private static func allocate(_ n: Int) -> UnsafeMutablePointer<Slot> {
        let p = UnsafeMutablePointer<Slot>.allocate(capacity: n)
        p.initialize(repeating: Slot(high: 0, low: 0, count: 0), count: n)
        return p
    }
}
