import CPrefetch
import Corpus
import Foundation

/// An opened store's counts of one order, read-only once loaded, in a fifth to a quarter of
/// the memory of a ``CountTable``: each n-gram is one 64-bit word, its n token ids packed at
/// the vocabulary's bit width (⌈log2 V⌉ bits a token: a 6-gram over 117 units takes 42 bits)
/// above its count in the remaining bits (22 for that 6-gram), in an open-addressed table of
/// ⌈4/3⌉ slots an n-gram (linear probing; a zero word is an empty slot, since every count is
/// at least 1). A count too large for its field is saturated there and held exactly in a
/// small side table. When the key leaves fewer than ``minimumCountBits`` bits, the word holds
/// the key alone and the counts are a parallel array of 32-bit integers (saturated likewise).
/// So: 10.7 bytes an n-gram for the benchmark's orders instead of 48.
///
/// The slots are also the store's table image (``StoreSchema``): the builder writes them as
/// BLOBs and opening copies them back in bulk instead of re-hashing every block.
///
/// ```swift
/// if let table = PackedCountTable(order: 6, vocabularySize: 117, distinct: 1_000_000) { … }
/// ```
final class PackedCountTable {
    let order: Int
    let bitsPerToken: Int
    /// Bits of a count inside its word (0: the counts are the parallel 32-bit array).
    let countBits: Int
    let slots: Int
    private(set) var count = 0
    let words: UnsafeMutablePointer<UInt64>
    let counts: UnsafeMutablePointer<UInt32>?
    /// The exact counts of n-grams whose count field is saturated, by packed key.
    private(set) var overflow: [UInt64: UInt64] = [:]
    private let saturated: UInt64

    /// Fewer count bits than this in the word and the counts get their own array.
    static let minimumCountBits = 12

    /// The bit width of a token id of a vocabulary of `vocabularySize`.
    static func bitsPerToken(vocabularySize: Int) -> Int {
        var width = 1
        while (1 << width) < vocabularySize { width += 1 }
        return width
    }

    /// The slots for `distinct` n-grams: at most three quarters full.
    static func slots(distinct: Int) -> Int { max(16, distinct + distinct / 3 + 1) }

    /// A table for `distinct` n-grams of `order` over a vocabulary of `vocabularySize` with
    /// `slots` slots (default ``slots(distinct:)``), or nil when such keys do not fit 64 bits
    /// or the table would be implausibly large.
    init?(order: Int, vocabularySize: Int, distinct: Int, slots: Int? = nil) {
        let width = Self.bitsPerToken(vocabularySize: vocabularySize)
        let slots = slots ?? Self.slots(distinct: distinct)
        guard order >= 1, order * width <= 64, distinct >= 0, distinct <= 1 << 34,
              slots > distinct, slots >= 16, slots <= 1 << 36 else { return nil }
        self.order = order
        bitsPerToken = width
        self.slots = slots
        let spare = 64 - order * width
        countBits = spare >= Self.minimumCountBits ? spare : 0
        saturated = countBits > 0 ? (1 << UInt64(countBits)) - 1 : UInt64(UInt32.max)
        words = ZeroedMemory.allocate(UInt64.self, count: slots)
        counts = countBits > 0 ? nil : ZeroedMemory.allocate(UInt32.self, count: slots)
    }

    deinit {
        ZeroedMemory.deallocate(words, count: slots)
        if let counts { ZeroedMemory.deallocate(counts, count: slots) }
    }

    /// Bytes held by the slots (the side table of saturated counts aside).
    var bytes: Int { slots * (MemoryLayout<UInt64>.stride + (counts == nil ? 0 : MemoryLayout<UInt32>.stride)) }

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
    fileprivate func start(_ packed: UInt64) -> Int {
        let mixed = (packed ^ packed >> 29) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed.multipliedFullWidth(by: UInt64(slots)).high)
    }

    /// Stores a new key's count (≥ 1); false when a token does not fit the bit width or the
    /// table is already three quarters full (more n-grams than the store's totals said).
    func insert(_ key: NGramKey, count value: UInt64) -> Bool {
        guard value >= 1, 4 * (count + 1) <= 3 * slots else { return false }
        for k in 0..<order where ((k < 4 ? key.high : key.low) >> UInt64(48 - 16 * (k & 3)) & 0xFFFF) >> UInt64(bitsPerToken) != 0 {
            return false
        }
        let packed = pack(key)
        var i = start(packed)
        if let counts {
            while counts[i] != 0 { i = i + 1 == slots ? 0 : i + 1 }
            words[i] = packed
            counts[i] = UInt32(min(value, saturated))
        } else {
            while words[i] != 0 { i = i + 1 == slots ? 0 : i + 1 }
            words[i] = packed << UInt64(countBits) | min(value, saturated)
        }
        if value >= saturated { overflow[packed] = value }
        count += 1
        return true
    }

    /// The count of `key`, 0 when absent.
    @inline(__always)
    func find(_ key: NGramKey) -> UInt64 {
        let packed = pack(key)
        return probe(packed, from: start(packed))
    }

    /// The count of the packed key `packed` whose probe run starts at slot `first`.
    @inline(__always)
    private func probe(_ packed: UInt64, from first: Int) -> UInt64 {
        var i = first
        if let counts {
            while counts[i] != 0 {
                if words[i] == packed { return exact(UInt64(counts[i]), packed) }
                i = i + 1 == slots ? 0 : i + 1
            }
        } else {
            let shift = UInt64(countBits)
            while true {
                let word = words[i]
                if word == 0 { break }
                if word >> shift == packed { return exact(word & saturated, packed) }
                i = i + 1 == slots ? 0 : i + 1
            }
        }
        return 0
    }

    /// How many look-ups ahead ``find(_:count:into:)`` prefetches a key's first slot (a
    /// power of two: the staged keys wait in a ring of this size).
    static let prefetchDistance = 16

    /// The counts of `keys[0..<n]` into `results[0..<n]` (0 when absent), as ``find(_:)``
    /// gives them one by one. At full scale every look-up misses the cache; here each key is
    /// packed and its first slot prefetched ``prefetchDistance`` keys before it is probed, so
    /// that those misses overlap. The staged keys wait in a small ring on the stack (no
    /// allocation per call: this runs once per order in every evaluation).
    func find(_ keys: UnsafePointer<NGramKey>, count n: Int, into results: UnsafeMutablePointer<UInt64>) {
        let distance = Self.prefetchDistance, mask = distance - 1
        withUnsafeTemporaryAllocation(of: (packed: UInt64, first: Int).self, capacity: distance) { ring in
            func stage(_ j: Int) {
                let packed = pack(keys[j]), first = start(packed)
                ring[j & mask] = (packed, first)
                prefetch(first)
            }
            for j in 0..<min(distance, n) { stage(j) }
            for j in 0..<n {
                let (packed, first) = ring[j & mask]
                results[j] = probe(packed, from: first)
                if j + distance < n { stage(j + distance) }
            }
        }
    }

    @inline(__always)
    private func prefetch(_ slot: Int) {
        ttur_prefetch(words + slot)
        if let counts { ttur_prefetch(counts + slot) }
    }

    @inline(__always)
    private func exact(_ field: UInt64, _ packed: UInt64) -> UInt64 {
        field == saturated ? overflow[packed] ?? field : field
    }

    /// After the slots were copied in from a table image: sets the side table and checks the
    /// image against the order's totals (every slot's count, saturated ones through the side
    /// table, adds up to `total` over `distinct` n-grams). Returns nil when it agrees, else
    /// what is wrong.
    func adopt(image overflow: [UInt64: UInt64], distinct: Int, total: UInt64) -> String? {
        guard overflow.values.allSatisfy({ $0 >= saturated }) else { return "a side-table count is below its field's limit" }
        self.overflow = overflow
        var used = 0, sum: UInt64 = 0, saturatedSlots = 0
        for i in 0..<slots where isOccupied(i) {
            used += 1
            let field = countField(i)
            if field == saturated {
                saturatedSlots += 1
                guard let exact = overflow[key(i)] else { return "slot \(i) is saturated but not in the side table" }
                sum &+= exact
            } else {
                sum &+= field
            }
        }
        // Every key must be where a look-up finds it: in the run of occupied slots that its
        // first slot starts (so an image of another hash or a shifted one is refused).
        if let misplaced = misplacedSlot() { return "slot \(misplaced) holds a key that a look-up does not reach" }
        guard saturatedSlots == overflow.count else { return "the side table holds \(overflow.count) counts for \(saturatedSlots) saturated slots" }
        guard used == distinct, sum == total, 4 * used <= 3 * slots else {
            return "\(used) n-grams with \(sum) occurrences in \(slots) slots, where the totals say \(distinct) and \(total)"
        }
        count = used
        return nil
    }
}

extension PackedCountTable {
    // Slot `i` in either layout, for the image checks (look-ups use `probe`, specialised).
    fileprivate func isOccupied(_ i: Int) -> Bool { counts.map { $0[i] != 0 } ?? (words[i] != 0) }
    fileprivate func key(_ i: Int) -> UInt64 { counts == nil ? words[i] >> UInt64(countBits) : words[i] }
    fileprivate func countField(_ i: Int) -> UInt64 { counts.map { UInt64($0[i]) } ?? (words[i] & saturated) }

    /// The first slot whose key lies outside the probe run from its first slot, or nil.
    fileprivate func misplacedSlot() -> Int? {
        guard let empty = (0..<slots).first(where: { !isOccupied($0) }) else { return 0 }
        var runStart = empty + 1 == slots ? 0 : empty + 1
        var j = runStart
        for _ in 0..<(slots - 1) {
            if !isOccupied(j) {
                runStart = j + 1 == slots ? 0 : j + 1
            } else {
                let first = start(key(j))
                let displacement = j >= first ? j - first : j + slots - first
                let run = j >= runStart ? j - runStart : j + slots - runStart
                if displacement > run { return j }
            }
            j = j + 1 == slots ? 0 : j + 1
        }
        return nil
    }
}

/// One order's corpus counts in an opened store: packed when its keys fit 64 bits, else the
/// general table.
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

    /// The counts of `keys[0..<n]` into `results[0..<n]`, batched (prefetching) where the
    /// table is packed.
    func find(_ keys: UnsafePointer<NGramKey>, count n: Int, into results: UnsafeMutablePointer<UInt64>) {
        switch self {
        case let .packed(table): table.find(keys, count: n, into: results)
        case let .wide(table): for j in 0..<n { results[j] = table.find(keys[j]).count }
        }
    }

    var distinct: Int {
        switch self {
        case let .packed(table): return table.count
        case let .wide(table): return table.count
        }
    }
}
