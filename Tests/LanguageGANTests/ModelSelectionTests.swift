import Corpus
import Foundation
import LanguageGAN
import NGrams
import Tensors
import TrainingRuns
import XCTest
import _TestSupport

/// The language run's selection score and mode-collapse warning, on a corpus whose short
/// sentences leave most n-grams all padding (as the bundled corpus's do): there, output of
/// nothing but padding has the best raw JSD-4 of a run and must not be selected.
final class ModelSelectionTests: XCTestCase {
    private var corpus: TemporaryCorpus!
    private var dataset: PreparedDataset!
    private var store: NGramStore!

    override func setUpWithError() throws {
        corpus = try TemporaryCorpus()
        let words = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran"]
        var random = RandomSource(seed: 4)
        try corpus.addShard(1, lines: (0..<300).map { _ in
            (0..<(1 + random.nextInt(below: 2))).map { _ in words[random.nextInt(below: words.count)] }.joined(separator: " ")
        })
        let data = corpus.root.appendingPathComponent("data")
        let prepared = try TTURTextExecutable.run(["prepare", "corpus", corpus.corpusDirectory.path, "--out", data.path,
                                                   "--seq-len", "12", "--ngram", "4", "--vocab-dir", ""])
        XCTAssertEqual(prepared.status, 0, prepared.standardError)
        dataset = try PreparedDataset(directory: data)
        store = try NGramStore(dataset: dataset)
    }

    private func configuration(iterations: Int) -> LanguageConfiguration {
        var run = RunSettings()
        (run.batch, run.iterations, run.evalEvery, run.checkpointEvery, run.keepCheckpoints, run.threads, run.seed) =
            (4, iterations, 2, 2, 100, 1, 5)
        var gan = LanguageSettings(schedule: .ttur)
        (gan.dim, gan.noise, gan.residualBlocks, gan.maxNGram, gan.evalSamples) = (8, 6, 2, 4, 64)
        (gan.dataDirectory, gan.sequenceLength, gan.vocabularySize) =
            (dataset.directory.path, dataset.sequenceLength, dataset.vocabulary.count)
        return LanguageConfiguration(run: run, gan: gan)
    }

    /// Makes `generator` write `unit` at every position, whatever its noise.
    private static func makeConstant(_ generator: LanguageGenerator, unit: TokenID) {
        let weight = generator.output.weight, bias = generator.output.bias
        weight.storage.pointer.update(repeating: 0, count: weight.count)
        bias.storage.pointer.update(repeating: 0, count: bias.count)
        bias.storage.pointer[Int(unit)] = 20
    }

    /// A language GAN that trains as `LanguageWGAN` does but writes nothing but padding
    /// from iteration `start` on (its generator's output layer overwritten after each step).
    final class PaddingFrom: StatefulGAN {
        static let kind = LanguageWGAN.kind
        static let sampleExtension = LanguageWGAN.sampleExtension
        static let start = 4
        let inner: LanguageWGAN

        init(configuration: LanguageConfiguration, context: LanguageTrainingData) throws {
            inner = try LanguageWGAN(configuration: configuration, context: context)
        }

        var state: LanguageGANState { inner.state }
        var headline: String { inner.headline }
        var selectionMetric: String { inner.selectionMetric }
        func iterate(iteration: Int) -> LanguageWGAN.Losses {
            let losses = inner.iterate(iteration: iteration)
            if iteration + 1 >= Self.start {
                ModelSelectionTests.makeConstant(inner.state.generator, unit: inner.data.dataset.vocabulary.padding!)
            }
            return losses
        }
        func nonFiniteReason(_ losses: LanguageWGAN.Losses) -> String? { inner.nonFiniteReason(losses) }
        func evaluate(iteration: Int, seconds: Double, losses: LanguageWGAN.Losses?, random: inout RandomSource,
                      samples: URL) throws -> LanguageLogEntry {
            try inner.evaluate(iteration: iteration, seconds: seconds, losses: losses, random: &random, samples: samples)
        }
        func summary(_ losses: LanguageWGAN.Losses, latest: LanguageLogEntry?) -> String { inner.summary(losses, latest: latest) }
        func selectionScore(_ entry: LanguageLogEntry) -> Double? { inner.selectionScore(entry) }
        func review(_ entry: inout LanguageLogEntry, earlier: [LanguageLogEntry]) { inner.review(&entry, earlier: earlier) }
    }

    func testAnAllPaddingEvaluationWithTheBestRawJSDIsNotSelectedAndWarnedOnce() throws {
        let run = Trainer<PaddingFrom>.runDirectory(corpus.root.appendingPathComponent("run"))
        let trainer = try Trainer<PaddingFrom>(configuration: configuration(iterations: 8), run: run,
                                               context: LanguageTrainingData(dataset: dataset, store: store))
        var warnings: [Int: String] = [:]
        _ = try trainer.train { if let warning = $0.warning { warnings[$0.iteration] = warning } }
        let entries = try trainer.logEntries()
        XCTAssertEqual(entries.map(\.iteration), [0, 2, 4, 6, 8])

        let padded = entries.filter { $0.iteration >= PaddingFrom.start }
        for entry in padded {
            XCTAssertEqual(entry.distinctSamples, 1.0 / 64)
            XCTAssertEqual(entry.distinctCharacters, 0)
            XCTAssertEqual(entry.jsdNonPadding?["4"], 1, "no n-gram but the all-padding one")
            XCTAssertNil(entry.selection?.score)
            let text = try String(contentsOf: run.samples(iteration: entry.iteration), encoding: .utf8)
            XCTAssertEqual(text, String(repeating: "\n", count: 64), "64 empty sentences")
        }
        let rawBest = try XCTUnwrap(entries.min { $0.jsd["4"]! < $1.jsd["4"]! })
        XCTAssertGreaterThanOrEqual(rawBest.iteration, PaddingFrom.start, "all padding has the best raw JSD-4 here")
        let best = try XCTUnwrap(entries.last?.selection?.bestIteration)
        XCTAssertLessThan(best, PaddingFrom.start)
        XCTAssertEqual(trainer.best?.iteration, best)
        let held = try GANCheckpoint.open(run.bestCheckpoint).file.metadata["iteration"]
        XCTAssertEqual(held, String(best))

        // The collapse is named once, at its first evaluation, in the log and the progress.
        XCTAssertEqual(entries.filter { $0.warning != nil }.map(\.iteration), [PaddingFrom.start])
        XCTAssertEqual(Array(warnings.keys), [PaddingFrom.start])
        let warning = try XCTUnwrap(warnings[PaddingFrom.start])
        XCTAssertEqual(warning, "mode collapse suspected at iteration 4: 1.6% of the samples distinct (below 10%); 0.0% of the characters used")
        XCTAssertEqual(entries.last { $0.iteration == PaddingFrom.start }?.warning, warning)
    }

    /// Log lines as the loop would have them, from JSD of real sentences scored by the store.
    private func entry(iteration: Int, samples: [[TokenID]]) throws -> LanguageLogEntry {
        let scores = try store.jsd(samples: samples, maxN: 4, padding: dataset.vocabulary.padding!)
        let diversity = SampleDiversity(samples, vocabularySize: dataset.vocabulary.count, padding: dataset.vocabulary.padding)
        let keyed = { (s: [Int: Double]) in Dictionary(uniqueKeysWithValues: s.map { (String($0.key), $0.value) }) }
        let object: [String: Any] = ["iteration": iteration, "seconds": 0, "jsd": keyed(scores.all),
                                     "jsd_nonpadding": keyed(scores.nonPadding), "distinct_samples": diversity.distinctSamples,
                                     "distinct_characters": diversity.distinctCharacters]
        return try JSONDecoder().decode(LanguageLogEntry.self, from: JSONSerialization.data(withJSONObject: object))
    }

    private func untrainedSamples() -> [[TokenID]] {
        var random = RandomSource(seed: 1)
        let generator = LanguageGANState(configuration: configuration(iterations: 1)).generator
        return generator.sampleTokenIDs(count: 64, batch: 16, using: &random).map { $0.map { TokenID($0) } }
    }

    func testAConstantGeneratorIsWarnedAboutOnceAndAHealthyOneNever() throws {
        let start = try entry(iteration: 0, samples: untrainedSamples())
        XCTAssertEqual(start.distinctSamples, 1, "the untrained generator's samples are all distinct")
        XCTAssertNil(ModeCollapse.warning(for: start, earlier: []))

        // Healthy: what a trained generator writes, the corpus's own sentences.
        var healthy = [start]
        for (k, iteration) in [2, 4, 6].enumerated() {
            let sentences = (0..<64).map { Array(dataset.sentence(64 * k + $0)) }
            let next = try entry(iteration: iteration, samples: sentences)
            XCTAssertNil(ModeCollapse.warning(for: next, earlier: healthy), "a healthy evaluation is never suspect")
            healthy.append(next)
        }

        // Constant: one sentence repeated, from a generator writing one unit everywhere.
        let state = LanguageGANState(configuration: configuration(iterations: 1))
        Self.makeConstant(state.generator, unit: dataset.vocabulary.id(of: "t"))
        var random = RandomSource(seed: 2)
        let constant = state.generator.sampleTokenIDs(count: 64, batch: 16, using: &random).map { $0.map { TokenID($0) } }
        XCTAssertEqual(Set(constant).count, 1)
        var collapsed = [start]
        var warnings: [String] = []
        for iteration in [2, 4, 6] {
            var next = try entry(iteration: iteration, samples: constant)
            next.warning = ModeCollapse.warning(for: next, earlier: collapsed)
            if let warning = next.warning { warnings.append(warning) }
            collapsed.append(next)
        }
        XCTAssertEqual(warnings.count, 1, "said once")
        XCTAssertEqual(warnings.first, String(format: "mode collapse suspected at iteration 2: 1.6%% of the samples distinct (below 10%%); %.1f%% of the characters used",
                                              100.0 / Double(dataset.vocabulary.count - 1)))

        // JSD-1 above iteration 0's in the first phase (every run's, before it learns the
        // unigrams) is not suspect; back above it after having been below it is.
        let start1 = try XCTUnwrap(start.jsd["1"])
        func withJSD1(_ entry: LanguageLogEntry, _ value: Double, iteration: Int) -> LanguageLogEntry {
            var changed = entry
            changed.iteration = iteration
            changed.jsd["1"] = value
            return changed
        }
        let early = withJSD1(healthy[1], start1 + 0.05, iteration: 100)
        XCTAssertNil(ModeCollapse.warning(for: early, earlier: [start]), "the first phase's JSD-1 is not suspect")
        let learnt = withJSD1(healthy[2], start1 - 0.2, iteration: 200)
        let lost = withJSD1(healthy[3], start1 + 0.01, iteration: 300)
        XCTAssertEqual(ModeCollapse.warning(for: lost, earlier: [start, early, learnt]),
                       String(format: "mode collapse suspected at iteration 300: JSD-1 %.4f back above iteration 0's %.4f (it had reached %.4f); %.1f%% of the characters used",
                              start1 + 0.01, start1, start1 - 0.2, 100 * (lost.distinctCharacters ?? 0)))
    }

    func testTemperatureZeroIsArgmaxAndOneSamplesTheDistribution() {
        let probabilities: [Float] = [0.1, 0.6, 0.3, 0]
        var random = RandomSource(seed: 9)
        let before = random
        XCTAssertEqual(probabilities.withUnsafeBufferPointer {
            LanguageGenerator.pick(from: $0.baseAddress!, count: 4, temperature: 0, using: &random)
        }, 1)
        XCTAssertEqual(random, before, "argmax draws nothing")
        var counts = [0, 0, 0, 0]
        for _ in 0..<20_000 {
            counts[probabilities.withUnsafeBufferPointer {
                LanguageGenerator.pick(from: $0.baseAddress!, count: 4, temperature: 1, using: &random)
            }] += 1
        }
        XCTAssertEqual(counts[3], 0, "a unit of probability 0 is never drawn")
        // Binomial standard deviation at 20,000 draws is at most 0.0035: five of them.
        for (count, p) in zip(counts, probabilities) { XCTAssertEqual(Double(count) / 20_000, Double(p), accuracy: 0.018) }
        // T = 0.5 squares the odds: 0.01 : 0.36 : 0.09.
        counts = [0, 0, 0, 0]
        for _ in 0..<20_000 {
            counts[probabilities.withUnsafeBufferPointer {
                LanguageGenerator.pick(from: $0.baseAddress!, count: 4, temperature: 0.5, using: &random)
            }] += 1
        }
        for (count, odds) in zip(counts, [0.01, 0.36, 0.09, 0]) {
            XCTAssertEqual(Double(count) / 20_000, odds / 0.46, accuracy: 0.018)
        }
    }
}
