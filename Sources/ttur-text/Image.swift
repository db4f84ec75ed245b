import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Layers
import Tensors
import TrainingRuns

struct Image: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Image mode: DCGAN under TTUR or one learning rate, scored by FID.",
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
        let data = try DatasetSpec(parsing: dataset).load(split: split, imageSize: size, bound: ImageDataBound(maxImages: maxImages))
        guard let limit, limit < data.count else { return data }
        let bytes = limit * data.height * data.width * data.channels
        return try ImageDataset(name: "\(data.name) (first \(limit))", count: limit, height: data.height, width: data.width,
                                channels: data.channels, pixels: Array(data.pixels.prefix(bytes)),
                                labels: data.labels.map { Array($0.prefix(limit)) }, classCount: data.classCount,
                                classNames: data.classNames)
    }
}

extension ImageDataset: TrainingImages {}

extension DatasetSpec {
    /// The GAN's image size when --size is not given: 32 for the small-image formats
    /// (Fashion-MNIST's 28 is padded), 64 for folders of photographs.
    var defaultSize: Int {
        if case .folder = self { return 64 }
        return 32
    }

    var isFashionMNIST: Bool {
        if case .fashionMNIST = self { return true }
        return false
    }
}

/// The committed classifier for Fashion-MNIST, found beside the executable (SwiftPM's
/// resource bundle) or in the source tree.
enum DefaultFeatureWeights {
    static let fileName = "fashion-mnist-classifier.safetensors"

    static func locate() -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            executable.appendingPathComponent("ttur-text_ImageGAN.resources/\(fileName)"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("ImageGAN/Resources/\(fileName)"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
