import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Tensors
import TrainingRuns

struct ImageSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write a grid of generated images from an image run's checkpoint as PNG."
    )

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(name: .short, help: "Number of images.") var n = 64
    @Option(help: "Output PNG.") var out = "grid.png"

    func validate() throws {
        guard (1...10_000).contains(n) else { throw ValidationError("-n must be between 1 and 10000") }
    }

    func run() throws {
        let (state, c, file, progress) = try checkpoint.load(DCGAN.self) { DCGANState(configuration: $0) }
        var random = RandomSource(seed: checkpoint.seed)
        let images = state.generate(count: n, batch: c.run.batch, using: &random)
        let url = URL(fileURLWithPath: out)
        let model = c.gan.model
        try ImageGrid(images: images, count: n, height: model.imageSize, width: model.imageSize,
                      channels: model.channels).write(to: url)
        print("\(url.path): \(n) images from \(file.lastPathComponent) (iteration \(progress.iteration))")
    }
}
