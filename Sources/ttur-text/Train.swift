import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import TrainingRuns
import NGrams
import Tensors

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
            (exit status 130) and SIGTERM (143); --resume continues exactly where one left off.
            """
    )

    @Option(help: "Prepared dataset directory (default: the bundled corpus, prepared on first use into data/).")
    var data: String?
    @Option(name: .customLong("run"), help: "Run directory (default: runs/<timestamp>-<schedule>).")
    var runPath: String?
    @Flag(help: "Continue the run in --run from its newest checkpoint (with --iterations/--minutes: a new budget; other settings come from the checkpoint).")
    var resume = false

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

    @Option(help: "Stop after this many iterations.") var iterations: Int?
    @Option(help: "Stop after this many minutes of training time (evaluation excluded).") var minutes: Double?
    @Option(help: "Evaluate (JSD, samples, log line) every this many iterations.") var evalEvery = 100
    @Option(help: "Checkpoint every this many iterations.") var checkpointEvery = 500
    @Option(help: "Checkpoints to keep.") var keep = 3
    @Option(help: "Largest n-gram order for the JSD.") var ngram = 6
    @Option(help: "Threads for the engine.") var threads = 2
    @Option(help: "Random seed (weights, batches, noise).") var seed: UInt64 = 0

    func validate() throws {
        if resume && runPath == nil { throw ValidationError("--resume needs --run DIR") }
        if iterations == nil && minutes == nil && !resume {
            throw ValidationError("give --iterations N and/or --minutes M (a budget for the run)")
        }
        for (name, value) in [("--eval-every", evalEvery), ("--checkpoint-every", checkpointEvery), ("--keep", keep),
                              ("--threads", threads), ("--noise", noise)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if let iterations, iterations < 0 { throw ValidationError("--iterations must not be negative") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
        if let criticIters, criticIters < 1 { throw ValidationError("--critic-iters must be at least 1") }
        if let dim, dim < 1 { throw ValidationError("--dim must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        guard (1...8).contains(ngram) else { throw ValidationError("--ngram must be between 1 and 8") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)  // keep stdout lines in order with the progress on stderr
        let dataset = try DatasetLocator.open(data)
        let store = try NGramStore(dataset: dataset)
        store.evaluationThreads = min(2, threads)  // a --threads 1 run stays on one core while evaluating too
        guard resume || ngram <= store.maxN else {
            throw ValidationError("--ngram \(ngram) exceeds the store's order \(store.maxN); rebuild with `ttur-text prepare ngrams --data \(dataset.directory.path) --ngram \(ngram)`")
        }
        let trainer: LanguageGANTrainer
        if resume {
            trainer = try LanguageGANTrainer(resuming: RunDirectory(URL(fileURLWithPath: runPath!)), dataset: dataset,
                                             store: store, iterations: iterations, minutes: minutes)
        } else {
            var c = TrainingConfiguration()
            c.apply(schedule)
            if let lrCritic { c.criticLearningRate = lrCritic }
            if let lrGen { c.generatorLearningRate = lrGen }
            if let criticIters { c.criticIterations = criticIters }
            c.dim = dim ?? preset.dim
            c.batch = batch ?? preset.batch
            c.noise = noise
            c.gradientPenaltyWeight = gpLambda
            c.beta1 = beta1
            c.beta2 = beta2
            c.adamForm = adam
            c.iterations = iterations
            c.minutes = minutes
            c.evalEvery = evalEvery
            c.checkpointEvery = checkpointEvery
            c.keepCheckpoints = keep
            c.maxNGram = ngram
            c.threads = threads
            c.seed = seed
            c.dataDirectory = dataset.directory.path
            c.sequenceLength = dataset.sequenceLength
            c.vocabularySize = dataset.vocabulary.count
            let directory = runPath ?? "runs/\(Self.timestamp())-\(schedule.rawValue)"
            trainer = try LanguageGANTrainer(configuration: c, run: RunDirectory(URL(fileURLWithPath: directory)),
                                             dataset: dataset, store: store)
        }
        let c = trainer.configuration
        print("run \(trainer.run.url.path): \(c.schedule.rawValue), dim \(c.dim), batch \(c.batch), critic lr \(c.criticLearningRate), generator lr \(c.generatorLearningRate), \(c.criticIterations) critic step(s), \(dataset.sentenceCount) sentences, vocabulary \(c.vocabularySize)")
        StopRequest.install()
        let line = ProgressLine()
        let outcome = try trainer.train { p in
            let jsd = ["4", "6"].compactMap { n in p.latestJSD[n].map { String(format: "JSD-%@ %.4f", n, $0) } }
            var eta = ""
            if let target = p.targetIterations, p.iterationsPerSecond > 0 {
                eta = String(format: "  ETA %.0f s", Double(target - p.iteration) / p.iterationsPerSecond)
            } else if let budget = p.budgetSeconds {
                eta = String(format: "  ETA %.0f s", max(0, budget - p.seconds))
            }
            let text = String(format: "iter %d  %.2f it/s  critic %.4f  gen %@  ", p.iteration, p.iterationsPerSecond,
                              p.criticLoss, p.genLoss.map { String(format: "%.4f", $0) } ?? "-")
                + jsd.joined(separator: "  ") + eta
            line.update(text)
        }
        line.finish("training stopped at iteration \(trainer.progress.iteration) after \(String(format: "%.0f", trainer.progress.elapsedSeconds)) s of training")
        try Self.printJSDTable(run: trainer.run)
        if case let .interrupted(iteration, signal) = outcome {
            print("stopped by signal \(signal) at iteration \(iteration); checkpoint written. Continue with --resume --run \(trainer.run.url.path)")
            throw ExitCode(StopRequest.exitStatus(for: signal))
        }
    }

    /// The first and the last JSD of the run, side by side.
    static func printJSDTable(run: RunDirectory) throws {
        let lines = try String(contentsOf: run.log, encoding: .utf8).split(separator: "\n")
        let entries = lines.compactMap { try? JSONDecoder().decode(LogEntry.self, from: Data($0.utf8)) }
        guard let first = entries.first, let last = entries.last else { return }
        print(String(format: "%-4@ %14@ %14@", "n", "iteration \(first.iteration)", "iteration \(last.iteration)"))
        for n in first.jsd.keys.sorted(by: { Int($0)! < Int($1)! }) {
            print(String(format: "%-4@ %14.4f %14.4f", n, first.jsd[n] ?? .nan, last.jsd[n] ?? .nan))
        }
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date())
    }
}

/// Resolves `--data`: a prepared dataset directory, or by default the bundled corpus,
/// prepared on first use.
enum DatasetLocator {
    static func open(_ path: String?) throws -> PreparedDataset {
        if let path { return try PreparedDataset(directory: URL(fileURLWithPath: path)) }
        let bundled = try BundledCorpus.locate()
        let directory = URL(fileURLWithPath: "data/\(bundled.lastPathComponent)")
        if !FileManager.default.fileExists(atPath: directory.appendingPathComponent(PreparedDataset.manifestName).path) {
            print("preparing the bundled corpus into \(directory.path) (first use)")
            let prepare = try PrepareCorpus.parse([])
            try prepare.run()
        }
        return try PreparedDataset(directory: directory)
    }
}
