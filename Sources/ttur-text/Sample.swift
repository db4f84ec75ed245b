import ArgumentParser
import Corpus
import Foundation
import LanguageGAN
import TrainingRuns
import Tensors

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print sentences generated from a training run's checkpoint, one a line."
    )

    @Option(name: .customLong("run"), help: "Run directory.")
    var runDirectory: String
    @Option(help: "Checkpoint file (default: the run's newest).")
    var checkpoint: String?
    @Option(name: .short, help: "Number of sentences.")
    var n = 20
    @Option(help: "Random seed for the generator's noise.")
    var seed: UInt64 = 0
    @Option(help: "Prepared dataset for decoding (default: the one the run trained on).")
    var data: String?

    func validate() throws {
        guard n >= 1 else { throw ValidationError("-n must be at least 1") }
    }

    func run() throws {
        let runDir = RunDirectory(URL(fileURLWithPath: runDirectory))
        let file: URL
        if let checkpoint {
            file = URL(fileURLWithPath: checkpoint)
        } else {
            guard let latest = runDir.checkpointFiles().last else {
                throw ValidationError("\(runDir.checkpoints.path): no checkpoint found")
            }
            file = latest.url
        }
        let (state, configuration, _) = try Checkpoint.load(file)
        let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data ?? configuration.dataDirectory))
        guard dataset.vocabulary.count == configuration.vocabularySize else {
            throw ValidationError("\(dataset.directory.path) has vocabulary \(dataset.vocabulary.count), the checkpoint \(configuration.vocabularySize)")
        }
        Engine.setThreads(configuration.threads)
        var random = RandomSource(seed: seed)
        for ids in state.generator.sampleTokenIDs(count: n, batch: configuration.batch, using: &random) {
            print(dataset.vocabulary.decode(ids: ids.map { TokenID($0) }))
        }
    }
}
