import Basics
import Corpus
import Foundation
import GRDB
import GRDBSQLite

/// A prepared dataset's real n-gram statistics, opened once, scoring generated samples by
/// the n-gram Jensen–Shannon divergence exactly as `../shared/reference/ngram_jsd.py` does.
///
/// Opening reads the stored counts into compact in-memory hash tables (the store is the
/// durable, inspectable form; the tables make a look-up cost tens of nanoseconds instead of
/// a B-tree search), copying each order's table image in bulk where the store has one and
/// hashing its blocks otherwise. An evaluation then touches the statistics once per distinct sample
/// n-gram, and fewer: an n-gram whose (n−1)-prefix the corpus lacks is absent too.
/// The store's layout is ``StoreSchema``; a store of another format is refused with a
/// request to rebuild it, never read as something else.
///
/// ```swift
/// let store = try NGramStore(dataset: dataset)
/// let scores = try store.jsd(samples: generatedIDs, maxN: 6)   // [1: 0.02, …, 6: 0.71]
/// ```
public final class NGramStore: @unchecked Sendable {
    public let path: URL
    /// The largest order stored.
    public let maxN: Int
    /// All n-gram occurrences of the corpus, by order.
    public let totals: [Int: UInt64]
    /// The vocabulary size the store was built with; sample ids must be below it.
    public let vocabularySize: Int
    /// ``Vocabulary/fingerprint`` of the vocabulary the store was built with.
    public let vocabularyFingerprint: String

    private let real: [CorpusCounts]
    /// The orders copied from the store's table images (the others were hashed from their blocks).
    public let imageOrders: [Int]
    private var scratch: [OrderScratch] = []
    /// Threads one evaluation uses (1 or 2): orders 1…maxN−2 on one, the two highest on the
    /// other. Set it before evaluating, not during an evaluation.
    public var evaluationThreads = min(2, ProcessInfo.processInfo.activeProcessorCount)
    private let lock = NSLock()

    /// Opens `ngrams.sqlite` beside a prepared dataset and checks it was built from the
    /// dataset's vocabulary.
    /// - throws: ``LocatedError`` when the store is missing, locked, corrupt, or built with
    ///   another vocabulary.
    public convenience init(dataset: PreparedDataset, busyTimeout: Double = 5) throws {
        try self.init(dataset: dataset.header, busyTimeout: busyTimeout)
    }

    /// The same from a dataset's manifest and vocabulary alone (its sentences unread).
    public convenience init(dataset header: DatasetHeader, busyTimeout: Double = 5) throws {
        try self.init(path: header.directory.appendingPathComponent(StoreSchema.fileName),
                      vocabulary: header.vocabulary, busyTimeout: busyTimeout)
    }

    /// Opens a store; with `vocabulary`, refuses one built with a different vocabulary.
    /// - throws: ``LocatedError`` when the store is missing, locked, corrupt or inconsistent.
    public init(path: URL, vocabulary: Vocabulary? = nil, busyTimeout: Double = 5) throws {
        self.path = path
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw LocatedError(file: path.path, "missing: build it with `ttur-text prepare ngrams --data DIR`")
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout)
        let layout: Layout, sums: [UInt64]
        do {
            let database = try DatabaseQueue(path: path.path, configuration: configuration)
            layout = try database.read { db in try Layout(db, path: path.path) }
            try database.close()
            sums = try Self.loadOrders(layout, path: path, configuration: configuration)
        } catch let error as LocatedError {
            throw error
        } catch let error as DatabaseError {
            throw LocatedError(file: path.path, Self.explain(error))
        } catch {
            throw LocatedError(file: path.path, "cannot read: \(error)")
        }
        maxN = layout.tables.count
        imageOrders = layout.images.keys.sorted()
        for n in 1...maxN {
            guard sums[n - 1] == layout.totals[n], layout.tables[n - 1].distinct == layout.distinct[n] else {
                throw LocatedError(file: path.path, "inconsistent: the \(n)-gram counts do not add up to the stored totals (rebuild it)")
            }
        }
        totals = layout.totals
        vocabularySize = layout.vocabularySize
        vocabularyFingerprint = layout.meta["vocab_sha256"] ?? ""
        real = layout.tables
        if let vocabulary, vocabulary.fingerprint != vocabularyFingerprint {
            throw LocatedError(file: path.path, "built with another vocabulary than the dataset's vocab.tsv (rebuild it with `ttur-text prepare ngrams`)")
        }
    }

    /// What a store holds besides its counts, checked: its metadata, each order's totals and
    /// distinct count, an empty table sized for each order, and the orders kept as table images.
    private struct Layout {
        var meta: [String: String] = [:]
        var totals: [Int: UInt64] = [:]
        var distinct: [Int: Int] = [:]
        var tables: [CorpusCounts] = []
        var images: [Int: TableImage.Header] = [:]
        var vocabularySize: Int { meta["vocab_size"].flatMap(Int.init) ?? 0 }

        /// - throws: ``LocatedError`` for a file that is not a store of this format, or whose
        ///   metadata and totals disagree.
        init(_ db: Database, path: String) throws {
            let names = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
            guard names.contains("meta") else { throw LocatedError(file: path, "not an n-gram store (no meta table)") }
            // Decoded with throws: a NULL or a text where a number belongs is a corrupt store, not a crash.
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta") { meta[try row.decode(atIndex: 0)] = try row.decode(atIndex: 1) }
            guard meta["format"] == StoreSchema.format else {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
                if let format = meta["format"], format.hasPrefix("ttur-text ngrams") {
                    throw LocatedError(file: path, "written in the older format \"\(format)\" (this ttur-text reads \"\(StoreSchema.format)\"): rebuild it with `ttur-text prepare ngrams --data \(directory)`")
                }
                throw LocatedError(file: path, "not an n-gram store of format \"\(StoreSchema.format)\" (rebuild it with `ttur-text prepare ngrams --data \(directory)`)")
            }
            guard names.isSuperset(of: ["totals", "ngram_blocks"]) else {
                throw LocatedError(file: path, "not an n-gram store (tables totals, ngram_blocks missing)")
            }
            for row in try Row.fetchAll(db, sql: "SELECT n, occurrences, distinct_ngrams FROM totals") {
                let n: Int = try row.decode(atIndex: 0)
                totals[n] = UInt64(bitPattern: try row.decode(Int64.self, atIndex: 1))
                distinct[n] = try row.decode(atIndex: 2)
            }
            guard let maxN = meta["max_n"].flatMap(Int.init), (1...NGramKey.maxOrder).contains(maxN),
                  (1...maxN).allSatisfy({ totals[$0] != nil && (0...(1 << 40)).contains(distinct[$0] ?? -1) }) else {
                throw LocatedError(file: path, "inconsistent: meta.max_n or the totals are missing or out of range (rebuild it with `ttur-text prepare ngrams`)")
            }
            let headers = try TableImage.headers(db, path: path)
            tables = (1...maxN).map { n in table(order: n, header: headers[n]) }
            let stray = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ngram_blocks WHERE n < 1 OR n > \(maxN)") ?? 0
            guard stray == 0 else {
                throw LocatedError(file: path, "corrupt: \(stray) ngram_blocks row(s) have an n outside the store's 1…\(maxN)")
            }
        }

        /// Order `n`'s empty table: packed keys wherever they fit 64 bits, with the image's
        /// slot count where it has a matching one (then the order is read from its image).
        private mutating func table(order n: Int, header: TableImage.Header?) -> CorpusCounts {
            if (1...65_536).contains(vocabularySize) {
                if let header,
                   let packed = PackedCountTable(order: n, vocabularySize: vocabularySize, distinct: distinct[n]!, slots: header.slots),
                   packed.bitsPerToken == header.bitsPerToken, packed.countBits == header.countBits {
                    images[n] = header
                    return .packed(packed)
                }
                if let packed = PackedCountTable(order: n, vocabularySize: vocabularySize, distinct: distinct[n]!) {
                    return .packed(packed)
                }
            }
            return .wide(CountTable(minimumCapacity: min(distinct[n] ?? 16, 1 << 26)))
        }
    }

    /// Fills every order's table, in parallel, each on its own read-only connection (readers
    /// of a WAL database do not wait for one another): from its table image where it has one,
    /// else from its blocks. Returns each order's sum of counts.
    private static func loadOrders(_ layout: Layout, path: URL, configuration: Configuration) throws -> [UInt64] {
        let vocabularySize = layout.vocabularySize
        var loaded = [UInt64](repeating: 0, count: layout.tables.count)
        var failures = [Error?](repeating: nil, count: layout.tables.count)
        loaded.withUnsafeMutableBufferPointer { loaded in
            failures.withUnsafeMutableBufferPointer { failures in
                let (loaded, failures) = (loaded, failures)
                DispatchQueue.concurrentPerform(iterations: layout.tables.count) { k in
                    do {
                        let connection = try DatabaseQueue(path: path.path, configuration: configuration)
                        loaded[k] = try connection.read { db in
                            let n = k + 1
                            if let header = layout.images[n], case let .packed(packed) = layout.tables[k] {
                                try TableImage.read(db, into: packed, header: header, distinct: layout.distinct[n]!,
                                                    total: layout.totals[n]!, path: path.path)
                                return layout.totals[n]!
                            }
                            return try Self.load(db, order: n, into: layout.tables[k], vocabularySize: vocabularySize, path: path.path)
                        }
                        try connection.close()
                    } catch {
                        failures[k] = error
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return loaded
    }

    /// Reads the blocks of order `order` into its table, checking each block's shape, that
    /// keys increase strictly (so no n-gram is stored twice) and, for a packed table, that
    /// token ids fit its bit width; returns the order's sum of counts.
    static func load(_ db: Database, order: Int, into table: CorpusCounts, vocabularySize: Int, path: String) throws -> UInt64 {
        var sum: UInt64 = 0
        let statement = try db.makeStatement(sql: "SELECT n, block, entries, keys, counts FROM ngram_blocks WHERE n = \(order) ORDER BY block")
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var nextBlock = 0
        var previous = NGramKey.empty
        while true {
            let result = sqlite3_step(handle)
            if result == SQLITE_DONE { return sum }
            guard result == SQLITE_ROW else {
                throw LocatedError(file: path, explain(code: result, message: String(cString: sqlite3_errmsg(db.sqliteConnection))))
            }
            let n = order
            let block = Int(sqlite3_column_int64(handle, 1))
            let entries = Int(sqlite3_column_int64(handle, 2))
            let keyBytes = Int(sqlite3_column_bytes(handle, 3))
            let countBytes = Int(sqlite3_column_bytes(handle, 4))
            guard block == nextBlock, entries >= 1, entries <= 1 << 24, keyBytes == entries * 2 * n, countBytes == entries * 8,
                  let keys = sqlite3_column_blob(handle, 3), let counts = sqlite3_column_blob(handle, 4) else {
                throw LocatedError(file: path, "corrupt: block \(block) of the \(n)-grams (expected block \(nextBlock)) has \(entries) entries, \(keyBytes) key bytes and \(countBytes) count bytes")
            }
            nextBlock += 1
            for i in 0..<entries {
                let key = NGramKey(blob: keys + 2 * n * i, count: 2 * n)
                let count = UInt64(bigEndian: counts.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                let increasing = key.high > previous.high || (key.high == previous.high && key.low > previous.low)
                guard count > 0, count < 1 << 62, increasing || (block == 0 && i == 0) else {
                    throw LocatedError(file: path, "corrupt: entry \(i) of block \(block) of the \(n)-grams has count \(count) or is out of order")
                }
                previous = key
                sum &+= count
                switch table {
                case let .wide(wide):
                    wide.add(key, count)
                case let .packed(packed):
                    guard packed.insert(key, count: count) else {
                        throw LocatedError(file: path, "corrupt: entry \(i) of block \(block) of the \(n)-grams has a token id too large for the \(vocabularySize)-unit vocabulary, or the order holds more n-grams than its total says")
                    }
                }
            }
        }
    }

    static func explain(_ error: DatabaseError) -> String {
        explain(code: error.resultCode.primaryResultCode.rawValue, message: error.message ?? "\(error)")
    }

    static func explain(code: Int32, message: String) -> String {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: return "locked by another process (\(message)); try again when it is done"
        case SQLITE_NOTADB, SQLITE_CORRUPT: return "corrupt (\(message)): rebuild it with `ttur-text prepare ngrams`"
        case SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_READONLY: return "cannot open (\(message))"
        default: return "cannot read (\(message))"
        }
    }

    /// The orders held with packed keys (``PackedCountTable``).
    var packedOrders: [Int] {
        real.enumerated().compactMap { n, table in
            if case .packed = table { return n + 1 }
            return nil
        }
    }

    /// Bytes of the in-memory corpus tables (address space; pages are backed as they are written).
    public var tableBytes: Int {
        real.reduce(0) { total, table in
            switch table {
            case let .packed(packed): return total + packed.bytes
            case let .wide(wide): return total + wide.bytes
            }
        }
    }

    /// The corpus count of an n-gram (0 when absent).
    public func count(of ngram: [TokenID]) -> UInt64 {
        guard (1...maxN).contains(ngram.count) else { return 0 }
        var key = NGramKey.empty
        for (k, t) in ngram.enumerated() { key = key.appending(t, at: k) }
        return real[ngram.count - 1].find(key)
    }

    /// The base-2 Jensen–Shannon divergence between the n-gram distributions of `samples`
    /// and of the corpus, for n = 1…`maxN`.
    ///
    /// Every contiguous n-gram of every sample counts (samples are normally fixed-length,
    /// padded token sequences, as the generator produces or ``PreparedDataset/encode(line:)``
    /// makes). With P the corpus and Q the samples and M their mean, JSD = ½(KL(P‖M) +
    /// KL(Q‖M)) / ln 2, each KL summed over its own model's n-grams; corpus n-grams absent
    /// from the samples contribute p·ln 2 each, so together (1 − Σ_{g∈P∩Q} p(g))·ln 2 from
    /// the stored totals, and only the samples' distinct n-grams are looked up.
    /// Thread-safe (one evaluation at a time).
    /// - throws: ``LocatedError`` when an id is outside the vocabulary, `maxN` exceeds the
    ///   stored order, or no sample is `n` long.
    public func jsd(samples: [[TokenID]], maxN: Int = 6) throws -> [Int: Double] {
        try scores(samples: samples, maxN: maxN, padding: nil).all
    }

    /// The n-gram JSD of `samples` against the corpus both ways from one counting pass: over
    /// every n-gram (``jsd(samples:maxN:)``, the paper's), and over the n-grams that are not
    /// all `padding` — both distributions without their all-padding n-gram, renormalised.
    ///
    /// The corpus's sentences are short against the sequence length, so its all-padding
    /// n-grams are frequent and output of nothing but padding scores well on the paper's JSD
    /// (640 empty lines: JSD-4 0.685 on the bundled corpus); on the second it scores the
    /// maximum, 1, since it has no other n-gram.
    /// - throws: as ``jsd(samples:maxN:)``.
    public func jsd(samples: [[TokenID]], maxN: Int = 6, padding: TokenID) throws -> JSDScores {
        let scores = try scores(samples: samples, maxN: maxN, padding: padding)
        return JSDScores(all: scores.all, nonPadding: scores.nonPadding)
    }

    private func scores(samples: [[TokenID]], maxN: Int, padding: TokenID?) throws
        -> (all: [Int: Double], nonPadding: [Int: Double]) {
        guard (1...self.maxN).contains(maxN) else {
            throw LocatedError(file: path.path, "n-grams up to \(maxN) requested, the store has 1…\(self.maxN)")
        }
        lock.lock()
        defer { lock.unlock() }
        var occurrences = 0
        for sample in samples {
            occurrences += sample.count
            if let bad = sample.first(where: { Int($0) >= vocabularySize }) {
                throw LocatedError(file: path.path, "sample token id \(bad) is outside the \(vocabularySize)-unit vocabulary")
            }
        }
        prepareScratch(orders: maxN, occurrences: occurrences)
        // Orders 1…maxN−2 and the two highest on two threads (each chain of orders prunes
        // its look-ups by the previous order's; the second chain starts unpruned).
        let groups = evaluationThreads >= 2 && maxN >= 4 ? [1...(maxN - 2), (maxN - 1)...maxN] : [1...maxN]
        var values = [Double](repeating: 0, count: maxN + 1)
        var nonPaddingValues = [Double](repeating: 0, count: maxN + 1)
        var failures = [LocatedError?](repeating: nil, count: maxN + 1)
        values.withUnsafeMutableBufferPointer { buffer in
          nonPaddingValues.withUnsafeMutableBufferPointer { nonPaddingBuffer in
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                let values = buffer, nonPaddingValues = nonPaddingBuffer, failures = failureBuffer
                let work = { (group: ClosedRange<Int>) in
                    self.countSamples(samples, orders: group, positions: occurrences)
                    for n in group {
                        do {
                            values[n] = try self.divergence(order: n)
                            if let padding { nonPaddingValues[n] = self.divergence(order: n, withoutAll: padding) }
                        } catch { failures[n] = error as? LocatedError }
                    }
                }
                if groups.count == 1 {
                    work(groups[0])
                } else {
                    DispatchQueue.concurrentPerform(iterations: groups.count) { work(groups[$0]) }
                }
            }
          }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        var all: [Int: Double] = [:], nonPadding: [Int: Double] = [:]
        for n in 1...maxN {
            all[n] = values[n]
            if padding != nil { nonPadding[n] = nonPaddingValues[n] }
        }
        return (all, nonPadding)
    }

    private func prepareScratch(orders: Int, occurrences: Int) {
        if scratch.count < orders || scratch.contains(where: { $0.capacity < occurrences }) {
            scratch = (1...orders).map { n in
                var bound = 1
                for _ in 0..<n where bound < occurrences { bound *= max(vocabularySize, 1) }
                return OrderScratch(capacity: max(occurrences, 1024), expectedDistinct: min(bound, occurrences))
            }
        }
        for order in scratch { order.reset() }
    }

    /// Counts the samples' n-grams for the orders of `group`, order by order, into dense
    /// entries; each new one gets its corpus count, looked up only when its (n−1)-prefix at
    /// the same position occurs in the corpus (from the group's second order on). An order's
    /// look-ups go to the corpus table together, once its entries are known, so that the
    /// table can overlap their cache misses.
    private func countSamples(_ samples: [[TokenID]], orders group: ClosedRange<Int>, positions: Int) {
        let keys = UnsafeMutablePointer<NGramKey>.allocate(capacity: max(positions, 1))
        keys.initialize(repeating: .empty, count: positions)
        let inCorpus = UnsafeMutablePointer<Bool>.allocate(capacity: max(positions, 1))
        inCorpus.initialize(repeating: true, count: positions)
        let entryAt = UnsafeMutablePointer<Int>.allocate(capacity: max(positions, 1))
        defer {
            keys.deallocate()
            inCorpus.deallocate()
            entryAt.deallocate()
        }
        // Keys start as the (first − 1)-gram prefixes.
        var start = 0
        for sample in samples {
            sample.withUnsafeBufferPointer { tokens in
                for i in 0..<tokens.count {
                    var key = NGramKey.empty
                    for k in 0..<min(group.lowerBound - 1, tokens.count - i) { key = key.appending(tokens[i + k], at: k) }
                    keys[start + i] = key
                }
            }
            start += sample.count
        }
        for order in group {
            let n = order - 1
            let scratch = self.scratch[n], index = scratch.index
            let sampleCounts = scratch.sampleCounts, corpusCounts = scratch.corpusCounts
            let lookupKeys = scratch.lookupKeys, lookupEntries = scratch.lookupEntries
            var entries = 0, lookups = 0
            var start = 0
            for sample in samples {
                sample.withUnsafeBufferPointer { tokens in
                    let length = tokens.count
                    guard length > n else { return }
                    let keys = keys + start, inCorpus = inCorpus + start, entryAt = entryAt + start
                    for i in 0..<(length - n) {
                        let key = keys[i].appending(tokens[i + n], at: n)
                        keys[i] = key
                        let (value, inserted) = index.value(for: key, insertingIfAbsent: UInt64(entries + 1))
                        let e = Int(truncatingIfNeeded: value) - 1
                        if inserted {
                            corpusCounts[e] = 0
                            sampleCounts[e] = 0
                            if inCorpus[i] {
                                lookupKeys[lookups] = key
                                lookupEntries[lookups] = e
                                lookups += 1
                            }
                            entries += 1
                        }
                        sampleCounts[e] += 1
                        entryAt[i] = e
                    }
                }
                start += sample.count
            }
            real[n].find(lookupKeys, count: lookups, into: scratch.found)
            for j in 0..<lookups { corpusCounts[lookupEntries[j]] = scratch.found[j] }
            scratch.entries = entries
            guard order < group.upperBound else { break }
            start = 0
            for sample in samples {
                if sample.count > n {
                    for i in start..<(start + sample.count - n) { inCorpus[i] = corpusCounts[entryAt[i]] > 0 }
                }
                start += sample.count
            }
        }
    }

    private func divergence(order n: Int) throws -> Double {
        let scratch = self.scratch[n - 1]
        var sampleTotal: UInt64 = 0
        for e in 0..<scratch.entries { sampleTotal += scratch.sampleCounts[e] }
        guard sampleTotal > 0 else {
            throw LocatedError(file: path.path, "no sample is \(n) units long: the \(n)-gram divergence is undefined")
        }
        return divergence(order: n, sampleTotal: sampleTotal, realTotal: totals[n]!, skipping: nil)
    }

    /// The divergence over the n-grams that are not all `padding` (after ``countSamples``):
    /// both distributions without the all-padding n-gram; 1 (disjoint) when the samples hold
    /// no other n-gram.
    private func divergence(order n: Int, withoutAll padding: TokenID) -> Double {
        let scratch = self.scratch[n - 1]
        var key = NGramKey.empty
        for k in 0..<n { key = key.appending(padding, at: k) }
        let found = scratch.index.find(key)
        let entry = found.slot >= 0 ? Int(truncatingIfNeeded: found.count) - 1 : nil
        var sampleTotal: UInt64 = 0
        for e in 0..<scratch.entries where e != entry { sampleTotal += scratch.sampleCounts[e] }
        let realTotal = totals[n]! - real[n - 1].find(key)
        guard sampleTotal > 0, realTotal > 0 else { return 1 }
        return divergence(order: n, sampleTotal: sampleTotal, realTotal: realTotal, skipping: entry)
    }

    /// ½(KL(P‖M) + KL(Q‖M)) / ln 2 over the counted entries but `skipping`, with the corpus
    /// holding `realTotal` n-grams (its all-padding one removed when that entry is skipped).
    private func divergence(order n: Int, sampleTotal: UInt64, realTotal realCount: UInt64, skipping: Int?) -> Double {
        let scratch = self.scratch[n - 1]
        let sampleCounts = scratch.sampleCounts, corpusCounts = scratch.corpusCounts
        let realTotal = Double(realCount)
        let qTotal = Double(sampleTotal)
        var klP = 0.0, klQ = 0.0
        var sharedRealCount: UInt64 = 0
        let ln2 = M_LN2
        // log q for the small sample counts, computed once per count.
        var logQ = [Double](repeating: .nan, count: 64)
        for e in 0..<scratch.entries where e != skipping {
            let qCount = sampleCounts[e]
            let q = Double(qCount) / qTotal
            let pCount = corpusCounts[e]
            if pCount == 0 {
                klQ += q * ln2
            } else {
                let p = Double(pCount) / realTotal
                let m = 0.5 * (p + q)
                let logM = log(m)
                let lq: Double
                if qCount < 64 {
                    if logQ[Int(qCount)].isNaN { logQ[Int(qCount)] = log(q) }
                    lq = logQ[Int(qCount)]
                } else {
                    lq = log(q)
                }
                klP += p * (log(p) - logM)
                klQ += q * (lq - logM)
                sharedRealCount += pCount
            }
        }
        // Corpus n-grams the samples lack: each p·ln(p / (p/2)) = p·ln 2.
        klP += Double(realCount - sharedRealCount) / realTotal * ln2
        return 0.5 * (klP + klQ) / ln2
    }
}

/// Both n-gram JSDs of one evaluation, by order (``NGramStore/jsd(samples:maxN:padding:)``).
public struct JSDScores: Equatable, Sendable {
    /// Over every n-gram, padding included: the paper's.
    public var all: [Int: Double]
    /// Over the n-grams that are not all padding.
    public var nonPadding: [Int: Double]
}

/// One order's evaluation scratch: an index from each distinct sample n-gram to a dense
/// entry, and per entry its sample count and corpus count, so that the divergence is one
/// sequential pass.
private final class OrderScratch {
    let index: CountTable
    let capacity: Int
    let sampleCounts: UnsafeMutablePointer<UInt64>
    let corpusCounts: UnsafeMutablePointer<UInt64>
    /// The entries whose corpus count is looked up, their keys, and the counts found.
    let lookupKeys: UnsafeMutablePointer<NGramKey>
    let lookupEntries: UnsafeMutablePointer<Int>
    let found: UnsafeMutablePointer<UInt64>
    var entries = 0

    init(capacity: Int, expectedDistinct: Int) {
        self.capacity = capacity
        index = CountTable(minimumCapacity: max(expectedDistinct, 16))
        sampleCounts = .allocate(capacity: capacity)
        corpusCounts = .allocate(capacity: capacity)
        lookupKeys = .allocate(capacity: capacity)
        lookupEntries = .allocate(capacity: capacity)
        found = .allocate(capacity: capacity)
    }

    deinit {
        sampleCounts.deallocate()
        corpusCounts.deallocate()
        lookupKeys.deallocate()
        lookupEntries.deallocate()
        found.deallocate()
    }

    func reset() {
        index.removeAll()
        entries = 0
    }
}
