import Foundation

/// An open-addressing hash table from ``NGramKey`` to a count (linear probing, at most half
/// full, a zero count marking an empty slot). Swift's `Dictionary` costs several times as
/// much per insertion here, and counting and evaluation are all insertions and look-ups.
/// A slot keeps key and count together, so a probe touches one cache line. The slots are
/// zero-filled anonymous memory on transparent huge pages where the table is large, which
/// spares a TLB miss on most probes of a table of tens of megabytes.
final class CountTable {
    struct Slot {
        var high: UInt64
        var low: UInt64
        var count: UInt64
    }

    private(set) var bits: Int
    private(set) var count = 0
    private var slots: UnsafeMutablePointer<Slot>
    /// Slots in use, in insertion order (`count` of them), so clearing a sparsely used table
    /// and visiting its entries are cheap.
    private var used: UnsafeMutablePointer<Int32>
    /// Whether ``sortInPlace(order:)`` has rearranged the slots.
    private var sortedState = false

    var capacity: Int { 1 << bits }
    /// Bytes held by the slots and the list of used slots.
    var bytes: Int { Self.bytes(bits: bits) }

    static func bytes(bits: Int) -> Int { (1 << bits) * MemoryLayout<Slot>.stride + ((1 << bits) / 2 + 1) * 4 }

    /// log2 of the slots of a table made for `minimumCapacity` entries.
    static func bits(forMinimumCapacity minimumCapacity: Int) -> Int {
        var bits = 4
        while (1 << bits) < 2 * minimumCapacity { bits += 1 }
        return bits
    }

    init(minimumCapacity: Int = 16) {
        bits = Self.bits(forMinimumCapacity: minimumCapacity)
        slots = ZeroedMemory.allocate(Slot.self, count: 1 << bits)
        used = ZeroedMemory.allocate(Int32.self, count: (1 << bits) / 2 + 1)
    }

    deinit {
        ZeroedMemory.deallocate(slots, count: capacity)
        ZeroedMemory.deallocate(used, count: capacity / 2 + 1)
    }

    /// Adds `amount` to `key`'s count; returns the slot and whether the key is new.
    @inline(__always)
    @discardableResult
    func add(_ key: NGramKey, _ amount: UInt64 = 1) -> (slot: Int, inserted: Bool) {
        add(key, mixed: key.mixed, amount)
    }

    /// ``add(_:_:)`` with the key's ``NGramKey/mixed`` already computed.
    @inline(__always)
    @discardableResult
    func add(_ key: NGramKey, mixed: UInt64, _ amount: UInt64 = 1) -> (slot: Int, inserted: Bool) {
        let mask = capacity - 1
        var i = Int(truncatingIfNeeded: mixed >> UInt64(64 - bits))
        while slots[i].count != 0 {
            if slots[i].high == key.high && slots[i].low == key.low {
                slots[i].count += amount
                return (i, false)
            }
            i = (i + 1) & mask
        }
        slots[i] = Slot(high: key.high, low: key.low, count: amount)
        used[count] = Int32(truncatingIfNeeded: i)
        count += 1
        if 2 * count > capacity {
            grow()
            return (find(key).slot, true)
        }
        return (i, true)
    }

    /// For a table used as an index: the value (≥ 1) stored for `key`, storing `value` when
    /// the key is absent.
    @inline(__always)
    func value(for key: NGramKey, insertingIfAbsent value: UInt64) -> (value: UInt64, inserted: Bool) {
        let mask = capacity - 1
        var i = key.slot(bits: bits)
        while slots[i].count != 0 {
            if slots[i].high == key.high && slots[i].low == key.low { return (slots[i].count, false) }
            i = (i + 1) & mask
        }
        slots[i] = Slot(high: key.high, low: key.low, count: value)
        used[count] = Int32(truncatingIfNeeded: i)
        count += 1
        if 2 * count > capacity { grow() }
        return (value, true)
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
        for k in 0..<count {
            let s = Int(used[k])
            body(s, slots[s].count)
        }
    }

    /// Sorts the table's entries by key inside its own slots and returns them: the entries
    /// are packed into the first `count` slots, then radix-sorted into the next `count` slots
    /// (the table is at most half full), by the most significant varying key byte first and
    /// then each of its buckets (small enough to stay in cache) on the remaining bytes, least
    /// significant first. Bytes equal in every key (the high byte of every 16-bit id, for a
    /// vocabulary of up to 256 units) are skipped. The table is then no longer a hash table
    /// until ``reset()``; the buffer lives as long as the table.
    func sortInPlace(order n: Int) -> UnsafeBufferPointer<Slot> {
        let total = count
        var w = 0, i = 0
        while w < total {
            if slots[i].count != 0 {
                if w != i { slots[w] = slots[i] }
                w += 1
            }
            i += 1
        }
        sortedState = true
        if total < 512 {
            var buffer = UnsafeMutableBufferPointer<Slot>(start: slots, count: total)
            buffer.sort { (x: Slot, y: Slot) -> Bool in x.high != y.high ? x.high < y.high : x.low < y.low }
            return UnsafeBufferPointer(start: slots, count: total)
        }
        let digits = 2 * n
        // Digit d (0 = least significant) is byte d % 2 of token n − 1 − d / 2.
        func shift(_ d: Int) -> (high: Bool, shift: UInt64) {
            let k = n - 1 - d / 2
            return (k < 4, UInt64(48 - 16 * (k & 3) + 8 * (d & 1)))
        }
        let histograms = UnsafeMutablePointer<Int>.allocate(capacity: digits * 256)  // all bytes, one pass
        histograms.initialize(repeating: 0, count: digits * 256)
        defer { histograms.deallocate() }
        let shifts = (0..<digits).map(shift)
        for k in 0..<total {
            let x = slots[k]
            for d in 0..<digits {
                let (useHigh, s) = shifts[d]
                histograms[d * 256 + Int(truncatingIfNeeded: ((useHigh ? x.high : x.low) >> s) & 0xFF)] += 1
            }
        }
        let varying = (0..<digits).filter { d in !(0..<256).contains { histograms[d * 256 + $0] == total } }
        guard let top = varying.last else { return UnsafeBufferPointer(start: slots, count: total) }
        // Most significant varying byte first, from the packed entries into the second buffer;
        // then each of its buckets (small enough to stay in cache) sorted on the other bytes,
        // least significant first, between the two buffers' matching ranges.
        let target = slots + total
        var starts = [Int](repeating: 0, count: 257)
        for b in 0..<256 { starts[b + 1] = starts[b] + histograms[top * 256 + b] }
        var offsets = Array(starts[0..<256])
        Self.scatter(slots, into: target, count: total, digit: shifts[top], offsets: &offsets)
        let rest = varying.dropLast()
        var local = [Int](repeating: 0, count: 256 * max(rest.count, 1))
        for b in 0..<256 {
            let lo = starts[b], size = starts[b + 1] - lo
            guard size > 1, !rest.isEmpty else { continue }
            var source = target + lo, other = slots + lo
            for k in local.indices { local[k] = 0 }
            for k in 0..<size {
                let x = source[k]
                for (r, d) in rest.enumerated() {
                    let (useHigh, s) = shifts[d]
                    local[r * 256 + Int(truncatingIfNeeded: ((useHigh ? x.high : x.low) >> s) & 0xFF)] += 1
                }
            }
            for (r, d) in rest.enumerated() {
                if (0..<256).contains(where: { local[r * 256 + $0] == size }) { continue }
                var sum = 0
                for v in 0..<256 { offsets[v] = sum; sum += local[r * 256 + v] }
                Self.scatter(source, into: other, count: size, digit: shifts[d], offsets: &offsets)
                swap(&source, &other)
            }
            if source != target + lo { (target + lo).update(from: source, count: size) }
        }
        return UnsafeBufferPointer(start: target, count: total)
    }

    /// One radix pass: `count` entries from `source` to `target` by one key byte, each to
    /// its byte's next offset.
    @inline(__always)
    private static func scatter(_ source: UnsafeMutablePointer<Slot>, into target: UnsafeMutablePointer<Slot>, count: Int,
                                digit: (high: Bool, shift: UInt64), offsets: inout [Int]) {
        let (useHigh, s) = digit
        offsets.withUnsafeMutableBufferPointer { o in
            for k in 0..<count {
                let x = source[k]
                let b = Int(truncatingIfNeeded: ((useHigh ? x.high : x.low) >> s) & 0xFF)
                target[o[b]] = x
                o[b] += 1
            }
        }
    }

    /// Empties a table whose slots ``sortInPlace(order:)`` used, so it counts again.
    func reset() {
        slots.update(repeating: Slot(high: 0, low: 0, count: 0), count: capacity)
        count = 0
        sortedState = false
    }

    /// Empties the table, keeping its slots (clearing only the used ones: the table is at
    /// most half full, and an evaluation's scratch tables are far emptier).
    func removeAll() {
        if sortedState { return reset() }
        for k in 0..<count { slots[Int(used[k])].count = 0 }
        count = 0
    }

    private func grow() {
        let old = slots, oldUsed = used, oldCapacity = capacity
        bits += 1
        slots = ZeroedMemory.allocate(Slot.self, count: 1 << bits)
        used = ZeroedMemory.allocate(Int32.self, count: (1 << bits) / 2 + 1)
        let mask = capacity - 1
        for k in 0..<count {
            let slot = old[Int(oldUsed[k])]
            var i = NGramKey(high: slot.high, low: slot.low).slot(bits: bits)
            while slots[i].count != 0 { i = (i + 1) & mask }
            slots[i] = slot
            used[k] = Int32(truncatingIfNeeded: i)
        }
        ZeroedMemory.deallocate(old, count: oldCapacity)
        ZeroedMemory.deallocate(oldUsed, count: oldCapacity / 2 + 1)
    }
}

/// Zero-filled memory straight from the kernel: pages are only backed once written, and
/// regions of 2 MiB and more are asked to live on transparent huge pages.
enum ZeroedMemory {
    private static let hugePage = 2 << 20

    static func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        if bytes < hugePage {
            let p = calloc(bytes, 1)!
            return p.bindMemory(to: T.self, capacity: count)
        }
        let length = (bytes + hugePage - 1) / hugePage * hugePage
        // Map one huge page more and unmap around a 2 MiB-aligned region of `length` bytes.
        guard let raw = mmap(nil, length + hugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              raw != MAP_FAILED else {
            fatalError("out of memory: cannot map \(length) bytes for n-gram counts")
        }
        let address = UInt(bitPattern: raw)
        let aligned = (address + UInt(hugePage) - 1) & ~UInt(hugePage - 1)
        let head = Int(aligned - address)
        if head > 0 { munmap(raw, head) }
        let p = UnsafeMutableRawPointer(bitPattern: aligned)!
        if hugePage - head > 0 { munmap(p + length, hugePage - head) }
        _ = madvise(p, length, 14)  // MADV_HUGEPAGE
        return p.bindMemory(to: T.self, capacity: count)
    }

    static func deallocate<T>(_ p: UnsafeMutablePointer<T>, count: Int) {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        if bytes < hugePage {
            free(p)
        } else {
            munmap(p, (bytes + hugePage - 1) / hugePage * hugePage)
        }
    }
}
