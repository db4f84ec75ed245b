import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import Tensors
import TrainingRuns

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print sentences generated from a training run's checkpoint, one a line.",
        discussion: """
            By default from the run's best checkpoint (checkpoints/best.safetensors, the \
            evaluation with the lowest JSD-4 over n-grams not all padding) where it has one, \
            else its newest; the first line on standard error names the checkpoint, its \
            iteration and score. Units are the most probable at each position (the authors' \
            sampling) unless --temperature is above 0.
            """
    )

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(name: .short, help: "Number of sentences.")
    var n = 20
    @Option(help: "Prepared dataset for decoding (default: the one the run trained on).")
    var data: String?
    @Option(help: "Sampling temperature: 0 takes each position's most probable unit (the authors' argmax); T > 0 draws from softmax(log p / T), 1 being the generator's own distribution (draws from --seed).")
    var temperature: Double = 0

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
        guard temperature >= 0, temperature.isFinite else { throw ValidationError("--temperature must be 0 or positive") }
    }

    func run() throws {
        let (state, configuration, _, _) = try checkpoint.load(LanguageWGAN.self) { LanguageGANState(configuration: $0) }
        // The vocabulary only: the dataset's sentences are not needed to decode.
        let dataset = try DatasetHeader(directory: URL(fileURLWithPath: data ?? configuration.gan.dataDirectory))
        guard dataset.vocabulary.count == configuration.gan.vocabularySize else {
            throw ValidationError("\(dataset.directory.path) has vocabulary \(dataset.vocabulary.count), the checkpoint \(configuration.gan.vocabularySize)")
        }
        var random = RandomSource(seed: checkpoint.seed)
        for ids in state.generator.sampleTokenIDs(count: n, batch: configuration.run.batch, temperature: temperature,
                                                  using: &random) {
            print(dataset.vocabulary.decode(ids: ids.map { TokenID($0) }))
        }
    }
}

/// Which checkpoint a sampling command reads, and the seed of its noise.
struct CheckpointOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run directory.") var runDirectory: String?
    @Option(help: "best (the run's best evaluation), last (its newest checkpoint) or a checkpoint FILE (a training checkpoint or an `export`). Default: best where the run has one, else last. A file named best or last: ./best.")
    var checkpoint: String?
    @Option(help: "Random seed for the generator's noise (and `sample --temperature`'s draws).") var seed: UInt64 = 0

    func validate() throws {
        if runDirectory == nil && checkpoint == nil { throw ValidationError("give --run DIR or --checkpoint FILE") }
        if runDirectory == nil, let checkpoint, ["best", "last"].contains(checkpoint) {
            throw ValidationError("--checkpoint \(checkpoint) needs --run DIR")
        }
    }

    private var choice: CheckpointChoice? { checkpoint.map(CheckpointChoice.init) }

    /// The checkpoint file: `--checkpoint`'s, or the run's best where it has one, else its newest.
    func file() throws -> URL {
        guard let runDirectory else { return URL(fileURLWithPath: checkpoint!) }
        return try RunDirectory(URL(fileURLWithPath: runDirectory)).checkpoint(choice)
    }

    /// "sampling runs/x/checkpoints/best.safetensors: iteration 300, JSD-4 of n-grams not all
    /// padding 0.7012 (the run's best)", from the file's iteration and the run's log.
    private func describe(_ file: URL, iteration: Int) -> String {
        var text = "sampling \(file.path): iteration \(iteration)"
        guard let runDirectory else { return text }
        let run = RunDirectory(URL(fileURLWithPath: runDirectory))
        guard let selection = run.selection(at: iteration) else { return text + " (not evaluated)" }
        text += ", " + selection.metric + (selection.score.map { String(format: " %.4f", $0) } ?? " not selectable")
        if selection.bestIteration == iteration { text += " (the run's best)" }
        return text
    }

    /// The networks of a GAN of type `GAN` from the checkpoint, built by `make` from its
    /// configuration, with the engine's threads set as the run had them; with `announce`, the
    /// first line on standard error says which checkpoint, iteration and score are sampled.
    func load<GAN: TrainableGAN, State: CheckpointedNetworks>(
        _: GAN.Type, announce: Bool = true, make: (RunConfiguration<GAN.Settings>) -> State
    ) throws -> (State, RunConfiguration<GAN.Settings>, file: URL, progress: RunProgress) {
        let file = try file()
        let opened = try GANCheckpoint.open(file)
        let configuration = try opened.configuration(of: GAN.self)
        let state = make(configuration)
        let progress = try opened.restore(state, roles: ["generator"])  // sampling needs the generator alone
        if announce { FileHandle.standardError.write(Data((describe(file, iteration: progress.iteration) + "\n").utf8)) }
        Engine.setThreads(configuration.run.threads)
        return (state, configuration, file, progress)
    }
}
