import Basics
import Corpus
import Foundation

/// How the n-gram statistics of a prepared dataset are counted. Defaults are `prepare`'s.
public struct NGramSettings: Sendable {
    /// Largest order counted (1…8; 0: no n-gram statistics).
    public var maxN = 6
    /// Memory for in-memory counts before they are written out in batches, in MiB.
    public var memoryLimitMiB = 1024
    /// Counting threads (nil: one per core).
    public var threads: Int?

    public init() {}
}

/// Preparing a dataset with its n-gram store and a copy of its vocabulary: what
/// `prepare corpus` does, and what `train` does for the bundled corpus on first use.
///
/// ```swift
/// let dataset = try DatasetPreparation.prepare(shards: shards, name: "1bw", output: URL(fileURLWithPath: "data/1bw"),
///                                              options: PreparationOptions(), ngrams: NGramSettings(),
///                                              vocabularyCopies: URL(fileURLWithPath: "Vocab"), progress: SilentProgress())
/// ```
public enum DatasetPreparation {
    /// Prepares `shards` into `output` (staged, renamed into place when complete), builds the
    /// n-gram store inside it, and copies the vocabulary to `vocabularyCopies/<name>.tsv`.
    /// - throws: `LocatedError` from preparation, counting, or the vocabulary copy.
    @discardableResult
    public static func prepare(shards: [URL], name datasetName: String, output: URL, options: PreparationOptions,
                               ngrams: NGramSettings, vocabularyCopies: URL?, progress: ProgressReporter) throws -> PreparedDataset {
        let dataset = try CorpusPreparation.prepare(
            shards: shards, name: datasetName, output: output, options: options,
            progress: { progress.update(describe($0)) },
            finishing: { staging in
                progress.finish("read \(shards.count) shard(s)")
                try buildNGrams(in: staging, ngrams, progress: progress)
            })
        if let vocabularyCopies {
            try? FileManager.default.createDirectory(at: vocabularyCopies, withIntermediateDirectories: true)
            let copy = vocabularyCopies.appendingPathComponent("\(datasetName).tsv")
            do {
                try Data(dataset.vocabulary.tsv.utf8).write(to: copy, options: .atomic)
            } catch {
                throw LocatedError(file: copy.path, "cannot write the vocabulary copy")
            }
        }
        let m = dataset.manifest
        progress.report("\(output.path): \(m.sentences) sentences × \(m.seqLen) \(m.unit.rawValue)s, vocabulary \(m.vocabSize), "
                        + "\(m.unkUnits) unk units, \(m.invalidUTF8Replaced) invalid UTF-8 sequences replaced")
        return dataset
    }

    /// Builds `ngrams.sqlite` in `directory` (a dataset directory, possibly still staged);
    /// nothing when `settings.maxN` is 0.
    /// - throws: `LocatedError` from the dataset or the store.
    public static func buildNGrams(in directory: URL, _ settings: NGramSettings, progress: ProgressReporter) throws {
        guard settings.maxN > 0 else { return }
        let dataset = try PreparedDataset(directory: directory)
        let report = try NGramStoreBuilder.build(
            dataset: dataset, maxN: settings.maxN, output: directory.appendingPathComponent(StoreSchema.fileName),
            memoryLimit: settings.memoryLimitMiB << 20, threads: settings.threads,
            progress: { progress.update("n-grams: \($0) of \(dataset.sentenceCount) sentences") })
        let rate = Double(report.occurrences) / max(report.seconds, 1e-9)
        progress.finish(String(format: "n-grams 1…%d: %d occurrences, %d distinct, %.2f s (count %.2f + write %.2f) on %d threads, %.1f M occurrences/s, %d spills",
                               settings.maxN, report.occurrences, report.distinct.values.reduce(0, +), report.seconds,
                               report.countingSeconds, report.writingSeconds, report.threads, rate / 1e6, report.spills))
    }

    /// The prepared dataset at `path`; without one, the bundled corpus's, prepared on first use
    /// with the defaults (`PreparationOptions()`, `NGramSettings()`, the vocabulary copied to
    /// `Vocab/`) into `data/<corpus>/`.
    /// - throws: `LocatedError` for a missing or malformed dataset, or from preparing it.
    public static func open(_ path: String?, progress: ProgressReporter) throws -> PreparedDataset {
        if let path { return try PreparedDataset(directory: URL(fileURLWithPath: path)) }
        let bundled = try BundledCorpus.locate()
        let directory = URL(fileURLWithPath: "data/\(bundled.lastPathComponent)")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(PreparedDataset.manifestName).path) else {
            progress.report("preparing the bundled corpus into \(directory.path) (first use)")
            return try prepare(shards: try ShardDiscovery.shards(in: bundled, split: .train), name: bundled.lastPathComponent,
                               output: directory, options: PreparationOptions(), ngrams: NGramSettings(),
                               vocabularyCopies: URL(fileURLWithPath: defaultVocabularyCopies), progress: progress)
        }
        return try PreparedDataset(directory: directory)
    }

    /// Where `prepare corpus` copies vocabularies by default.
    public static let defaultVocabularyCopies = "Vocab"

    /// One progress line of corpus preparation.
    static func describe(_ p: PreparationProgress) -> String {
        let seconds = max(p.elapsed, 1e-9)
        let fraction = p.fileBytesTotal > 0 ? Double(p.fileBytesRead) / Double(p.fileBytesTotal) : 0
        let eta = fraction > 0 ? p.elapsed * (1 / fraction - 1) : 0
        return String(format: "%@: %.0f MB text, %.1f MB/s, %d sentences (%.0f/s), %.0f%%, ETA %.0f s",
                      p.stage, Double(p.textBytes) / 1e6, Double(p.textBytes) / 1e6 / seconds,
                      p.sentences, Double(p.sentences) / seconds, fraction * 100, eta)
    }
}
