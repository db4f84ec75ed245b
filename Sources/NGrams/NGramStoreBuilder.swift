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
    /// How often the in-memory counts were written out early because they reached the memory limit.
    public var spills: Int
    /// Seconds counting and seconds writing (sorting included).
    public var countingSeconds: Double
    public var writingSeconds: Double
}

/// Counts every contiguous n-gram (n = 1…maxN) of a prepared dataset's fixed-length
/// sentences, padding included, exactly as the anchor does, and writes ``StoreSchema``.
public enum NGramStoreBuilder {
    /// Builds `output` (normally `ngrams.sqlite` in the dataset directory) from `dataset`.
    ///
    /// Counts in memory; when the counts' tables pass `memoryLimit` bytes they are written
    /// out and emptied, and later batches are added to the stored counts. The file is
    /// written under a temporary name and renamed into place when complete.
    ///
    /// ```swift
    /// let report = try NGramStoreBuilder.build(dataset: dataset, maxN: 6,
    ///     output: dataset.directory.appendingPathComponent(StoreSchema.fileName))
    /// ```
    /// - throws: ``NGramError`` when the file cannot be written.
    @discardableResult
    public static func build(dataset: PreparedDataset, maxN: Int, output: URL,
                             memoryLimit: Int = 1 << 30,
                             progress: ((_ sentencesDone: Int) -> Void)? = nil) throws -> NGramBuildReport {
        precondition((1...NGramKey.maxOrder).contains(maxN), "n-gram order 1…\(NGramKey.maxOrder)")
        let partial = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).partial-\(getpid())")
        Self.remove(partial)
        do {
            let report = try write(dataset: dataset, maxN: maxN, to: partial, memoryLimit: memoryLimit,
                                   progress: progress)
            Self.remove(output)
            guard rename(partial.path, output.path) == 0 else {
                throw NGramError(path: output.path, "cannot rename into place: \(String(cString: strerror(errno)))")
            }
            return report
        } catch {
            Self.remove(partial)
            throw error
        }
    }

    private static func write(dataset: PreparedDataset, maxN: Int, to path: URL, memoryLimit: Int,
                              progress: ((Int) -> Void)?) throws -> NGramBuildReport {
        let database: DatabaseQueue
        do {
            database = try DatabaseQueue(path: path.path)
        } catch {
            throw NGramError(path: path.path, "cannot create the store: \(error)")
        }
        let length = dataset.sequenceLength
        let orders = min(maxN, length)
        let tables = (0..<orders).map { _ in CountTable(minimumCapacity: 1 << 12) }
        var report = NGramBuildReport(occurrences: 0, distinct: [:], spills: 0, countingSeconds: 0, writingSeconds: 0)
        var stored = false
        do {
            try database.writeWithoutTransaction { db in
                // The file is a temporary one until renamed, so no rollback journal is needed
                // while building; it is switched to WAL once complete.
                try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -262144")
                try db.execute(sql: StoreSchema.create)
                try db.inTransaction {
                    let tokens = dataset.tokens
                    var clock = Date()
                    for s in 0..<dataset.sentenceCount {
                        count(UnsafeBufferPointer(rebasing: tokens[(s * length)..<((s + 1) * length)]), into: tables)
                        if s & 4095 == 4095 {
                            progress?(s + 1)
                            if tables.reduce(0, { $0 + $1.bytes }) > memoryLimit {
                                report.countingSeconds += Date().timeIntervalSince(clock)
                                let started = Date()
                                try spill(tables, into: db, merging: stored, path: path.path)
                                stored = true
                                report.spills += 1
                                report.writingSeconds += Date().timeIntervalSince(started)
                                clock = Date()
                            }
                        }
                    }
                    progress?(dataset.sentenceCount)
                    report.countingSeconds += Date().timeIntervalSince(clock)
                    let started = Date()
                    try spill(tables, into: db, merging: stored, path: path.path)
                    for n in 1...orders {
                        let occurrences = dataset.sentenceCount * (length - n + 1)
                        let distinct = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ngrams WHERE n = ?", arguments: [n]) ?? 0
                        report.occurrences += occurrences
                        report.distinct[n] = distinct
                        try db.execute(sql: "INSERT INTO totals VALUES (?, ?, ?)", arguments: [n, occurrences, distinct])
                    }
                    let meta: [(String, String)] = [
                        ("format", StoreSchema.format), ("vocab_sha256", dataset.vocabulary.fingerprint),
                        ("vocab_size", "\(dataset.vocabulary.count)"), ("unit", dataset.vocabulary.unit.rawValue),
                        ("seq_len", "\(length)"), ("max_n", "\(orders)"), ("sentences", "\(dataset.sentenceCount)"),
                    ]
                    for (key, value) in meta {
                        try db.execute(sql: "INSERT INTO meta VALUES (?, ?)", arguments: [key, value])
                    }
                    report.writingSeconds += Date().timeIntervalSince(started)
                    return .commit
                }
                try db.execute(sql: "PRAGMA locking_mode = NORMAL; PRAGMA journal_mode = WAL")
            }
            try database.close()
        } catch let error as NGramError {
            throw error
        } catch {
            throw NGramError(path: path.path, "cannot write the store: \(error)")
        }
        return report
    }

    /// Counts every n-gram of one sentence: position by position, extending the key one
    /// token per order.
    @inline(__always)
    static func count(_ sentence: UnsafeBufferPointer<TokenID>, into tables: [CountTable]) {
        let length = sentence.count
        let orders = tables.count
        tables.withUnsafeBufferPointer { tables in
            for i in 0..<length {
                var key = NGramKey.empty
                for n in 0..<min(orders, length - i) {
                    key = key.appending(sentence[i + n], at: n)
                    tables[n].add(key)
                }
            }
        }
    }

    /// Writes the tables' counts in key order (appending to the B-tree) and empties them.
    /// With `merging`, counts are added to those already stored.
    private static func spill(_ tables: [CountTable], into db: Database, merging: Bool, path: String) throws {
        let sql = merging
            ? "INSERT INTO ngrams (n, key, count) VALUES (?, ?, ?) ON CONFLICT (n, key) DO UPDATE SET count = count + excluded.count"
            : "INSERT INTO ngrams (n, key, count) VALUES (?, ?, ?)"
        let statement = try db.makeStatement(sql: sql)
        let handle = statement.sqliteStatement
        let blob = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * NGramKey.maxOrder)
        defer { blob.deallocate() }
        for (index, table) in tables.enumerated() {
            let n = index + 1
            for entry in table.sorted() {
                for k in 0..<n {
                    let t = (k < 4 ? entry.high : entry.low) >> UInt64(48 - 16 * (k & 3))
                    blob[2 * k] = UInt8(truncatingIfNeeded: t >> 8)
                    blob[2 * k + 1] = UInt8(truncatingIfNeeded: t)
                }
                sqlite3_bind_int(handle, 1, Int32(n))
                sqlite3_bind_blob(handle, 2, blob, Int32(2 * n), nil)  // SQLITE_STATIC: lives until reset
                sqlite3_bind_int64(handle, 3, Int64(entry.count))
                let result = sqlite3_step(handle)
                sqlite3_reset(handle)
                guard result == SQLITE_DONE else {
                    throw NGramError(path: path, "insert failed: \(String(cString: sqlite3_errmsg(db.sqliteConnection)))")
                }
            }
            table.removeAll()
        }
    }

    static func remove(_ url: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: url.path + suffix)
        }
    }
}
