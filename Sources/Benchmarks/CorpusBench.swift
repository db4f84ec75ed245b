import Basics
import Corpus
import Foundation
import NGrams

/// The corpus benchmarks (`bench prepare`, `bench jsd`): preparation speed and memory, the
/// n-gram store's build rate, opening time and evaluation time, beside the anchor's Python
/// ways. Each runs `ttur-text` itself as child processes (`executable`) and reports its lines.
public enum CorpusBench {
    public struct Settings {
        /// Scratch directory for the generated corpora and datasets.
        public var work = "data/bench"
        /// The One Billion Word sample the data is made from.
        public var sample = "../shared/corpora/billion-word-sample"
        /// The reference n-gram JSD script.
        public var reference = "../shared/reference/ngram_jsd.py"
        /// This `ttur-text`, for the children.
        public var executable: String
        // bench prepare
        public var megabytes = 300
        public var pythonMegabytes = 50
        public var unit = UnitKind.codepoint
        // bench jsd
        public var samples = 640
        public var grow = 100
        public var repeats = 21
        public var memoryLimit = 1024
        public var threads: Int?
        public var syntheticSentences: Int?

        public init(executable: String) { self.executable = executable }

        /// The defaults (the command line's), with no executable.
        public static let defaults = Settings(executable: "")

        public var workURL: URL { URL(fileURLWithPath: work) }

        /// The sample's sentences, decompressed.
        public func sampleText() throws -> Data {
            var text = Data()
            for shard in try ShardDiscovery.shards(in: URL(fileURLWithPath: sample), split: .train) {
                text.append(try BenchChild.output("/usr/bin/zstd", ["-dc", shard.path]))
            }
            return text
        }

        /// A corpus directory of `shards` zstd shards, each `copies` copies of `text`.
        public func replicatedCorpus(named name: String, text: Data, copies: Int, shards: Int) throws -> URL {
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

    /// `bench prepare`: corpus preparation speed and peak memory beside the anchor's Python way.
    public static func prepare(_ settings: Settings, report: ProgressReporter) throws {
        let text = try settings.sampleText()
        let shards = 20
        let copies = (settings.megabytes * 1_000_000 + shards * text.count - 1) / (shards * text.count)
        let corpus = try settings.replicatedCorpus(named: "replicated-\(settings.megabytes)mb", text: text, copies: copies, shards: shards)
        let textBytes = Double(text.count * copies * shards)
        let out = settings.workURL.appendingPathComponent("prepared-\(settings.megabytes)mb-\(settings.unit.rawValue)")
        let me = settings.executable
        let (seconds, _) = try BenchChild.timed(me, ["prepare", "corpus", corpus.path, "--out", out.path,
                                                     "--unit", settings.unit.rawValue, "--ngram", "0", "--vocab-dir", "",
                                                     "--max-examples", "100000000"])
        let peak = BenchChild.childrenPeakRSS
        let tokens = (try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("tokens.u16").path)[.size] as? Int) ?? 0

        let plain = settings.workURL.appendingPathComponent("python-\(settings.pythonMegabytes)mb.txt")
        var pythonText = Data()
        while pythonText.count < settings.pythonMegabytes * 1_000_000 { pythonText.append(text) }
        try pythonText.write(to: plain)
        let (python, _) = try BenchChild.timed("/usr/bin/env", ["python3", BenchScripts.path("anchor_load_dataset.py"), plain.path])

        report.report(String(format: "ttur-text prepare corpus (%@, no n-grams): %.0f MB text in %.2f s = %.1f MB/s; peak RSS %.0f MB, tokens.u16 %.0f MB",
                     settings.unit.rawValue, textBytes / 1e6, seconds, textBytes / 1e6 / seconds, Double(peak) / 1e6, Double(tokens) / 1e6))
        report.report(String(format: "anchor's Python load_dataset way: %.0f MB text in %.2f s = %.2f MB/s  (ratio %.1f×)",
                     Double(pythonText.count) / 1e6, python, Double(pythonText.count) / 1e6 / python,
                     (textBytes / seconds) / (Double(pythonText.count) / python)))
    }

    /// `bench jsd`: n-gram store build rate and JSD evaluation time on three corpora beside
    /// the anchor's in-memory way (or, with `syntheticSentences`, on a synthetic corpus).
    public static func jsd(_ settings: Settings, report: ProgressReporter) throws {
        if let syntheticSentences = settings.syntheticSentences { return try synthetic(syntheticSentences, settings, report: report) }
        let text = try settings.sampleText()
        let base = try settings.replicatedCorpus(named: "sample-1x", text: text, copies: 1, shards: 1)
        let grown = try settings.replicatedCorpus(named: "sample-\(settings.grow)x", text: text, copies: settings.grow / 4, shards: 4)
        let lines = text.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        var random = SplitMix64(seed: 7)
        let letters = Array(Set(String(decoding: text, as: UTF8.self).unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 }))
            .map(String.init).sorted()
        let noise = lines.indices.map { _ in (0..<32).map { _ in letters[random.next(below: letters.count)] }.joined() }
        let distinct = try settings.replicatedCorpus(named: "random-1x", text: Data((noise.joined(separator: "\n") + "\n").utf8),
                                                  copies: 1, shards: 1)

        var realSamples: [String] = []
        for _ in 0..<settings.samples { realSamples.append(lines[random.next(below: lines.count)]) }
        let randomSamples = (0..<settings.samples).map { _ in (0..<32).map { _ in letters[random.next(below: letters.count)] }.joined() }

        let me = settings.executable
        report.report("load average before: \(loadAverage())")
        for (name, corpus) in [("sample 1×", base), ("sample \(settings.grow)× (repetitive)", grown), ("random text 1× (many distinct)", distinct)] {
            let out = settings.workURL.appendingPathComponent("jsd-\(corpus.lastPathComponent)")
            var options = PreparationOptions()
            options.unit = .codepoint
            options.maxExamples = 100_000_000
            if !FileManager.default.fileExists(atPath: out.path) {
                _ = try CorpusPreparation.prepare(
                    shards: try ShardDiscovery.shards(in: corpus, split: .train), name: name, output: out, options: options)
            }
            // The store build on its own, as `prepare ngrams` in a child process: its wall
            // clock and peak RSS, and the build's own timing from its summary line.
            let log = settings.workURL.appendingPathComponent("jsd-build-\(corpus.lastPathComponent).log")
            var arguments = ["prepare", "ngrams", "--data", out.path, "--ngram", "6", "--memory-limit", "\(settings.memoryLimit)"]
            if let threads = settings.threads { arguments += ["--ngram-threads", "\(threads)"] }
            let (wall, peak) = try BenchChild.measured(me, arguments, log: log)
            let line = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
                .last { $0.hasPrefix("n-grams ") && $0.contains("occurrences") }.map(String.init) ?? ""
            let dataset = try PreparedDataset(directory: out)
            let opened = Date()
            let store = try NGramStore(dataset: dataset)
            let openSeconds = Date().timeIntervalSince(opened)
            let occurrences = store.totals.values.reduce(0, +)
            report.report(String(format: "%@: %d sentences, %d occurrences; `prepare ngrams` process %.2f s = %.1f M occurrences/s, peak RSS %.0f MB; open %.2f s",
                         name, dataset.sentenceCount, occurrences, wall, Double(occurrences) / wall / 1e6,
                         Double(peak) / 1e6, openSeconds))
            report.report("  build: \(line)")
            for (kind, sampleLines) in [("real sentences", realSamples), ("random strings", randomSamples)] {
                let encoded = try dataset.vocabulary.encode(lines: sampleLines, length: dataset.sequenceLength)
                let (median, fastest) = try evaluationSeconds(store, encoded, repeats: settings.repeats)
                report.report(String(format: "  one evaluation, %d %@, n = 1…6: median %.2f ms (min %.2f ms)",
                             settings.samples, kind, median * 1e3, fastest * 1e3))
            }
        }

        let real = settings.workURL.appendingPathComponent("sample-1x.txt")
        try text.write(to: real)
        let fake = settings.workURL.appendingPathComponent("samples-real.txt")
        try Data(realSamples.map { $0 + "\n" }.joined().utf8).write(to: fake)
        let python = try BenchChild.output("/usr/bin/env", ["python3", BenchScripts.path("anchor_jsd.py"), settings.reference, real.path, fake.path])
        report.report("anchor's in-memory way (reference script's functions, real model prebuilt), sample 1×, \(settings.samples) real sentences: "
              + String(decoding: python, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        report.report("load average after: \(loadAverage())")
    }

    /// `bench jsd --synthetic-sentences N`: prepares a synthetic corpus of N sentences, builds
    /// its store in a child process, and reports the store's size, its opening time, one
    /// `eval jsd` process (wall clock and peak resident set: what opening costs a run) and the
    /// median time of one evaluation of `samples` sentences in this process.
    static func synthetic(_ sentences: Int, _ settings: Settings, report: ProgressReporter) throws {
        report.report("load average before: \(loadAverage())")
        var started = Date()
        let out = settings.workURL.appendingPathComponent("jsd-synthetic-\(sentences)")
        let me = settings.executable
        if FileManager.default.fileExists(atPath: out.appendingPathComponent(StoreSchema.fileName).path) {
            report.report("reusing the prepared corpus and store in \(out.path) (delete it to measure preparation)")
        } else {
            let corpus = try SyntheticCorpus.build(sentences: sentences, from: try settings.sampleText(), work: settings.workURL)
            report.report(String(format: "synthetic corpus of %d sentences: %.1f s", sentences, Date().timeIntervalSince(started)))
            let log = settings.workURL.appendingPathComponent("jsd-synthetic-\(sentences)-prepare.log")
            var arguments = ["prepare", "corpus", corpus.path, "--out", out.path, "--unit", "codepoint",
                             "--max-examples", "\(sentences)", "--ngram", "6", "--vocab-dir", "",
                             "--memory-limit", "\(settings.memoryLimit)"]
            if let threads = settings.threads { arguments += ["--ngram-threads", "\(threads)"] }
            let (wall, peak) = try BenchChild.measured(me, arguments, log: log)
            report.report(String(format: "`prepare corpus` (with the store) process: %.1f s, peak RSS %.0f MB", wall, Double(peak) / 1e6))
        }
        let dataset = try PreparedDataset(directory: out)
        let storeFile = out.appendingPathComponent(StoreSchema.fileName)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: storeFile.path)[.size] as? Int) ?? 0
        var random = SplitMix64(seed: 7)
        let samples = (0..<settings.samples).map { _ in dataset.vocabulary.decode(ids: dataset.sentence(random.next(below: dataset.sentenceCount))) }
        let samplesFile = settings.workURL.appendingPathComponent("jsd-synthetic-samples.txt")
        try Data(samples.map { $0 + "\n" }.joined().utf8).write(to: samplesFile)
        let log = settings.workURL.appendingPathComponent("jsd-synthetic-\(sentences)-eval.log")
        let (evalWall, evalPeak) = try BenchChild.measured(me, ["eval", "jsd", "--data", out.path, "--samples", samplesFile.path, "--json"], log: log)
        started = Date()
        let store = try NGramStore(dataset: dataset)
        let openSeconds = Date().timeIntervalSince(started)
        let encoded = try dataset.vocabulary.encode(lines: samples, length: dataset.sequenceLength)
        let (median, _) = try evaluationSeconds(store, encoded, repeats: settings.repeats)
        // As in training, where every evaluation scores new samples: each of the timed
        // evaluations gets its own draw, so its look-ups find the tables cold, not the
        // slots the previous evaluation brought into the caches.
        let fresh = try (0..<max(settings.repeats, 1)).map { _ in
            try dataset.vocabulary.encode(lines: (0..<settings.samples).map { _ in
                dataset.vocabulary.decode(ids: dataset.sentence(random.next(below: dataset.sentenceCount)))
            }, length: dataset.sequenceLength)
        }
        let (freshMedian, _) = try evaluationSeconds(store, sets: fresh)
        // (The occurrences pass 2³¹ at 13 M sentences: interpolated, not through a 32-bit %d.)
        report.report("\(dataset.sentenceCount) sentences, \(store.totals.values.reduce(0, +)) n-gram occurrences, " + String(format: "store %.0f MB; open %.2f s, tables %.0f MB; `eval jsd` process %.2f s, peak RSS %.0f MB; one evaluation of %d sentences, n = 1…6: median %.2f ms the same sentences each time, %.2f ms new sentences each time",
                     Double(bytes) / 1e6, openSeconds,
                     Double(store.tableBytes) / 1e6, evalWall, Double(evalPeak) / 1e6, settings.samples, median * 1e3, freshMedian * 1e3))
        report.report("load average after: \(loadAverage())")
    }

    /// The median and the fastest of `repeats` evaluations of `samples` for n = 1…6, in seconds.
    public static func evaluationSeconds(_ store: NGramStore, _ samples: [[TokenID]], repeats: Int) throws -> (median: Double, fastest: Double) {
        try evaluationSeconds(store, sets: Array(repeating: samples, count: max(repeats, 1)))
    }

    /// The median and the fastest of one evaluation of each of `sets` for n = 1…6, in seconds.
    public static func evaluationSeconds(_ store: NGramStore, sets: [[[TokenID]]]) throws -> (median: Double, fastest: Double) {
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
    public static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }
}
