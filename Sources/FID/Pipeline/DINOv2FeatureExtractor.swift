import Foundation
import ImageData
import Tensors

/// FD-DINOv2's features, with dgm-eval's conventions (Stein et al. 2023): each image resized
/// to 224×224 by Pillow's bicubic filter (`PILResize`, what torchvision's `Resize` does to a
/// PIL image), scaled to [0, 1], normalised by ImageNet's mean and standard deviation, and the
/// DINOv2 ViT's class token after its final norm (1024 features for ViT-L/14).
///
/// ```swift
/// let extractor = try DINOv2FeatureExtractor(weights: URL(fileURLWithPath: "dinov2_vitl14_pretrain.pth"))
/// let statistics = try extractor.measure(images, keepingFeatures: false, weightsSHA256: nil, progress: nil).statistics
/// ```
public struct DINOv2FeatureExtractor: ImageFeatureExtractor {
    public let network: VisionTransformer
    public let weightsSHA256: String?
    public static let inputSize = 224
    static let mean: [Float] = [0.485, 0.456, 0.406], deviation: [Float] = [0.229, 0.224, 0.225]

    public var dimensions: Int { network.width }

    /// DINOv2's weights (the torch hub `.pth`, or safetensors under the same names), in heads
    /// of 64 channels, as every DINOv2 size has them.
    /// - throws: `LocatedError` naming the file for missing or mis-shaped weights.
    public init(weights url: URL) throws {
        network = try VisionTransformer(weights: url)
        weightsSHA256 = try? SHA256.hex(SHA256.hash(data: FileBytes.mapped(url)))
    }

    /// The network's input for one image: [3, 224, 224], normalised.
    public static func input(_ image: RGBImage) -> [Float] {
        let size = inputSize
        let resized = PILResize.resize(image.pixels, width: image.width, height: image.height, toWidth: size, toHeight: size)
        var out = [Float](repeating: 0, count: 3 * size * size)
        for y in 0..<size {
            for x in 0..<size {
                for c in 0..<3 {
                    out[(c * size + y) * size + x] = (Float(resized[(y * size + x) * 3 + c]) / 255 - mean[c]) / deviation[c]
                }
            }
        }
        return out
    }

    public func measure(_ images: ImageCollection, keepingFeatures: Bool, weightsSHA256: String? = nil,
                        progress: ((Int, Int) -> Void)? = nil) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        try ImageByImage.measure(images, dimensions: dimensions, keepingFeatures: keepingFeatures, provenance: [
            "preprocessing": "Pillow bicubic resize to 224×224, x/255, ImageNet mean and standard deviation (dgm-eval)",
            "network": "DINOv2 ViT/\(network.patch), \(dimensions) features (class token after the final norm)",
            "weights_sha256": weightsSHA256 ?? self.weightsSHA256,
        ], progress: progress) { network.features(Self.input($0), size: Self.inputSize) }
    }
}

/// Features computed one image at a time (the transformer extractors), accumulated into
/// statistics (and kept, when asked) with the provenance every ttur-text statistics file carries.
enum ImageByImage {
    static func measure(_ images: ImageCollection, dimensions: Int, keepingFeatures: Bool, provenance: [String: String?],
                        progress: ((Int, Int) -> Void)?, features: (RGBImage) throws -> [Float]) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        var accumulator = StatisticsAccumulator(dimensions: dimensions)
        var kept: [Float] = []
        for index in 0..<images.count {
            let values = try features(try images.image(at: index))
            values.withUnsafeBufferPointer { accumulator.add($0, rows: 1) }
            if keepingFeatures { kept += values }
            progress?(index + 1, images.count)
        }
        var recorded = provenance.compactMapValues { $0 }
        (recorded["source"], recorded["producer"]) = (images.source, "ttur-text")
        return (accumulator.statistics(provenance: recorded),
                keepingFeatures ? try FeatureSet(kept, dimensions: dimensions, source: images.source) : nil)
    }
}
