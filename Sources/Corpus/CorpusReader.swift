import Basics
import Foundation

/// Reads shards into provisional-id sentences and unit counts: the streaming half of
/// preparation. Memory: the sentences (2 bytes a unit) plus the distinct units.
final class CorpusReader {
    struct Reading {
        var fileBytesRead: Int
        var textBytes: Int
        var sentences: Int
        var stage: String
    }

    let shards: [URL]
    let options: PreparationOptions
    let fileBytesTotal: Int
    let rows: TokenRows
    private(set) var sources: [Manifest.Source] = []
    private(set) var invalidUTF8 = 0
    private(set) var truncated = 0
    private(set) var textBytes = 0
    private var interner = UnitInterner()
    private var counts: [Int] = []

    init(shards: [URL], options: PreparationOptions) throws {
        self.shards = shards
        self.options = options
        rows = TokenRows(width: options.sequenceLength)
        var total = 0
        for shard in shards {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: shard.path),
                  let size = attributes[.size] as? Int else {
                throw LocatedError(file: shard.path, "no such file")
            }
            total += size
        }
        fileBytesTotal = total
    }

    /// Reads every shard (or up to `maxExamples` sentences), calling `report` after each chunk.
    func read(report: (Reading) -> Void) throws {
        let segmenter = try UnitSegmenter(kind: options.unit)
        let length = options.sequenceLength
        let padding = interner.paddingID()
        var filesDone = 0
        var full = false
        for shard in shards where !full {
            let stream = try ShardStream(path: shard.path)
            var lines = LineSplitter(path: shard.path, maxLineBytes: options.maxLineBytes)
            let addLine: (UnsafeBufferPointer<UInt8>) -> Bool = { line in
                self.interner.row.removeAll(keepingCapacity: true)
                // One unit past the length tells whether the sentence was cut.
                let (units, invalid) = segmenter.segment(line, limit: length + 1, into: &self.interner)
                self.invalidUTF8 += invalid
                if units > length {
                    self.truncated += 1
                    self.interner.row.removeLast()
                }
                while self.interner.row.count < length { self.interner.row.append(padding) }
                self.countRow()
                return self.rows.count < self.options.maxExamples
            }
            while let chunk = try stream.next() {
                let more = try lines.feed(chunk, addLine)
                textBytes += chunk.count
                report(Reading(fileBytesRead: filesDone + stream.fileBytesRead, textBytes: textBytes,
                               sentences: rows.count, stage: shard.lastPathComponent))
                if !more { full = true; break }
            }
            if !full { lines.finish { addLine($0) } }
            full = full || rows.count >= options.maxExamples
            sources.append(.init(path: shard.path, bytes: stream.fileBytesRead, sha256: try stream.finishHash()))
            filesDone += stream.fileBytesRead
        }
    }

    private func countRow() {
        if counts.count < interner.units.count {
            counts.append(contentsOf: repeatElement(0, count: interner.units.count - counts.count))
        }
        counts.withUnsafeMutableBufferPointer { counts in
            for id in interner.row { counts[Int(id)] += 1 }
        }
        interner.row.withUnsafeBufferPointer {
            rows.append($0, largestID: UInt32(interner.units.count - 1))
        }
    }

    /// The vocabulary (the `maxVocabulary − 1` most frequent units after `unk`; ties by the
    /// units' code points, so the result does not depend on reading order) and the map from
    /// provisional to final ids.
    func vocabulary() -> (Vocabulary, [TokenID]) {
        let units = interner.units
        let ranked = counts.indices.filter { counts[$0] > 0 }.sorted { a, b in
            counts[a] != counts[b] ? counts[a] > counts[b]
                : units[a].unicodeScalars.lexicographicallyPrecedes(units[b].unicodeScalars) { $0.value < $1.value }
        }.prefix(options.maxVocabulary - 1)
        var mapping = [TokenID](repeating: Vocabulary.unknown, count: units.count)
        var names = [Vocabulary.unknownName]
        var kept = [0]
        for (rank, id) in ranked.enumerated() {
            mapping[id] = TokenID(rank + 1)
            names.append(units[id])
            kept.append(counts[id])
        }
        kept[0] = counts.reduce(0, +) - kept.dropFirst().reduce(0, +)
        return (Vocabulary(unit: options.unit, units: names, counts: kept), mapping)
    }
}
