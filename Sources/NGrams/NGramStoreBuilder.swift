import Basics
import Corpus
import Foundation
import GRDB
import GRDBSQLite

/// What building a store did.
public struct NGramBuildReport: Sendable {
    /// Occurrences counted, all orders together.
    public var occurrences: Int
    /// Distinct n-grams stored, by order.
    public var distinct: [Int: Int]
    /// How often one counting thread's in-memory counts were written out early (to a sorted
    /// run file) because they reached its share of the memory limit.
    public var spills: Int
    /// Wall-clock seconds counting (sorting each thread's counts included) and seconds
    /// merging and writing the store.
    public var countingSeconds: Double
    public var writingSeconds: Double
    /// Wall-clock seconds of the whole build, from opening the dataset's tokens to the
    /// store renamed into place.
    public var seconds: Double
    /// Counting threads used.
    public var threads: Int
}

/// Counts every contiguous n-gram (n = 1…maxN) of a prepared dataset's fixed-length
/// sentences, padding included, exactly as the anchor does, and writes ``StoreSchema``.
///
/// Counting runs on `threads` threads, each counting its own contiguous share of the
/// sentences into its own tables, so no count is shared and no lock is taken. Each thread
/// then sorts its counts (radix sort on the key bytes, in the table's own memory); the
/// sorted shares, and any runs spilled to disk under the memory limit, are merged into the
/// store's sorted blocks, adding the counts of an n-gram found in several.
public enum NGramStoreBuilder {
    /// Builds `output` (normally `ngrams.sqlite` in the dataset directory) from `dataset`.
    ///
    /// Counts in memory; when one thread's tables pass its share of `memoryLimit` bytes they
    /// are sorted and written to a temporary run file beside `output` and emptied, and all
    /// runs are merged at the end. The store is written under a temporary name and renamed
    /// into place when complete.
    ///
    /// ```swift
    /// let report = try NGramStoreBuilder.build(dataset: dataset, maxN: 6,
    ///     output: dataset.directory.appendingPathComponent(StoreSchema.fileName))
    /// ```
    /// - throws: ``LocatedError`` when the file cannot be written.
    @discardableResult
    public static func build(dataset: PreparedDataset, maxN: Int, output: URL,
                             memoryLimit: Int = 1 << 30, threads: Int? = nil,
                             progress: ((_ sentencesDone: Int) -> Void)? = nil) throws -> NGramBuildReport {
        precondition((1...NGramKey.maxOrder).contains(maxN), "n-gram order 1…\(NGramKey.maxOrder)")
        let started = Date()
        let partial = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).partial-\(getpid())")
        Self.remove(partial)
        do {
            var report = try write(dataset: dataset, maxN: maxN, to: partial, memoryLimit: memoryLimit,
                                   threads: max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, 16)),
                                   progress: progress)
            Self.remove(output)
            guard rename(partial.path, output.path) == 0 else {
                throw LocatedError(file: output.path, "cannot rename into place: \(String(cString: strerror(errno)))")
            }
            report.seconds = Date().timeIntervalSince(started)
            return report
        } catch {
            Self.remove(partial)
            throw error
        }
    }

    private static func write(dataset: PreparedDataset, maxN: Int, to path: URL, memoryLimit: Int, threads: Int,
                              progress: ((Int) -> Void)?) throws -> NGramBuildReport {
        let length = dataset.sequenceLength
        let orders = min(maxN, length)
        var report = NGramBuildReport(occurrences: 0, distinct: [:], spills: 0, countingSeconds: 0, writingSeconds: 0,
                                      seconds: 0, threads: threads)

        // Created first, so that an unwritable directory fails before any counting.
        let database: DatabaseQueue
        do {
            database = try DatabaseQueue(path: path.path)
        } catch {
            throw LocatedError(file: path.path, "cannot create the store: \(error)")
        }

        // Count, one share of the sentences per thread; each thread ends with its counts sorted.
        let counting = Date()
        let counters = (0..<threads).map { share in
            ShareCounter(dataset: dataset, orders: orders, share: share, shares: threads,
                         memoryLimit: max(memoryLimit / threads, 1),
                         spillPrefix: path.path + ".spill-\(share)-")
        }
        defer { counters.forEach { $0.removeRuns() } }
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            counters[share].run(progress: share == 0 ? progress : nil)
        }
        if let failure = counters.lazy.compactMap(\.failure).first { throw failure }
        progress?(dataset.sentenceCount)
        report.spills = counters.reduce(0) { $0 + $1.runs.count }
        report.countingSeconds = Date().timeIntervalSince(counting)

        // Merge the shares (and spilled runs) order by order into the store's blocks.
        let writing = Date()
        do {
            try database.writeWithoutTransaction { db in
                // The file is a temporary one until renamed, so no rollback journal is needed
                // while building; it is switched to WAL once complete.
                try db.execute(sql: "PRAGMA page_size = 65536; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE")
                try db.execute(sql: StoreSchema.create)
                try db.inTransaction {
                    let writer = try BlockWriter(db, path: path.path)
                    for n in 1...orders {
                        let distinct = try merge(order: n, counters: counters, into: writer)
                        let occurrences = dataset.sentenceCount * (length - n + 1)
                        report.occurrences += occurrences
                        report.distinct[n] = distinct
                        try db.execute(sql: "INSERT INTO totals VALUES (?, ?, ?)", arguments: [n, occurrences, distinct])
                        // The order's in-memory table, hashed once here from the blocks just written
                        // (with the reader's checks) and kept as its image.
                        if let table = PackedCountTable(order: n, vocabularySize: dataset.vocabulary.count, distinct: distinct) {
                            let sum = try NGramStore.load(db, order: n, into: .packed(table), vocabularySize: dataset.vocabulary.count, path: path.path)
                            guard sum == UInt64(occurrences) else {
                                throw LocatedError(file: path.path, "the \(n)-gram blocks hold \(sum) occurrences where \(occurrences) were counted")
                            }
                            try TableImage.write(table, db, path: path.path)
                        }
                    }
                    let meta: [(String, String)] = [
                        ("format", StoreSchema.format), ("vocab_sha256", dataset.vocabulary.fingerprint),
                        ("vocab_size", "\(dataset.vocabulary.count)"), ("unit", dataset.vocabulary.unit.rawValue),
                        ("seq_len", "\(length)"), ("max_n", "\(orders)"), ("sentences", "\(dataset.sentenceCount)"),
                        ("block_entries", "\(StoreSchema.blockEntries)"),
                    ]
                    for (key, value) in meta {
                        try db.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: [key, value])
                    }
                    return .commit
                }
                try db.execute(sql: "PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL")
            }
            try database.close()
        } catch let error as LocatedError {
            throw error
        } catch {
            throw LocatedError(file: path.path, "cannot write the store: \(error)")
        }
        report.writingSeconds = Date().timeIntervalSince(writing)
        return report
    }

    /// Merges every thread's sorted `n`-grams and spilled runs into `writer`'s blocks,
    /// adding the counts of a key found in several runs; returns the distinct n-grams.
    private static func merge(order n: Int, counters: [ShareCounter], into writer: BlockWriter) throws -> Int {
        var cursors: [RunCursor] = []
        for counter in counters {
            for run in counter.runs { cursors.append(try RunCursor(run: run, order: n)) }
            cursors.append(RunCursor(entries: counter.sorted[n - 1], owner: counter))
        }
        defer { counters.forEach { $0.release(order: n) } }
        cursors.removeAll { $0.isEmpty }
        writer.start(order: n)
        if cursors.count == 1 {
            // One source: its keys are already distinct.
            let cursor = cursors[0]
            while !cursor.isEmpty {
                try writer.append(cursor.head)
                try cursor.advance()
            }
        } else {
            while !cursors.isEmpty {
                var least = cursors[0].head
                for c in cursors.dropFirst() {
                    let h = c.head
                    if h.high < least.high || (h.high == least.high && h.low < least.low) { least = h }
                }
                var total: UInt64 = 0
                for c in cursors {
                    let h = c.head
                    if h.high == least.high && h.low == least.low {
                        total += h.count
                        try c.advance()
                    }
                }
                least.count = total
                try writer.append(least)
                cursors.removeAll { $0.isEmpty }
            }
        }
        return try writer.finish()
    }

    /// Counts every n-gram of one sentence: position by position, extending the key one
    /// token per order.
    @inline(__always)
    static func count(_ sentence: UnsafePointer<TokenID>, length: Int, into tables: UnsafeBufferPointer<CountTable>,
) {
        let orders = tables.count
        for i in 0..<length {
            var key = NGramKey.empty
            for n in 0..<min(orders, length - i) {
                key = key.appending(sentence[i + n], at: n)
                tables[n].add(key)
            }
        }
    }

    static func remove(_ url: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: url.path + suffix)
        }
    }
}

/// One counting thread: its share of the sentences, its tables, the runs it spilled, and its
/// sorted counts.
private final class ShareCounter: @unchecked Sendable {
    let dataset: PreparedDataset
    let orders: Int, memoryLimit: Int
    let sentences: Range<Int>
    let spillPrefix: String
    private(set) var runs: [SpillRun] = []
    private(set) var failure: Error?
    private var tables: [CountTable]
    /// Each order's table's first minimum capacity, and its bytes.
    private var initialSizes: [Int] = []
    private var bytesOfInitial: [Int] { initialSizes.map { CountTable.bytes(bits: CountTable.bits(forMinimumCapacity: $0)) } }
    /// Per order, this thread's counts sorted, inside its table's slots.
    private(set) var sorted: [UnsafeBufferPointer<CountTable.Slot>] = []

    init(dataset: PreparedDataset, orders: Int, share: Int, shares: Int, memoryLimit: Int, spillPrefix: String) {
        self.dataset = dataset
        self.orders = orders
        let total = dataset.sentenceCount
        let sentences = (total * share / shares)..<(total * (share + 1) / shares)
        self.sentences = sentences
        self.memoryLimit = memoryLimit
        self.spillPrefix = spillPrefix
        // Sized for the distinct n-grams an order can have at most in this share (its
        // occurrences, and vocabulary^n), up to 2^18, so that small corpora never regrow;
        // together at most half the memory limit (halving the largest until they fit).
        let length = dataset.sequenceLength
        var sizes = (1...orders).map { n in
            let bound = sentences.count * (length - n + 1)
            var power = 1
            for _ in 0..<n where power < bound { power *= max(dataset.vocabulary.count, 1) }
            return max(min(bound, power, 1 << 18), 8)
        }
        func bytes(_ minimum: Int) -> Int { CountTable.bytes(bits: CountTable.bits(forMinimumCapacity: minimum)) }
        while sizes.reduce(0, { $0 + bytes($1) }) > memoryLimit / 2, let largest = sizes.indices.max(by: { sizes[$0] < sizes[$1] }),
              sizes[largest] > 8 {
            sizes[largest] /= 2
        }
        initialSizes = sizes
        tables = sizes.map { CountTable(minimumCapacity: $0) }
    }

    func run(progress: ((Int) -> Void)?) {
        do {
            let length = dataset.sequenceLength
            let tokens = dataset.tokens.baseAddress!
            // Batches of 4,096 sentences; between them, the memory check (a spill may
            // replace tables, so no pointer into `tables` outlives a batch).
            var s = sentences.lowerBound
            while s < sentences.upperBound {
                let end = min(s + 4096, sentences.upperBound)
                tables.withUnsafeBufferPointer { tables in
                    for t in s..<end { NGramStoreBuilder.count(tokens + t * length, length: length, into: tables) }
                }
                s = end
                progress?((s - sentences.lowerBound) * dataset.sentenceCount / max(sentences.count, 1))
                if s < sentences.upperBound && tables.reduce(0, { $0 + $1.bytes }) > memoryLimit { try spill() }
            }
            sorted = (1...orders).map { n in tables[n - 1].sortInPlace(order: n) }
        } catch {
            failure = error
        }
    }

    /// Writes every table's counts, sorted, to a new run file and empties the tables.
    private func spill() throws {
        let run = SpillRun(path: spillPrefix + "\(runs.count)")
        runs.append(run)
        try run.write(tables: tables)
        // Tables that grew go back to their first size, so the next spill waits until the
        // counts fill the memory limit again.
        for n in tables.indices {
            if tables[n].bytes > bytesOfInitial[n] {
                tables[n] = CountTable(minimumCapacity: initialSizes[n])
            } else {
                tables[n].reset()
            }
        }
    }

    /// Frees the table of order `n` once its sorted counts are written.
    func release(order n: Int) {
        sorted[n - 1] = UnsafeBufferPointer(start: nil, count: 0)
        tables[n - 1] = CountTable()
    }

    func removeRuns() { runs.forEach { unlink($0.path) } }
}

/// A file of sorted counts spilled under the memory limit: per order, its entries as raw
/// ``CountTable/Slot``s, one order after another. It lives beside the partial store and is
/// removed when the build ends.
private final class SpillRun {
    let path: String
    /// Per order: first entry and number of entries.
    private(set) var extents: [(start: Int, count: Int)] = []

    init(path: String) { self.path = path }

    func write(tables: [CountTable]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LocatedError(file: path, "cannot create a spill file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var start = 0
        for (index, table) in tables.enumerated() {
            let entries = table.sortInPlace(order: index + 1)
            try UnsafeRawBufferPointer(entries).withUnsafeBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let wrote = Foundation.write(fd, bytes.baseAddress! + done, bytes.count - done)
                    guard wrote > 0 else {
                        throw LocatedError(file: path, "cannot write a spill file: \(String(cString: strerror(errno)))")
                    }
                    done += wrote
                }
            }
            extents.append((start, entries.count))
            start += entries.count
        }
    }
}

/// Reads sorted entries in order, from memory or from a spilled run in chunks.
private final class RunCursor {
    private var entries: UnsafePointer<CountTable.Slot>?
    private var end = 0
    private var index = 0
    /// What keeps in-memory entries alive.
    private let owner: AnyObject?
    private var fd: Int32 = -1
    private var path = ""
    private var chunk: UnsafeMutablePointer<CountTable.Slot>?
    private var nextFileEntry = 0, endFileEntry = 0
    private static let chunkEntries = 1 << 12

    init(entries: UnsafeBufferPointer<CountTable.Slot>, owner: AnyObject) {
        self.entries = entries.baseAddress
        end = entries.count
        self.owner = owner
    }

    init(run: SpillRun, order n: Int) throws {
        owner = nil
        path = run.path
        fd = open(run.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LocatedError(file: run.path, "cannot read a spill file: \(String(cString: strerror(errno)))") }
        let extent = run.extents[n - 1]
        nextFileEntry = extent.start
        endFileEntry = extent.start + extent.count
        chunk = .allocate(capacity: Self.chunkEntries)
        entries = UnsafePointer(chunk)
        try refill()
    }

    deinit {
        if fd >= 0 { close(fd) }
        chunk?.deallocate()
    }

    var isEmpty: Bool { index >= end }

    var head: CountTable.Slot {
        @inline(__always) get { entries![index] }
    }

    @inline(__always)
    func advance() throws {
        index += 1
        if index >= end && fd >= 0 { try refill() }
    }

    private func refill() throws {
        let take = min(Self.chunkEntries, endFileEntry - nextFileEntry)
        let stride = MemoryLayout<CountTable.Slot>.stride
        let raw = UnsafeMutableRawPointer(chunk!)
        var done = 0
        while done < take * stride {
            let got = pread(fd, raw + done, take * stride - done, off_t(nextFileEntry * stride + done))
            guard got > 0 else { throw LocatedError(file: path, "cannot read back a spill file") }
            done += got
        }
        nextFileEntry += take
        index = 0
        end = take
        if take == 0 {
            close(fd)
            fd = -1
        }
    }
}

/// Packs sorted entries of one order into ``StoreSchema`` blocks and inserts them.
private final class BlockWriter {
    private let db: Database
    private let path: String
    private let statement: Statement
    private let keys: UnsafeMutablePointer<UInt8>
    private let counts: UnsafeMutablePointer<UInt8>
    private var order = 0, entries = 0, block = 0, written = 0

    init(_ db: Database, path: String) throws {
        self.db = db
        self.path = path
        statement = try db.makeStatement(sql: "INSERT INTO ngram_blocks (n, block, entries, keys, counts) VALUES (?, ?, ?, ?, ?)")
        keys = .allocate(capacity: StoreSchema.blockEntries * 2 * NGramKey.maxOrder)
        counts = .allocate(capacity: StoreSchema.blockEntries * 8)
    }

    deinit {
        keys.deallocate()
        counts.deallocate()
    }

    func start(order n: Int) {
        order = n
        entries = 0
        block = 0
        written = 0
    }

    @inline(__always)
    func append(_ entry: CountTable.Slot) throws {
        let n = order
        let key = keys + entries * 2 * n
        for k in 0..<n {
            let t = (k < 4 ? entry.high : entry.low) >> UInt64(48 - 16 * (k & 3))
            key[2 * k] = UInt8(truncatingIfNeeded: t >> 8)
            key[2 * k + 1] = UInt8(truncatingIfNeeded: t)
        }
        UnsafeMutableRawPointer(counts + entries * 8).storeBytes(of: entry.count.bigEndian, as: UInt64.self)
        entries += 1
        if entries == StoreSchema.blockEntries { try flush() }
    }

    /// Writes the last block; returns the order's distinct n-grams.
    func finish() throws -> Int {
        if entries > 0 { try flush() }
        return written
    }

    private func flush() throws {
        let handle = statement.sqliteStatement
        sqlite3_bind_int(handle, 1, Int32(order))
        sqlite3_bind_int64(handle, 2, Int64(block))
        sqlite3_bind_int64(handle, 3, Int64(entries))
        sqlite3_bind_blob(handle, 4, keys, Int32(entries * 2 * order), nil)  // SQLITE_STATIC: lives until reset
        sqlite3_bind_blob(handle, 5, counts, Int32(entries * 8), nil)
        try StoreSchema.insert(handle, db, path: path)
        written += entries
        block += 1
        entries = 0
    }
}
