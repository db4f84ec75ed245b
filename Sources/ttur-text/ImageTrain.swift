import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Tensors
import TrainingRuns

extension ImageModel: ExpressibleByArgument {}

struct ImageTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DCGAN or WGAN-GP image GAN under TTUR or the original schedule, logging FID.",
        discussion: """
            DCGAN (--model dcgan, default): TTUR (default) discriminator lr 1e-4, generator lr \
            5e-4 (the paper's CIFAR-10 setting); orig 1e-4 for both; Adam β1 = 0.5. WGAN-GP \
            (--model wgan-gp, the paper's residual models): TTUR critic 3e-4, generator 1e-4, \
            one critic step; orig 1e-4 for both, five critic steps; Adam β = (0, 0.9). The run's \
            config.json names its model ("gan"). Every --fid-every iterations, \
            --fid-samples generated images are scored by FID against the real data's feature \
            statistics (computed once and cached as .npz under ~/.cache/ttur-text), an image \
            grid goes to RUN/samples/, and a line to RUN/log.jsonl. FID features come from \
            pytorch-fid's Inception-v3 with --fid-weights PTH, else from ttur-text's feature \
            classifier (--features FILE; for Fashion-MNIST a committed one by default). The \
            log keys FID by network (fid.inception / fid.classifier): the two are never mixed. \
            Checkpoints every --checkpoint-every iterations and on exit, including Ctrl-C \
            (exit 130) and SIGTERM (143); --resume continues exactly. The evaluation with the \
            lowest FID so far is kept as RUN/checkpoints/best.safetensors (never pruned; \
            `image sample` reads it by default).
            """
    )

    @OptionGroup var data: DatasetOptions
    @OptionGroup var runOptions: RunOptions
    @Option(help: "The GAN: dcgan or wgan-gp (the paper's residual WGAN-GP image model; sizes 32 and 64).")
    var model: ImageModel = .dcgan
    @Option(help: "Update schedule: ttur or orig (WGAN-GP: ttur = critic 3e-4, generator 1e-4, one critic step; orig = 1e-4, five).")
    var schedule: Schedule = .ttur
    @Option(help: "Discriminator (critic) learning rate (default: the schedule's).") var lrD: Float?
    @Option(help: "Generator learning rate (default: the schedule's).") var lrG: Float?
    @Option(help: "Image size, a power of two ≥ 8; WGAN-GP 32 or 64 (default: 32 for IDX/CIFAR data, 64 for folders).") var size: Int?
    @Option(help: "DCGAN: network width (gf_dim and df_dim).") var width = 64
    @Option(help: "WGAN-GP: the models' DIM (channels 8·DIM at 4×4).") var dim = 64
    @Option(help: "WGAN-GP: critic steps per iteration (default: the schedule's).") var criticIters: Int?
    @Option(help: "Batch size.") var batch = 64
    @OptionGroup var evaluation: ImageEvaluationOptions

    func validate() throws {
        if width < 1 || dim < 1 { throw ValidationError("--width and --dim must be at least 1") }
        if let criticIters, criticIters < 1 { throw ValidationError("--critic-iters must be at least 1") }
        if batch < 2 { throw ValidationError("--batch must be at least 2 (batch norm)") }
        if let size {
            switch model {
            case .dcgan: if !DCGANShape(imageSize: size).isValid { throw ValidationError("--size must be a power of two ≥ 8") }
            case .wganGP: if size != 32 && size != 64 { throw ValidationError("--size must be 32 or 64 for --model wgan-gp") }
            }
        }
    }

    func run() throws {
        try TrainingConsole.asRank {
            // A resumed run is of the model its checkpoint holds.
            let model = runOptions.resume ? try checkpointModel() : self.model
            switch model {
            case .dcgan:
                try train(DCGAN.self) { side, channels in
                    var s = DCGANSettings(schedule: schedule)
                    if let lrD { s.discriminatorLearningRate = lrD }
                    if let lrG { s.generatorLearningRate = lrG }
                    s.model = DCGANShape(imageSize: side, channels: channels, generatorWidth: width, discriminatorWidth: width)
                    return s
                }
            case .wganGP:
                try train(WGANImage.self) { side, channels in
                    var s = WGANImageSettings(schedule: schedule)
                    if let lrD { s.criticLearningRate = lrD }
                    if let lrG { s.generatorLearningRate = lrG }
                    if let criticIters { s.criticSteps = criticIters }
                    s.shape = ResidualImageShape(imageSize: side, channels: channels, dim: dim)
                    return s
                }
            }
        }
    }

    private func checkpointModel() throws -> ImageModel {
        let file = try Trainer<DCGAN>.runDirectory(URL(fileURLWithPath: runOptions.path!)).checkpoint(at: nil)
        return try ImageModel(kind: try GANCheckpoint.open(file).kind, file: file.path)
    }

    /// Trains (or resumes) a GAN of type `GAN`; `network` gives a new run's network settings
    /// for the image side and channels.
    private func train<GAN: TrainableGAN, Network>(_: GAN.Type, network: (Int, Int) throws -> Network) throws
        where GAN.Settings == ImageGANSettings<Network>, GAN.Context == ImageTrainingData, GAN.Entry == ImageLogEntry {
        var images: ImageDataset?  // a new run's images, loaded once for their channels and for training
        let trainer: Trainer<GAN> = try runOptions.trainer(
            new: {
                let spec = try DatasetSpec(parsing: data.dataset)
                let side = size ?? spec.defaultSize
                images = try data.load(.train, size: side)
                let settings = ImageGANSettings(network: try network(side, images!.channels),
                                                evaluation: try evaluation.settings(data, spec: spec))
                return RunConfiguration(run: try runOptions.settings(batch: batch, evalEvery: evaluation.fidEvery), gan: settings)
            },
            in: runOptions.directory(for: GAN.self, prefix: "image-", schedule: schedule.rawValue),
            context: { try ImageTrainingData.open($0.gan.evaluation, size: $0.gan.imageSize, loaded: images,
                                                   maxImages: data.maxImages, progress: ProgressLine()) })
        try TrainingConsole.train(trainer, command: "ttur-text image train") { try ImageEvaluationOptions.printScores($0) }
    }
}
