import Basics
import Foundation

/// Real sentences for BLEU, in the form a prepared dataset holds its own (cut to its sequence
/// length in its units, units outside the vocabulary as U+FFFD, trailing padding dropped), so
/// they compare like for like with generated ones.
public enum ReferenceSentences {
    /// Where references came from.
    public enum Origin: Equatable, Sendable {
        /// The benchmark's `heldout-monolingual…` shards beside the dataset's training shards.
        case heldOutShards([URL])
        /// The last sentences of the prepared dataset itself: preparation keeps no held-out
        /// split, so these are sentences the GAN also trains on.
        case preparedTail

        public var description: String {
            switch self {
            case let .heldOutShards(shards): return "held-out shards (\(shards.map(\.lastPathComponent).joined(separator: ", ")))"
            case .preparedTail: return "the last sentences of the prepared dataset (not held out: preparation keeps no split)"
            }
        }
    }

    /// The benchmark's held-out shards beside the training shards the dataset was prepared
    /// from (`ROOT/training-monolingual…/` → `ROOT/heldout-monolingual…/`), or nil.
    public static func heldOutShards(of dataset: PreparedDataset) -> [URL]? {
        guard let source = dataset.manifest.sources.first else { return nil }
        let folder = URL(fileURLWithPath: source.path).deletingLastPathComponent()
        guard folder.lastPathComponent == CorpusSplit.train.directoryName else { return nil }
        return try? ShardDiscovery.shards(in: folder.deletingLastPathComponent(), split: .heldout)
    }

    /// The sentences of `file` (one a line) when one is given, else `load(for:limit:)`'s; the
    /// origin in words (the file's path, or where the default ones came from).
    /// - throws: `LocatedError` naming the file or a shard that cannot be read.
    public static func load(file: String?, what: String = "references", for dataset: PreparedDataset,
                            limit: Int) throws -> (sentences: [String], origin: String) {
        if let file { return (try SentenceFile.lines(file, what: what), file) }
        let loaded = try load(for: dataset, limit: limit)
        return (loaded.sentences, loaded.origin.description)
    }

    /// Up to `limit` references for `dataset`: from its held-out shards when they are there,
    /// else its own last sentences.
    /// - throws: `LocatedError` naming a shard that cannot be read.
    public static func load(for dataset: PreparedDataset, limit: Int) throws -> (sentences: [String], origin: Origin) {
        if let shards = heldOutShards(of: dataset) {
            var lines: [String] = []
            for shard in shards where lines.count < limit {
                lines += try readLines(shard, limit: limit - lines.count).map { normalized($0, dataset) }
            }
            return (lines, .heldOutShards(shards))
        }
        let count = dataset.sentenceCount
        return ((max(0, count - limit)..<count).map { dataset.vocabulary.decode(ids: dataset.sentence($0)) }, .preparedTail)
    }

    /// A line as the dataset would hold it.
    public static func normalized(_ line: String, _ dataset: PreparedDataset) -> String {
        dataset.vocabulary.decode(ids: dataset.vocabulary.encode(line: line, length: dataset.sequenceLength))
    }

    /// The first `limit` lines of a shard.
    private static func readLines(_ shard: URL, limit: Int) throws -> [String] {
        let stream = try ShardStream(path: shard.path)
        var splitter = LineSplitter(path: shard.path, maxLineBytes: PreparationOptions().maxLineBytes)
        var lines: [String] = []
        let take: (UnsafeBufferPointer<UInt8>) -> Bool = { line in
            lines.append(String(decoding: line, as: UTF8.self))
            return lines.count < limit
        }
        while let chunk = try stream.next() {
            guard try splitter.feed(chunk, take) else { return lines }
        }
        splitter.finish { take($0) }
        return lines
    }
}
