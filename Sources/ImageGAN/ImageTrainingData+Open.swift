import Basics
import Foundation
import ImageData
import Tensors

extension ImageDataset: TrainingImages {}

extension ImageTrainingData {
    /// The training images `settings` name (or `loaded`, when the caller has them) and the FID
    /// monitor they ask for, reporting progress while the real statistics are computed the
    /// first time. Only the evaluating process (rank 0 of an MPI job) opens the monitor.
    /// - throws: `LocatedError` for the data or the feature network's weights.
    public static func open(_ settings: ImageEvaluationSettings, size: Int, loaded: ImageDataset? = nil,
                            maxImages: Int? = nil, progress: ProgressReporter) throws -> ImageTrainingData {
        let s = settings
        let images = try loaded ?? DatasetSpec(parsing: s.dataset).load(split: .train, imageSize: size,
                                                                       bound: ImageDataBound(maxImages: maxImages),
                                                                       limit: s.datasetLimit)
        guard !s.featureWeights.isEmpty, Collectives.current.rank == 0 else { return ImageTrainingData(images: images, fid: nil) }
        let url = URL(fileURLWithPath: s.featureWeights)
        let network: FIDFeatureNetwork = s.featureNetwork == .inception
            ? try InceptionFeatureNetwork(weights: url) : try ClassifierFeatureNetwork(weights: url)
        let monitor = try FIDMonitor(network: network, data: images, size: size, realSamples: s.fidRealSamples,
                                     cacheDirectory: FIDMonitor.defaultCacheDirectory, keepingFeatures: s.kidSubsetSize != nil,
                                     precisionRecall: s.precisionRecall == true) {
            progress.update("real statistics: \($0)/\($1) images")
        }
        return ImageTrainingData(images: images, fid: monitor)
    }
}

/// The committed classifier for Fashion-MNIST (this module's resource), found beside the
/// executable (SwiftPM's resource bundle) or in the source tree.
public enum DefaultFeatureWeights {
    public static let fileName = "fashion-mnist-classifier.safetensors"

    public static func locate() -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [
            executable.appendingPathComponent("ttur-text_ImageGAN.resources/\(fileName)"),
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources/\(fileName)"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }
}
