import Basics
import ArgumentParser
import CSpawn
import Corpus
import Benchmarks
import Foundation
import NGrams

/// Shared by the corpus benchmarks: where they build their data, and running children.
struct BenchWorkOptions: ParsableArguments {
    @Option(help: "Scratch directory for the benchmark's generated corpora and datasets.")
    var work: String = CorpusBench.Settings.defaults.work

    @Option(help: "The One Billion Word sample the benchmark data is made from.")
    var sample: String = CorpusBench.Settings.defaults.sample

    @Option(help: "The reference n-gram JSD script (for the Python side).")
    var reference: String = CorpusBench.Settings.defaults.reference

    /// The library's settings with these paths; the children are this executable.
    var settings: CorpusBench.Settings {
        var settings = CorpusBench.Settings(executable: URL(fileURLWithPath: CommandLine.arguments[0]).path)
        (settings.work, settings.sample, settings.reference) = (work, sample, reference)
        return settings
    }

}

struct BenchPrepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Corpus preparation speed and peak memory (issue 4), beside the anchor's Python way.",
        discussion: """
            Replicates the One Billion Word sample into zstd shards of at least --megabytes of \
            text, runs `ttur-text prepare corpus --ngram 0` on them as a child process (its \
            peak memory is the child's maximum resident set), then times the anchor's \
            load_dataset way (Python: lines into tuples, pad, Counter, map) on the first \
            --python-megabytes of the same text.
            """
    )

    @OptionGroup var paths: BenchWorkOptions

    @Option(help: "Uncompressed text to prepare, in MB (at least).")
    var megabytes: Int = CorpusBench.Settings.defaults.megabytes

    @Option(help: "Text for the Python side, in MB (it is slow; its rate is what is compared).")
    var pythonMegabytes: Int = CorpusBench.Settings.defaults.pythonMegabytes

    @Option(help: "Token unit to prepare with.")
    var unit: UnitKind = CorpusBench.Settings.defaults.unit

    func run() throws {
        var settings = paths.settings
        (settings.megabytes, settings.pythonMegabytes, settings.unit) = (megabytes, pythonMegabytes, unit)
        try CorpusBench.prepare(settings, report: ProgressLine())
    }

}

struct BenchJSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsd",
        abstract: "N-gram store build rate and JSD evaluation time (issue 5), beside the anchor's in-memory way.",
        discussion: """
            Prepares the sample (code points), the sample replicated --grow times (repetitive \
            text) and as many random sentences as the sample has (many distinct n-grams); \
            builds each store with `ttur-text prepare ngrams --ngram 6` as a child process \
            (its wall-clock rate in n-gram occurrences per second and its own peak RSS, from \
            wait4); reports the median time of one evaluation of --samples samples for \
            n = 1…6 on each store, and times the reference script's per-evaluation work \
            (sample counts + JSD against a prebuilt real model) on the sample. The load \
            average is printed before and after, since the machine may be shared.
            """
    )

    @OptionGroup var paths: BenchWorkOptions

    @Option(help: "Samples per evaluation.")
    var samples: Int = CorpusBench.Settings.defaults.samples

    @Option(help: "How many times the sample is replicated for the grown corpus.")
    var grow: Int = CorpusBench.Settings.defaults.grow

    @Option(help: "Evaluations to take the median of.")
    var repeats: Int = CorpusBench.Settings.defaults.repeats

    @Option(help: "--memory-limit (MiB) of the store builds.")
    var memoryLimit: Int = CorpusBench.Settings.defaults.memoryLimit

    @Option(help: "--ngram-threads of the store builds (default: one per core).")
    var threads: Int?

    @Option(help: "Instead: a synthetic corpus of N sentences built like the benchmark (the sample's word-bigram chain, 8 % random words, seeded; kept under --work and reused): preparation, store, open, the `eval jsd` child's memory, and evaluation time of the same --samples sentences --repeats times and of --repeats new draws (cold look-ups, as in training).")
    var syntheticSentences: Int?

    func validate() throws {
        if let syntheticSentences, syntheticSentences < 1 { throw ValidationError("--synthetic-sentences must be at least 1") }
    }

    func run() throws {
        var settings = paths.settings
        (settings.samples, settings.grow, settings.repeats) = (samples, grow, repeats)
        (settings.memoryLimit, settings.threads, settings.syntheticSentences) = (memoryLimit, threads, syntheticSentences)
        try CorpusBench.jsd(settings, report: ProgressLine())
    }
}
