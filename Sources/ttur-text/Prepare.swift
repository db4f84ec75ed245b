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
    var ngram: Int = NGramSettings().maxN

    @Option(help: "Memory for in-memory n-gram counts, in MiB, before they are written out in batches.")
    var memoryLimit: Int = NGramSettings().memoryLimitMiB

    @Option(help: "Threads counting n-grams (default: one per core).")
    var ngramThreads: Int?

    func validate() throws {
        guard (0...8).contains(ngram) else { throw ValidationError("--ngram must be between 0 and 8") }
        guard memoryLimit >= 16 else { throw ValidationError("--memory-limit must be at least 16 (MiB)") }
        if let ngramThreads, !(1...16).contains(ngramThreads) { throw ValidationError("--ngram-threads must be between 1 and 16") }
    }

    var settings: NGramSettings {
        var settings = NGramSettings()
        (settings.maxN, settings.memoryLimitMiB, settings.threads) = (ngram, memoryLimit, ngramThreads)
        return settings
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
    var unit: UnitKind = PreparationOptions().unit

    @Option(help: "Units per sentence; longer sentences are cut, shorter ones padded with '`'.")
    var seqLen: Int = PreparationOptions().sequenceLength

    @Option(help: "Read at most this many sentences.")
    var maxExamples: Int = PreparationOptions().maxExamples

    @Option(help: "Vocabulary size, unk included.")
    var maxVocab: Int = PreparationOptions().maxVocabulary

    @Option(help: "Seed of the deterministic sentence shuffle.")
    var seed: UInt64 = PreparationOptions().seed

    @Option(help: "Lines longer than this many bytes are an error.")
    var maxLineBytes: Int = PreparationOptions().maxLineBytes

    @Option(help: "Directory that receives a copy of the vocabulary as <name>.tsv ('' for none).")
    var vocabDir: String = DatasetPreparation.defaultVocabularyCopies

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
                                       ngrams: ngrams.settings, vocabularyCopies: vocabDir.isEmpty ? nil : URL(fileURLWithPath: vocabDir),
                                       progress: ProgressLine())
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
        try DatasetPreparation.buildNGrams(in: URL(fileURLWithPath: data), ngrams.settings, progress: ProgressLine())
        print("\(data)/\(StoreSchema.fileName) written")
    }
}
