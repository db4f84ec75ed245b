import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Tensors
import TrainingRuns

struct ImageTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DCGAN under TTUR or the original single learning rate, logging FID.",
        discussion: """
            TTUR (default): discriminator lr 1e-4, generator lr 5e-4 (the paper's CIFAR-10 \
            setting); orig: 1e-4 for both. Adam β1 = 0.5. Every --fid-every iterations, \
            --fid-samples generated images are scored by FID against the real data's feature \
            statistics (computed once and cached as .npz under ~/.cache/ttur-text), an image \
            grid goes to RUN/samples/, and a line to RUN/log.jsonl. FID features come from \
            pytorch-fid's Inception-v3 with --fid-weights PTH, else from ttur-text's feature \
            classifier (--features FILE; for Fashion-MNIST a committed one by default). The \
            log keys FID by network (fid.inception / fid.classifier): the two are never mixed. \
            Checkpoints every --checkpoint-every iterations and on exit, including Ctrl-C \
            (exit 130) and SIGTERM (143); --resume continues exactly.
            """
    )

    @OptionGroup var data: DatasetOptions
    @OptionGroup var runOptions: RunOptions
    @Option(help: "Update schedule: ttur or orig.") var schedule: ImageSchedule = .ttur
    @Option(help: "Discriminator learning rate (default: the schedule's).") var lrD: Float?
    @Option(help: "Generator learning rate (default: the schedule's).") var lrG: Float?
    @Option(help: "Image size, a power of two ≥ 8 (default: 32 for IDX/CIFAR data, 64 for folders).") var size: Int?
    @Option(help: "Network width (DCGAN's gf_dim and df_dim).") var width = 64
    @Option(help: "Batch size.") var batch = 64
    @OptionGroup var evaluation: ImageEvaluationOptions

    func validate() throws {
        if width < 1 { throw ValidationError("--width must be at least 1") }
        if batch < 2 { throw ValidationError("--batch must be at least 2 (batch norm)") }
        if let size, !DCGANShape(imageSize: size).isValid { throw ValidationError("--size must be a power of two ≥ 8") }
    }

    func run() throws {
        try TrainingConsole.asRank {
            var images: ImageDataset?  // a new run's images, loaded once for their channels and for training
            let trainer: Trainer<DCGAN> = try runOptions.trainer(
                new: {
                    let spec = try DatasetSpec(parsing: data.dataset)
                    let side = size ?? spec.defaultSize
                    images = try data.load(.train, size: side)
                    return try configuration(spec: spec, size: side, channels: images!.channels)
                },
                in: runOptions.directory(for: DCGAN.self, prefix: "image-", schedule: schedule.rawValue),
                context: { try ImageEvaluationOptions.trainingData($0.gan.evaluation, size: $0.gan.model.imageSize, loaded: images,
                                                                    maxImages: data.maxImages) })
            try TrainingConsole.train(trainer, command: "ttur-text image train") { try ImageEvaluationOptions.printScores($0) }
        }
    }

    /// A new run's configuration: the schedule's settings, then the flags.
    private func configuration(spec: DatasetSpec, size side: Int, channels: Int) throws -> DCGANConfiguration {
        var s = DCGANSettings(schedule: schedule)
        if let lrD { s.discriminatorLearningRate = lrD }
        if let lrG { s.generatorLearningRate = lrG }
        s.model = DCGANShape(imageSize: side, channels: channels, generatorWidth: width, discriminatorWidth: width)
        s.evaluation = try evaluation.settings(data, spec: spec)
        return DCGANConfiguration(run: runOptions.settings(batch: batch, evalEvery: evaluation.fidEvery), gan: s)
    }
}
