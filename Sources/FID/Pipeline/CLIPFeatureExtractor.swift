import Foundation
import ImageData
import Tensors

/// CMMD's image embeddings, with the paper code's conventions (google-research/cmmd): the
/// centred square of each image resized to CLIP's input size by Pillow's bicubic filter
/// (`PILResize`), scaled to [0, 1], normalised by CLIP's mean and standard deviation, and
/// CLIP's unit-length projected embedding (768 values for ViT-L/14-336).
public struct CLIPFeatureExtractor: ImageFeatureExtractor {
    public let network: CLIPImageEncoder
    public let weightsSHA256: String?

    public var dimensions: Int { network.outputs }

    /// - throws: `LocatedError` naming the file for missing or mis-shaped weights.
    public init(weights url: URL) throws {
        network = try CLIPImageEncoder(weights: url)
        weightsSHA256 = try? SHA256.hex(SHA256.hash(data: FileBytes.mapped(url)))
    }

    /// The network's input for one image: [3, size, size], normalised.
    public static func input(_ image: RGBImage, size: Int) -> [Float] {
        let side = min(image.width, image.height)
        let left = (image.width - side) / 2, top = (image.height - side) / 2
        var square = [UInt8](repeating: 0, count: side * side * 3)
        for y in 0..<side {
            for x in 0..<side {
                for c in 0..<3 { square[(y * side + x) * 3 + c] = image.pixels[((top + y) * image.width + left + x) * 3 + c] }
            }
        }
        let resized = PILResize.resize(square, width: side, height: side, toWidth: size, toHeight: size)
        var out = [Float](repeating: 0, count: 3 * size * size)
        for y in 0..<size {
            for x in 0..<size {
                for c in 0..<3 {
                    out[(c * size + y) * size + x] = (Float(resized[(y * size + x) * 3 + c]) / 255 - CLIPImageEncoder.mean[c]) / CLIPImageEncoder.deviation[c]
                }
            }
        }
        return out
    }

    public func measure(_ images: ImageCollection, keepingFeatures: Bool, weightsSHA256: String? = nil,
                        progress: ((Int, Int) -> Void)? = nil) throws -> (statistics: FeatureStatistics, features: FeatureSet?) {
        let size = network.imageSize
        return try ImageByImage.measure(images, dimensions: dimensions, keepingFeatures: keepingFeatures, provenance: [
            "preprocessing": "centre square, Pillow bicubic resize to \(size)×\(size), x/255, CLIP mean and standard deviation (CMMD)",
            "network": "CLIP image tower ViT/\(network.patch)-\(size), \(dimensions) unit-length embeddings",
            "weights_sha256": weightsSHA256 ?? self.weightsSHA256,
        ], progress: progress) { network.embed(Self.input($0, size: size), size: size) }
    }
}
