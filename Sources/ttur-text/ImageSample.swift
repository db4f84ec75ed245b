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
        switch try ImageModel(kind: try GANCheckpoint.open(try checkpoint.file()).kind, file: try checkpoint.file().path) {
        case .dcgan:
            let (state, c, file, progress) = try checkpoint.load(DCGAN.self) { DCGANState(configuration: $0) }
            try write(c, file: file, progress: progress) { state.generate(count: n, batch: c.run.batch, using: &$0) }
        case .wganGP:
            let (state, c, file, progress) = try checkpoint.load(WGANImage.self) { WGANImageGAN(configuration: $0) }
            try write(c, file: file, progress: progress) { state.generate(count: n, batch: c.run.batch, using: &$0) }
        }
    }

    /// A grid of `n` images from `generate` (noise from `--seed`).
    private func write<Network>(_ c: RunConfiguration<ImageGANSettings<Network>>, file: URL, progress: RunProgress,
                                generate: (inout RandomSource) -> [Float]) throws {
        var random = RandomSource(seed: checkpoint.seed)
        let url = URL(fileURLWithPath: out)
        try ImageGrid(images: generate(&random), count: n, height: c.gan.imageSize, width: c.gan.imageSize,
                      channels: c.gan.channels).write(to: url)
        print("\(url.path): \(n) images from \(file.lastPathComponent) (iteration \(progress.iteration))")
    }
}
