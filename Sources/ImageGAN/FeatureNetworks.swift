import Basics
import FID
import Foundation
import Layers
import Tensors

/// A network that turns images into the feature vectors whose Gaussian statistics FID
/// compares. Numbers from different networks are different quantities: `tag` names the
/// network in logs ("fid/classifier", "fid/inception") so they are never mixed.
public protocol FIDFeatureNetwork {
    var kind: FeatureNetworkKind { get }
    /// Which weights: kind, file and SHA-256 prefix, for logs and cache keys.
    var identity: String { get }
    var dimensions: Int { get }
    /// images [count, size, size, channels] in [−1, 1] → [count × dimensions].
    func features(_ images: [Float], count: Int, size: Int, channels: Int) -> [Float]
}

extension FIDFeatureNetwork {
    public var tag: String { "fid/\(kind.rawValue)" }
}

/// An error about FID feature networks and statistics, naming the file.
public struct ImageGANError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The feature classifier's file: its weights (PyTorch layout) and, in the metadata, its shape,
/// the data it was trained on and its test accuracy.
public enum FeatureClassifierFile {
    public static let formatName = "ttur-text feature classifier 1"

    public static func save(_ classifier: FeatureClassifier, dataset: String, testAccuracy: Double, to url: URL) throws {
        var tensors: [String: SafeTensorsEntry] = [:]
        for (name, entry) in classifier.torchState() {
            tensors[name] = SafeTensorsEntry(floats: entry.values, shape: entry.shape)
        }
        let metadata = [
            "format": formatName,
            "shape": String(decoding: try JSONEncoder().encode(classifier.shape), as: UTF8.self),
            "dataset": dataset,
            "test_accuracy": String(testAccuracy),
        ]
        try SafeTensorsFile(tensors: tensors, metadata: metadata).write(to: url, checksummed: true)
    }

    /// The classifier, the file's metadata, and the SHA-256 of its bytes (read once).
    /// - throws: `ImageGANError` naming the file for anything unreadable or mismatched.
    public static func load(_ url: URL) throws
        -> (classifier: FeatureClassifier, metadata: [String: String], sha256: String) {
        let file: SafeTensorsFile, digest: String
        do {
            let bytes: Data
            do { bytes = try FileBytes.mapped(url) } catch {
                throw LocatedError(file: url.path, "cannot read: \(error.localizedDescription)")
            }
            digest = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            file = try SafeTensorsFile(data: bytes, name: url.path)
        } catch {
            throw ImageGANError("\(url.path): not a readable feature-classifier file (\(error))")
        }
        guard file.metadata["format"] == formatName,
              let shapeText = file.metadata["shape"],
              let shape = try? JSONDecoder().decode(FeatureClassifier.Shape.self, from: Data(shapeText.utf8)),
              (1...4096).contains(shape.imageSize), [1, 3].contains(shape.channels), (2...10_000).contains(shape.classes),
              (1...4096).contains(shape.width), (1...65_536).contains(shape.featureCount) else {
            throw ImageGANError("\(url.path): not a ttur-text feature-classifier file")
        }
        var random = RandomSource(seed: 0)
        let classifier = FeatureClassifier(shape, random: &random)
        var state: TorchState = [:]
        for (name, entry) in file.tensors where entry.dtype == .float32 { state[name] = (entry.shape, entry.floats()) }
        do { try classifier.load(torchState: state) } catch {
            throw ImageGANError("\(url.path): \(error)")
        }
        return (classifier, file.metadata, digest)
    }
}

/// FID features from ttur-text's classifier: its 128 ReLU features before the class layer.
public struct ClassifierFeatureNetwork: FIDFeatureNetwork {
    public let classifier: FeatureClassifier
    public let identity: String
    public var kind: FeatureNetworkKind { .classifier }
    public var dimensions: Int { classifier.shape.featureCount }

    public init(weights url: URL) throws {
        let (classifier, metadata, digest) = try FeatureClassifierFile.load(url)
        self.classifier = classifier
        identity = "classifier trained on \(metadata["dataset"] ?? "?") (\(url.lastPathComponent), sha256 \(digest.prefix(12)))"
    }

    public func features(_ images: [Float], count: Int, size: Int, channels: Int) -> [Float] {
        precondition(size == classifier.shape.imageSize && channels == classifier.shape.channels)
        var out: [Float] = []
        out.reserveCapacity(count * dimensions)
        let per = size * size * channels
        for start in stride(from: 0, to: count, by: 256) {
            let n = min(256, count - start)
            let batch = Tensor(Array(images[(start * per)..<((start + n) * per)]), shape: [n, size, size, channels])
            out += withoutGrad { classifier.features(batch) }.scalars
        }
        return out
    }
}

/// FID features from pytorch-fid's Inception-v3 (2048 pool features): images become 8-bit
/// RGB (grey replicated), then are resized to 299×299 as pytorch-fid does.
public struct InceptionFeatureNetwork: FIDFeatureNetwork {
    public let network: FIDInceptionV3
    public let identity: String
    public var kind: FeatureNetworkKind { .inception }
    public var dimensions: Int { 2048 }

    public init(weights url: URL) throws {
        do { network = try FIDInceptionV3(weights: url) } catch {
            throw ImageGANError("\(url.path): cannot load Inception weights: \(error)")
        }
        // init(weights:) hashed the file while reading it.
        identity = "pytorch-fid Inception-v3 (\(url.lastPathComponent), sha256 \((network.weightsSHA256 ?? "?").prefix(12)))"
    }

    public func features(_ images: [Float], count: Int, size: Int, channels: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(count * dimensions)
        let per = size * size * channels
        for start in stride(from: 0, to: count, by: 50) {
            let n = min(50, count - start)
            var rgb = [UInt8](repeating: 0, count: n * size * size * 3)
            for pixel in 0..<(n * size * size) {
                for c in 0..<3 {
                    let value = images[start * per + pixel * channels + (channels == 1 ? 0 : c)]
                    rgb[pixel * 3 + c] = UInt8(max(0, min(255, ((value + 1) * 127.5).rounded())))
                }
            }
            let block = FIDInceptionV3.block(forDimensions: 2048)!
            out += rgb.withUnsafeBufferPointer {
                network.features($0, count: n, height: size, width: size, blocks: [block])[block]!
            }
        }
        return out
    }
}
