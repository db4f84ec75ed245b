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
    var work: String = "data/bench"

    @Option(help: "The One Billion Word sample the benchmark data is made from.")
    var sample: String = "../shared/corpora/billion-word-sample"

    @Option(help: "The reference n-gram JSD script (for the Python side).")
    var reference: String = "../shared/reference/ngram_jsd.py"

    var workURL: URL { URL(fileURLWithPath: work) }

    /// The sample's sentences, decompressed.
    func sampleText() throws -> Data {
        var text = Data()
        for shard in try ShardDiscovery.shards(in: URL(fileURLWithPath: sample), split: .train) {
            text.append(try BenchChild.output("/usr/bin/zstd", ["-dc", shard.path]))
        }
        return text
    }

    /// A corpus directory of `shards` zstd shards, each `copies` copies of `text`.
    func replicatedCorpus(named name: String, text: Data, copies: Int, shards: Int) throws -> URL {
        let root = workURL.appendingPathComponent(name)
        let folder = root.appendingPathComponent(CorpusSplit.train.directoryName)
        if FileManager.default.fileExists(atPath: folder.path) { return root }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var shard = Data()
        for _ in 0..<copies { shard.append(text) }
        for k in 1...shards {
            let plain = folder.appendingPathComponent(String(format: "news.en-%05d-of-00100", k))
            try shard.write(to: plain)
            _ = try BenchChild.output("/usr/bin/zstd", ["-q", "--rm", "-f", plain.path])
        }
        return root
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
    var megabytes: Int = 300

    @Option(help: "Text for the Python side, in MB (it is slow; its rate is what is compared).")
    var pythonMegabytes: Int = 50

    @Option(help: "Token unit to prepare with.")
    var unit: UnitKind = .codepoint

    func run() throws {
        let text = try paths.sampleText()
        let shards = 20
        let copies = (megabytes * 1_000_000 + shards * text.count - 1) / (shards * text.count)
        let corpus = try paths.replicatedCorpus(named: "replicated-\(megabytes)mb", text: text, copies: copies, shards: shards)
        let textBytes = Double(text.count * copies * shards)
        let out = paths.workURL.appendingPathComponent("prepared-\(megabytes)mb-\(unit.rawValue)")
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        let (seconds, _) = try BenchChild.timed(me, ["prepare", "corpus", corpus.path, "--out", out.path,
                                                     "--unit", unit.rawValue, "--ngram", "0", "--vocab-dir", "",
                                                     "--max-examples", "100000000"])
        let peak = BenchChild.childrenPeakRSS
        let tokens = (try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("tokens.u16").path)[.size] as? Int) ?? 0

        let plain = paths.workURL.appendingPathComponent("python-\(pythonMegabytes)mb.txt")
        var pythonText = Data()
        while pythonText.count < pythonMegabytes * 1_000_000 { pythonText.append(text) }
        try pythonText.write(to: plain)
        let (python, _) = try BenchChild.timed("/usr/bin/env", ["python3", BenchScripts.path("anchor_load_dataset.py"), plain.path])

        print(String(format: "ttur-text prepare corpus (%@, no n-grams): %.0f MB text in %.2f s = %.1f MB/s; peak RSS %.0f MB, tokens.u16 %.0f MB",
                     unit.rawValue, textBytes / 1e6, seconds, textBytes / 1e6 / seconds, Double(peak) / 1e6, Double(tokens) / 1e6))
        print(String(format: "anchor's Python load_dataset way: %.0f MB text in %.2f s = %.2f MB/s  (ratio %.1f×)",
                     Double(pythonText.count) / 1e6, python, Double(pythonText.count) / 1e6 / python,
                     (textBytes / seconds) / (Double(pythonText.count) / python)))
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
    var samples: Int = 640

    @Option(help: "How many times the sample is replicated for the grown corpus.")
    var grow: Int = 100

    @Option(help: "Evaluations to take the median of.")
    var repeats: Int = 21

    @Option(help: "--memory-limit (MiB) of the store builds.")
    var memoryLimit: Int = 1024

    @Option(help: "--ngram-threads of the store builds (default: one per core).")
    var threads: Int?

    @Option(help: "Instead: a synthetic corpus of N sentences built like the benchmark (the sample's word-bigram chain, 8 % random words, seeded; kept under --work and reused): preparation, store, open, the `eval jsd` child's memory, and evaluation time of the same --samples sentences --repeats times and of --repeats new draws (cold look-ups, as in training).")
    var syntheticSentences: Int?

    func validate() throws {
        if let syntheticSentences, syntheticSentences < 1 { throw ValidationError("--synthetic-sentences must be at least 1") }
    }

    func run() throws {
        if let syntheticSentences { return try runSynthetic(syntheticSentences) }
        let text = try paths.sampleText()
        let base = try paths.replicatedCorpus(named: "sample-1x", text: text, copies: 1, shards: 1)
        let grown = try paths.replicatedCorpus(named: "sample-\(grow)x", text: text, copies: grow / 4, shards: 4)
        let lines = text.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        var random = SplitMix64(seed: 7)
        let letters = Array(Set(String(decoding: text, as: UTF8.self).unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 }))
            .map(String.init).sorted()
        let noise = lines.indices.map { _ in (0..<32).map { _ in letters[random.next(below: letters.count)] }.joined() }
        let distinct = try paths.replicatedCorpus(named: "random-1x", text: Data((noise.joined(separator: "\n") + "\n").utf8),
                                                  copies: 1, shards: 1)

        var realSamples: [String] = []
        for _ in 0..<samples { realSamples.append(lines[random.next(below: lines.count)]) }
        let randomSamples = (0..<samples).map { _ in (0..<32).map { _ in letters[random.next(below: letters.count)] }.joined() }

        let me = URL(fileURLWithPath: CommandLine.arguments[0]).path
        print("load average before: \(Self.loadAverage())")
        for (name, corpus) in [("sample 1×", base), ("sample \(grow)× (repetitive)", grown), ("random text 1× (many distinct)", distinct)] {
            let out = paths.workURL.appendingPathComponent("jsd-\(corpus.lastPathComponent)")
            var options = PreparationOptions()
            options.unit = .codepoint
            options.maxExamples = 100_000_000
            if !FileManager.default.fileExists(atPath: out.path) {
                _ = try CorpusPreparation.prepare(
                    shards: try ShardDiscovery.shards(in: corpus, split: .train), name: name, output: out, options: options)
            }
            // The store build on its own, as `prepare ngrams` in a child process: its wall
            // clock and peak RSS, and the build's own timing from its summary line.
            let log = paths.workURL.appendingPathComponent("jsd-build-\(corpus.lastPathComponent).log")
            var arguments = ["prepare", "ngrams", "--data", out.path, "--ngram", "6", "--memory-limit", "\(memoryLimit)"]
            if let threads { arguments += ["--ngram-threads", "\(threads)"] }
            let (wall, peak) = try BenchChild.measured(me, arguments, log: log)
            let line = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .last { $0.hasPrefix("n-grams ") && $0.contains("occurrences") }.map(String.init) ?? ""
            let dataset = try PreparedDataset(directory: out)
            let opened = Date()
            let store = try NGramStore(dataset: dataset)
            let openSeconds = Date().timeIntervalSince(opened)
            let occurrences = store.totals.values.reduce(0, +)
            print(String(format: "%@: %d sentences, %d occurrences; `prepare ngrams` process %.2f s = %.1f M occurrences/s, peak RSS %.0f MB; open %.2f s",
                         name, dataset.sentenceCount, occurrences, wall, Double(occurrences) / wall / 1e6,
                         Double(peak) / 1e6, openSeconds))
            print("  build: \(line)")
            for (kind, sampleLines) in [("real sentences", realSamples), ("random strings", randomSamples)] {
                let encoded = try dataset.vocabulary.encode(lines: sampleLines, length: dataset.sequenceLength)
                let (median, fastest) = try Self.evaluationSeconds(store, encoded, repeats: repeats)
                print(String(format: "  one evaluation, %d %@, n = 1…6: median %.2f ms (min %.2f ms)",
                             samples, kind, median * 1e3, fastest * 1e3))
            }
        }

        let real = paths.workURL.appendingPathComponent("sample-1x.txt")
        try text.write(to: real)
        let fake = paths.workURL.appendingPathComponent("samples-real.txt")
        try Data(realSamples.map { $0 + "\n" }.joined().utf8).write(to: fake)
        let python = try BenchChild.output("/usr/bin/env", ["python3", BenchScripts.path("anchor_jsd.py"), paths.reference, real.path, fake.path])
        print("anchor's in-memory way (reference script's functions, real model prebuilt), sample 1×, \(samples) real sentences: "
              + String(decoding: python, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        print("load average after: \(Self.loadAverage())")
    }

    /// The median and the fastest of `repeats` evaluations of `samples` for n = 1…6, in seconds.
    static func evaluationSeconds(_ store: NGramStore, _ samples: [[TokenID]], repeats: Int) throws -> (median: Double, fastest: Double) {
        try evaluationSeconds(store, sets: Array(repeating: samples, count: max(repeats, 1)))
    }

    /// The median and the fastest of one evaluation of each of `sets` for n = 1…6, in seconds.
    static func evaluationSeconds(_ store: NGramStore, sets: [[[TokenID]]]) throws -> (median: Double, fastest: Double) {
        var times: [Double] = []
        for samples in sets {
            let started = Date()
            _ = try store.jsd(samples: samples, maxN: 6)
            times.append(Date().timeIntervalSince(started))
        }
        times.sort()
        return (times[times.count / 2], times[0])
    }

    /// The 1-, 5- and 15-minute load averages.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

}
