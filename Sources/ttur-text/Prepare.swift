import Basics
import ArgumentParser
import Corpus
import Foundation
import NGrams

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prepare a corpus: vocabulary, encoded dataset and n-gram statistics.",
        subcommands: [PrepareCorpus.self, PrepareNGrams.self]
    )
}

extension UnitKind: ExpressibleByArgument {}
extension CorpusSplit: ExpressibleByArgument {}

/// Options shared by the commands that build n-gram statistics.
struct NGramOptions: ParsableArguments {
    @Option(help: "Largest n-gram order to count (1…8; 0 = no n-gram statistics).")
    var ngram: Int = 6

    @Option(help: "Memory for in-memory n-gram counts, in MiB, before they are written out in batches.")
    var memoryLimit: Int = 1024

    @Option(help: "Threads counting n-grams (default: one per core).")
    var ngramThreads: Int?

    func validate() throws {
        guard (0...8).contains(ngram) else { throw ValidationError("--ngram must be between 0 and 8") }
        guard memoryLimit >= 16 else { throw ValidationError("--memory-limit must be at least 16 (MiB)") }
        if let ngramThreads, !(1...16).contains(ngramThreads) { throw ValidationError("--ngram-threads must be between 1 and 16") }
    }

    /// Builds `ngrams.sqlite` in `directory` (a dataset directory, possibly still staged).
    func build(in directory: URL, progress: ProgressLine) throws {
        guard ngram > 0 else { return }
        let dataset = try PreparedDataset(directory: directory)
        let report = try NGramStoreBuilder.build(
            dataset: dataset, maxN: ngram, output: directory.appendingPathComponent(StoreSchema.fileName),
            memoryLimit: memoryLimit << 20, threads: ngramThreads,
            progress: { progress.update("n-grams: \($0) of \(dataset.sentenceCount) sentences") })
        let rate = Double(report.occurrences) / max(report.seconds, 1e-9)
        progress.finish(String(format: "n-grams 1…%d: %d occurrences, %d distinct, %.2f s (count %.2f + write %.2f) on %d threads, %.1f M occurrences/s, %d spills",
                               ngram, report.occurrences, report.distinct.values.reduce(0, +), report.seconds,
                               report.countingSeconds, report.writingSeconds, report.threads, rate / 1e6, report.spills))
    }
}

struct PrepareCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Tokenize a One Billion Word-style corpus into a prepared dataset.",
        discussion: """
            INPUT is a directory in the benchmark's layout \
            (training-monolingual.tokenized.shuffled/news.en-000NN-of-00100[.zst]) or shard \
            files, plain or zstd. Without INPUT the bundled corpus in Corpora/ is used. The \
            output is written to a temporary sibling and renamed into place when complete.
            """
    )

    @Argument(help: "Corpus directory in the One Billion Word layout, or shard files (default: the bundled corpus).")
    var inputs: [String] = []

    @Option(help: "Which shards of a corpus directory to read: train or heldout.")
    var split: CorpusSplit = .train

    @Option(help: "Output directory (default: data/<name>).")
    var out: String?

    @Option(help: "Dataset name, for the manifest and Vocab/<name>.tsv (default: the --out directory's name, else the corpus directory's).")
    var name: String?

    @Option(help: "Token unit: grapheme, codepoint (the anchor's Python tuple(line)) or word.")
    var unit: UnitKind = .grapheme

    @Option(help: "Units per sentence; longer sentences are cut, shorter ones padded with '`'.")
    var seqLen: Int = 32

    @Option(help: "Read at most this many sentences.")
    var maxExamples: Int = 10_000_000

    @Option(help: "Vocabulary size, unk included.")
    var maxVocab: Int = 2048

    @Option(help: "Seed of the deterministic sentence shuffle.")
    var seed: UInt64 = 0

    @Option(help: "Lines longer than this many bytes are an error.")
    var maxLineBytes: Int = 1 << 20

    @Option(help: "Directory that receives a copy of the vocabulary as <name>.tsv ('' for none).")
    var vocabDir: String = "Vocab"

    @OptionGroup var ngrams: NGramOptions

    func validate() throws {
        guard (1...4096).contains(seqLen) else { throw ValidationError("--seq-len must be between 1 and 4096") }
        guard maxExamples >= 1 else { throw ValidationError("--max-examples must be at least 1") }
        guard (2...65_535).contains(maxVocab) else { throw ValidationError("--max-vocab must be between 2 and 65535") }
        guard maxLineBytes >= 1 else { throw ValidationError("--max-line-bytes must be positive") }
        guard ngrams.ngram <= seqLen else { throw ValidationError("--ngram cannot exceed --seq-len") }
    }

    func run() throws {
        let (shards, corpusName) = try resolveShards()
        let datasetName = name ?? out.map { URL(fileURLWithPath: $0).lastPathComponent } ?? corpusName
        let output = URL(fileURLWithPath: out ?? "data/\(datasetName)")
        try DatasetPreparation.prepare(shards: shards, name: datasetName, output: output, options: preparationOptions,
                                       ngrams: ngrams, vocabularyCopies: vocabDir)
    }

    /// The library's options from these flags.
    var preparationOptions: PreparationOptions {
        var options = PreparationOptions()
        options.unit = unit
        options.sequenceLength = seqLen
        options.maxExamples = maxExamples
        options.maxVocabulary = maxVocab
        options.seed = seed
        options.maxLineBytes = maxLineBytes
        return options
    }

    private func resolveShards() throws -> ([URL], String) {
        if inputs.isEmpty {
            let bundled = try BundledCorpus.locate()
            return (try ShardDiscovery.shards(in: bundled, split: split), bundled.lastPathComponent)
        }
        var isDirectory: ObjCBool = false
        let first = URL(fileURLWithPath: inputs[0]).standardizedFileURL
        if inputs.count == 1, !FileManager.default.fileExists(atPath: first.path, isDirectory: &isDirectory) {
            throw LocatedError(file: first.path, "no such directory or file")
        }
        if inputs.count == 1 && isDirectory.boolValue {
            return (try ShardDiscovery.shards(in: first, split: split), first.lastPathComponent)
        }
        let files = inputs.map { URL(fileURLWithPath: $0) }
        return (files, first.deletingLastPathComponent().lastPathComponent)
    }

    static func describe(_ p: PreparationProgress) -> String {
        let seconds = max(p.elapsed, 1e-9)
        let fraction = p.fileBytesTotal > 0 ? Double(p.fileBytesRead) / Double(p.fileBytesTotal) : 0
        let eta = fraction > 0 ? p.elapsed * (1 / fraction - 1) : 0
        return String(format: "%@: %.0f MB text, %.1f MB/s, %d sentences (%.0f/s), %.0f%%, ETA %.0f s",
                      p.stage, Double(p.textBytes) / 1e6, Double(p.textBytes) / 1e6 / seconds,
                      p.sentences, Double(p.sentences) / seconds, fraction * 100, eta)
    }
}

/// Preparing a dataset with its n-gram store and a copy of its vocabulary, with progress:
/// what `prepare corpus` does and what `train` does for the bundled corpus on first use.
enum DatasetPreparation {
    @discardableResult
    static func prepare(shards: [URL], name datasetName: String, output: URL, options: PreparationOptions,
                        ngrams: NGramOptions, vocabularyCopies vocabDir: String) throws -> PreparedDataset {
        let progress = ProgressLine()
        let dataset = try CorpusPreparation.prepare(
            shards: shards, name: datasetName, output: output, options: options,
            progress: { progress.update(PrepareCorpus.describe($0)) },
            finishing: { staging in
                progress.finish("read \(shards.count) shard(s)")
                try ngrams.build(in: staging, progress: progress)
            })
        if !vocabDir.isEmpty {
            let directory = URL(fileURLWithPath: vocabDir)
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let copy = directory.appendingPathComponent("\(datasetName).tsv")
            do {
                try Data(dataset.vocabulary.tsv.utf8).write(to: copy, options: .atomic)
            } catch {
                throw LocatedError(file: copy.path, "cannot write the vocabulary copy")
            }
        }
        let m = dataset.manifest
        print("\(output.path): \(m.sentences) sentences × \(m.seqLen) \(m.unit.rawValue)s, vocabulary \(m.vocabSize), "
              + "\(m.unkUnits) unk units, \(m.invalidUTF8Replaced) invalid UTF-8 sequences replaced")
        return dataset
    }

    /// The bundled corpus prepared as `prepare corpus` does with no arguments (its defaults),
    /// into `data/<corpus>/`.
    static func prepareBundled() throws -> PreparedDataset {
        let defaults = try PrepareCorpus.parse([])
        let bundled = try BundledCorpus.locate()
        return try prepare(shards: try ShardDiscovery.shards(in: bundled, split: defaults.split), name: bundled.lastPathComponent,
                           output: URL(fileURLWithPath: "data/\(bundled.lastPathComponent)"), options: defaults.preparationOptions,
                           ngrams: defaults.ngrams, vocabularyCopies: defaults.vocabDir)
    }
}

/// Finds `Corpora/wordnet-examples`: under the current directory, else above the executable.
enum BundledCorpus {
    static let relativePath = "Corpora/wordnet-examples"

    static func locate() throws -> URL {
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: here.path) { return here }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent(relativePath)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        throw LocatedError(file: relativePath, "the bundled corpus is not here: run from the repository root or give a corpus directory")
    }
}

struct PrepareNGrams: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ngrams",
        abstract: "(Re)build the n-gram statistics store (ngrams.sqlite) of a prepared dataset."
    )

    @Option(help: "Prepared dataset directory.")
    var data: String

    @OptionGroup var ngrams: NGramOptions

    func validate() throws {
        guard ngrams.ngram >= 1 else { throw ValidationError("--ngram must be between 1 and 8") }
    }

    func run() throws {
        try ngrams.build(in: URL(fileURLWithPath: data), progress: ProgressLine())
        print("\(data)/\(StoreSchema.fileName) written")
    }
}
