import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import NGrams
import Tensors
import TrainingRuns

extension Schedule: ExpressibleByArgument {}
extension Preset: ExpressibleByArgument {}
extension Adam.Form: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the character-level WGAN-GP under TTUR or the original schedule.",
        discussion: """
            TTUR (default): critic lr 3e-4, generator lr 1e-4, one critic step per generator \
            step. orig: 1e-4 / 1e-4 with ten critic steps. Every --eval-every iterations, 640 \
            generated sentences are scored by n-gram JSD against the dataset's stored \
            statistics and logged to RUN/log.jsonl; samples go to RUN/samples/. Checkpoints \
            are written every --checkpoint-every iterations and on exit, including Ctrl-C \
            (exit status 130) and SIGTERM (143); --resume continues exactly where one left off. \
            The evaluation with the lowest JSD-4 over n-grams not all padding so far is kept as \
            RUN/checkpoints/best.safetensors (never pruned; `sample` reads it by default), and \
            the first evaluation that looks like mode collapse is named once.
            """
    )

    @Option(help: "Prepared dataset directory (default: the run's own when resuming, else the bundled corpus, prepared on first use into data/).")
    var data: String?
    @OptionGroup var runOptions: RunOptions

    @Option(help: "Update schedule: ttur or orig.") var schedule: Schedule = .ttur
    @Option(help: "Size preset: paper (dim 512, batch 64) or small (dim 128, batch 32).") var preset: Preset = .paper
    @Option(help: "Critic learning rate (default: the schedule's).") var lrCritic: Float?
    @Option(help: "Generator learning rate (default: the schedule's).") var lrGen: Float?
    @Option(help: "Critic steps per generator step (default: the schedule's).") var criticIters: Int?
    @Option(help: "Model width (default: the preset's).") var dim: Int?
    @Option(help: "Batch size (default: the preset's).") var batch: Int?
    @Option(help: "Generator noise dimension.") var noise = 128
    @Option(help: "Gradient-penalty weight λ.") var gpLambda: Float = 10
    @Option(help: "Adam β1.") var beta1: Float = 0.5
    @Option(help: "Adam β2.") var beta2: Float = 0.9
    @Option(help: "Adam form: pytorch or tensorflow (where ε enters; the paper's code used TensorFlow's).")
    var adam: Adam.Form = .pytorch
    @Option(help: "Evaluate (JSD, samples, log line) every this many iterations.") var evalEvery = 100
    @Option(help: "Largest n-gram order for the JSD.") var ngram = 6
    @Option(help: "Also log word-level BLEU-2…5 against held-out sentences and self-BLEU (as `eval text`) at evaluations every this many iterations (a multiple of --eval-every; default: never).")
    var bleuEvery: Int?
    @Option(help: "At most this many BLEU references (held-out shards beside the dataset's, else its last sentences).")
    var bleuReferences = 2_000

    func validate() throws {
        for (name, value) in [("--eval-every", evalEvery), ("--noise", noise), ("--critic-iters", criticIters ?? 1),
                              ("--dim", dim ?? 1), ("--batch", batch ?? 1)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        guard (1...8).contains(ngram) else { throw ValidationError("--ngram must be between 1 and 8") }
        if let bleuEvery, bleuEvery < 1 || bleuEvery % evalEvery != 0 {
            throw ValidationError("--bleu-every must be a positive multiple of --eval-every (\(evalEvery))")
        }
        guard bleuReferences >= 1 else { throw ValidationError("--bleu-references must be at least 1") }
    }

    func run() throws {
        try TrainingConsole.asRank {
            var dataset: PreparedDataset?  // a new run's dataset, opened once for its sizes and for training
            let trainer: Trainer<LanguageWGAN> = try runOptions.trainer(
                new: {
                    dataset = try DatasetPreparation.open(data, progress: ProgressLine())
                    return try configuration(for: dataset!)
                },
                in: runOptions.directory(for: LanguageWGAN.self, schedule: schedule.rawValue),
                context: {
                    // A --threads 1 run stays on one core while evaluating too.
                    try LanguageTrainingData.open(dataset ?? DatasetPreparation.open(data ?? $0.gan.dataDirectory, progress: ProgressLine()),
                                                  maxNGram: runOptions.resume ? nil : ngram, bleuEvery: $0.gan.bleuEvery,
                                                  bleuReferenceLimit: bleuReferences, evaluationThreads: min(2, runOptions.threads))
                })
            try TrainingConsole.train(trainer, command: "ttur-text train") { try Self.printJSDTable($0.logEntries()) }
        }
    }

    /// A new run's configuration: the schedule's settings, then the flags, then the dataset's sizes.
    private func configuration(for dataset: PreparedDataset) throws -> LanguageConfiguration {
        var s = LanguageSettings(schedule: schedule, preset: preset)
        if let lrCritic { s.criticLearningRate = lrCritic }
        if let lrGen { s.generatorLearningRate = lrGen }
        if let criticIters { s.criticIterations = criticIters }
        if let dim { s.dim = dim }
        (s.noise, s.gradientPenaltyWeight, s.beta1, s.beta2, s.adamForm) = (noise, gpLambda, beta1, beta2, adam)
        s.maxNGram = ngram
        s.bleuEvery = bleuEvery
        s.dataDirectory = dataset.directory.path
        (s.sequenceLength, s.vocabularySize) = (dataset.sequenceLength, dataset.vocabulary.count)
        return LanguageConfiguration(run: try runOptions.settings(batch: batch ?? preset.batch, evalEvery: evalEvery), gan: s)
    }

    /// The JSD of the run at its first evaluation, its best (by the selection score) and its
    /// last, side by side; a row of the selection score (JSD-4 of n-grams not all padding) below.
    static func printJSDTable(_ entries: [LanguageLogEntry]) {
        guard let first = entries.first, let last = entries.last else { return }
        let bestIteration = last.selection?.bestIteration
        let best = entries.last { $0.iteration == bestIteration }
        let columns = [(first, "iteration \(first.iteration)")] + (best.map { [($0, "best \($0.iteration)")] } ?? [])
            + [(last, "iteration \(last.iteration)")]
        // Foundation's String(format:) does not pad %@ on Linux.
        func cell(_ text: String) -> String { String(repeating: " ", count: max(1, 15 - text.count)) + text }
        func label(_ text: String) -> String { text.padding(toLength: 4, withPad: " ", startingAt: 0) }
        print(label("n") + columns.map { cell($0.1) }.joined())
        for n in first.jsd.keys.sorted(by: { Int($0)! < Int($1)! }) {
            print(label(n) + columns.map { cell(String(format: "%.4f", $0.0.jsd[n] ?? .nan)) }.joined())
        }
        guard let metric = last.selection?.metric else { return }
        let order = String(min(4, first.jsd.count))  // the selection's order (LanguageWGAN.selectionMetric)
        let scores = columns.map { column in cell(column.0.jsdNonPadding?[order].map { String(format: "%.4f", $0) } ?? "-") }
        print(label(order + "*") + scores.joined())
        print("\(order)*: \(metric), what the best checkpoint is chosen by" + (best == nil ? " (no evaluation could be chosen)" : ""))
    }
}
