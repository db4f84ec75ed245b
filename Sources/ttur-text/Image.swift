import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Layers
import Tensors
import TrainingRuns

struct Image: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image mode: DCGAN or WGAN-GP under TTUR or the original schedule, scored by FID.",
        discussion: """
            Datasets (--dataset): fashion-mnist (default; Debian's dataset-fashion-mnist), \
            fashion-mnist:DIR, idx:IMAGES[,LABELS] (MNIST format, plain or .gz), cifar10:DIR \
            (cifar-10-batches-bin) and folder:DIR (PNG/JPEG, resized and centre-cropped).
            """,
        subcommands: [ImageTrain.self, ImageSample.self, ImageFeatures.self]
    )
}

/// Options naming the data, shared by the image subcommands.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Dataset: fashion-mnist, fashion-mnist:DIR, idx:IMAGES[,LABELS], cifar10:DIR or folder:DIR.")
    var dataset = "fashion-mnist"
    @Option(help: "Use only the first N images (quick experiments and tests).")
    var limit: Int?
    @Option(help: "Refuse data holding more than N images (image data beyond 16 GiB, or ¾ of memory, is refused in any case).")
    var maxImages: Int?

    init() {}

    /// The options a run saved, and this command's bound.
    init(dataset: String, limit: Int?, maxImages: Int? = nil) {
        self.dataset = dataset
        self.limit = limit
        self.maxImages = maxImages
    }

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let maxImages, maxImages < 1 { throw ValidationError("--max-images must be at least 1") }
    }

    func load(_ split: DatasetSplit, size: Int) throws -> ImageDataset {
        try DatasetSpec(parsing: dataset).load(split: split, imageSize: size, bound: ImageDataBound(maxImages: maxImages),
                                               limit: limit)
    }
}
