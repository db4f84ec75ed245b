import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Layers
import Tensors
import TrainingRuns

struct ImageSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a grid of generated images from an image run's checkpoint as PNG."
    )

    @Option(name: .customLong("run"), help: "Run directory.") var runDirectory: String
    @Option(help: "Checkpoint file (default: the run's newest).") var checkpoint: String?
    @Option(name: .short, help: "Number of images.") var n = 64
    @Option(help: "Output PNG.") var out = "grid.png"
    @Option(help: "Random seed for the generator's noise.") var seed: UInt64 = 0

    func validate() throws {
        guard (1...10_000).contains(n) else { throw ValidationError("-n must be between 1 and 10000") }
    }

    func run() throws {
        let run = ImageGANTrainer.runDirectory(URL(fileURLWithPath: runDirectory))
        let file: URL
        if let checkpoint {
            file = URL(fileURLWithPath: checkpoint)
        } else {
            guard let latest = run.checkpointFiles().last else {
                throw ValidationError("\(run.checkpoints.path): no checkpoint found")
            }
            file = latest.url
        }
        let (state, c, progress) = try ImageCheckpoint.load(file)
        Engine.setThreads(c.threads)
        var random = RandomSource(seed: seed)
        let images = state.generate(count: n, batch: c.batch, using: &random)
        let url = URL(fileURLWithPath: out)
        try ImageGrid(images: images, count: n, height: c.model.imageSize, width: c.model.imageSize,
                      channels: c.model.channels).write(to: url)
        print("\(url.path): \(n) images from \(file.lastPathComponent) (iteration \(progress.iteration))")
    }
}
