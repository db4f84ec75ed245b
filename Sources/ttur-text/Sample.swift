import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import Tensors
import TrainingRuns

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print sentences generated from a training run's checkpoint, one a line."
    )

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(name: .short, help: "Number of sentences.")
    var n = 20
    @Option(help: "Prepared dataset for decoding (default: the one the run trained on).")
    var data: String?

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let (state, configuration, _, _) = try checkpoint.load(LanguageWGAN.self) { LanguageGANState(configuration: $0) }
        // The vocabulary only: the dataset's sentences are not needed to decode.
        let dataset = try DatasetHeader(directory: URL(fileURLWithPath: data ?? configuration.gan.dataDirectory))
        guard dataset.vocabulary.count == configuration.gan.vocabularySize else {
            throw ValidationError("\(dataset.directory.path) has vocabulary \(dataset.vocabulary.count), the checkpoint \(configuration.gan.vocabularySize)")
        }
        var random = RandomSource(seed: checkpoint.seed)
        for ids in state.generator.sampleTokenIDs(count: n, batch: configuration.run.batch, using: &random) {
            print(dataset.vocabulary.decode(ids: ids.map { TokenID($0) }))
        }
    }
}

/// Which checkpoint a sampling command reads, and the seed of its noise.
struct CheckpointOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run directory.") var runDirectory: String?
    @Option(help: "Checkpoint file (default: the run's newest): a training checkpoint or an `export`.") var checkpoint: String?
    @Option(help: "Random seed for the generator's noise.") var seed: UInt64 = 0

    func validate() throws {
        if runDirectory == nil && checkpoint == nil { throw ValidationError("give --run DIR or --checkpoint FILE") }
    }

    /// The checkpoint file: `--checkpoint`, or the run's newest.
    func file() throws -> URL {
        if let checkpoint { return URL(fileURLWithPath: checkpoint) }
        return try RunDirectory(URL(fileURLWithPath: runDirectory!)).checkpoint(at: nil)
    }

    /// The networks of a GAN of type `GAN` from the checkpoint, built by `make` from its
    /// configuration, with the engine's threads set as the run had them.
    func load<GAN: TrainableGAN, State: CheckpointedNetworks>(
        _: GAN.Type, make: (RunConfiguration<GAN.Settings>) -> State
    ) throws -> (State, RunConfiguration<GAN.Settings>, file: URL, progress: RunProgress) {
        let file = try file()
        let opened = try GANCheckpoint.open(file)
        let configuration = try opened.configuration(of: GAN.self)
        let state = make(configuration)
        let progress = try opened.restore(state, roles: ["generator"])  // sampling needs the generator alone
        Engine.setThreads(configuration.run.threads)
        return (state, configuration, file, progress)
    }
}
