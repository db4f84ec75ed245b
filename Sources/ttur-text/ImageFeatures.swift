import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Layers
import Tensors
import TrainingRuns

struct ImageFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Train the FID feature classifier on a labelled dataset and report its test accuracy.",
        discussion: """
            A small convolutional classifier (three 5×5 stride-2 convolutions, 128 features, \
            a class layer) trained with Adam on the training split and scored on the test split. \
            Its 128 features stand in for Inception's when pytorch-fid's weights are not at \
            hand; FIDs from it are comparable only with each other.
            """
    )

    @OptionGroup var data: DatasetOptions
    @Option(help: "Output weights (safetensors).") var out = "feature-classifier.safetensors"
    @Option(help: "Image size the classifier sees (as the GAN's).") var size: Int?
    @Option(help: "Epochs over the training split.") var epochs = 3
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Adam learning rate.") var lr: Float = 1e-3
    @Option(help: "Threads for the engine.") var threads = 2
    @Option(help: "Random seed.") var seed: UInt64 = 0

    func validate() throws {
        guard epochs >= 1, batch >= 1, threads >= 1, lr > 0 else {
            throw ValidationError("--epochs, --batch, --threads and --lr must be positive")
        }
        if let size, !(8...512).contains(size) { throw ValidationError("--size must be between 8 and 512") }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let spec = try DatasetSpec(parsing: data.dataset)
        let side = size ?? spec.defaultSize
        let train = try data.load(.train, size: side)
        let test = try DatasetOptions(dataset: data.dataset, limit: nil, maxImages: data.maxImages).load(.test, size: side)
        print("training the feature classifier on \(train.count) images of \(train.name), testing on \(test.count)")
        var options = ClassifierTraining.Options()
        options.epochs = epochs
        options.batch = batch
        options.learningRate = lr
        options.imageSize = side
        options.seed = seed
        options.threads = threads
        let line = ProgressLine()
        let (classifier, accuracy) = try ClassifierTraining.train(on: train, test: test, options: options, step: { epoch, index, count, loss in
            line.update(String(format: "epoch %d  batch %d/%d  loss %.4f", epoch, index, count, loss))
        }, epochDone: { report in
            line.finish(String(format: "epoch %d: mean loss %.4f, test accuracy %.2f%% (%.0f s)", report.epoch,
                               report.meanLoss, report.testAccuracy * 100, report.seconds))
        })
        let url = URL(fileURLWithPath: out)
        try FeatureClassifierFile.save(classifier, dataset: data.dataset, testAccuracy: accuracy, to: url)
        print(String(format: "%@: test accuracy %.2f%%", url.path, accuracy * 100))
    }
}
