import CBLAS
import Basics
import Foundation
import ImageData
import Tensors

/// The FID Inception-v3 exactly as pytorch-fid builds it (`InceptionV3(use_fid_inception=True)`):
/// torchvision's Inception-v3 trunk with the FID variants of the A/C/E blocks (average pools
/// with count_include_pad=False, a max pool in Mixed_7c), batch-norm in eval mode, no
/// classifier. Outputs at its four blocks: 64 (after the first max pool), 192 (after the
/// second), 768 (after Mixed_6e) and 2048 features (pool3, after the final average pool),
/// each averaged over space.
///
/// ```swift
/// let network = try FIDInceptionV3(weights: URL(fileURLWithPath: "pt_inception-2015-12-05-6726825d.pth"))
/// let pool3 = network.features(images, count: 50, height: 64, width: 64, blocks: [3])[3]!   // [50 × 2048]
/// ```
public final class FIDInceptionV3 {
    /// Feature widths of the four output blocks.
    public static let blockDimensions = [64, 192, 768, 2048]

    /// SHA-256 of the weights file (hex), for provenance.
    public let weightsSHA256: String?
    /// How images are resized to 299×299 (pytorch-fid's bilinear unless set to clean-fid's).
    public var resize: FIDResize = .pytorchFID

    private let conv1a, conv2a, conv2b, conv3b, conv4a: Inference.Convolution
    private let mixed5: [InceptionA]
    private let mixed6a: InceptionB
    private let mixed6: [InceptionC]
    private let mixed7a: InceptionD
    private let mixed7: [InceptionE]
    /// One buffer pool per data-parallel worker, kept between batches.
    private let pools = (0..<64).map { _ in Inference.FeatureMapPool() }

    /// Builds the network from a state dict with pytorch-fid's parameter names.
    /// - throws: `LocatedError` naming the first missing or mis-shaped tensor.
    public convenience init(tensors: [String: SafeTensorsEntry], weightsSHA256: String? = nil) throws {
        try self.init(WeightSource(tensors: tensors), weightsSHA256: weightsSHA256)
    }

    /// The architecture with seeded random weights in the ranges fid_torch.py uses (He-normal
    /// convolutions, batch-norm statistics near identity): for benchmarks, not for scores.
    public static func randomlyInitialised(seed: UInt64) -> FIDInceptionV3 {
        var generator = RandomSource(seed: seed)
        func uniform() -> Double { generator.nextUniform() }
        func normal() -> Double { generator.nextNormal() }
        let source = WeightSource { name, shape in
            let count = shape.reduce(1, *)
            if shape.count == 4 {
                let std = (2.0 / Double(shape[1] * shape[2] * shape[3])).squareRoot()
                return (0..<count).map { _ in Float(normal() * std) }
            }
            if name.hasSuffix("running_var") { return (0..<count).map { _ in Float(0.5 + uniform()) } }
            if name.hasSuffix("running_mean") { return (0..<count).map { _ in Float(0.1 * normal()) } }
            if name.hasSuffix("bn.weight") { return (0..<count).map { _ in Float(0.8 + 0.4 * uniform()) } }
            return (0..<count).map { _ in Float(0.05 * normal()) }
        }
        // The random source cannot fail.
        return try! FIDInceptionV3(source, weightsSHA256: nil)
    }

    init(_ w: WeightSource, weightsSHA256: String?) throws {
        _ = Engine.blasCore   // OpenBLAS's fast kernels even where it misdetects the CPU
        conv1a = try w.convolution("Conv2d_1a_3x3", 3, 32, kernel: 3, stride: 2)
        conv2a = try w.convolution("Conv2d_2a_3x3", 32, 32, kernel: 3)
        conv2b = try w.convolution("Conv2d_2b_3x3", 32, 64, kernel: 3, padding: 1)
        conv3b = try w.convolution("Conv2d_3b_1x1", 64, 80, kernel: 1)
        conv4a = try w.convolution("Conv2d_4a_3x3", 80, 192, kernel: 3)
        mixed5 = [try InceptionA(w, "Mixed_5b", inChannels: 192, poolFeatures: 32),
                  try InceptionA(w, "Mixed_5c", inChannels: 256, poolFeatures: 64),
                  try InceptionA(w, "Mixed_5d", inChannels: 288, poolFeatures: 64)]
        mixed6a = try InceptionB(w, "Mixed_6a", inChannels: 288)
        mixed6 = [try InceptionC(w, "Mixed_6b", inChannels: 768, channels7x7: 128),
                  try InceptionC(w, "Mixed_6c", inChannels: 768, channels7x7: 160),
                  try InceptionC(w, "Mixed_6d", inChannels: 768, channels7x7: 160),
                  try InceptionC(w, "Mixed_6e", inChannels: 768, channels7x7: 192)]
        mixed7a = try InceptionD(w, "Mixed_7a", inChannels: 768)
        mixed7 = [try InceptionE(w, "Mixed_7b", inChannels: 1280, maxPool: false),
                  try InceptionE(w, "Mixed_7c", inChannels: 2048, maxPool: true)]
        self.weightsSHA256 = weightsSHA256
    }

    /// Loads a torch checkpoint (pytorch-fid's `pt_inception-2015-12-05-6726825d.pth` or one
    /// of the same architecture). When the file name carries torch hub's hash prefix
    /// (`NAME-<hex>.pth`), the file's SHA-256 must start with it.
    /// - throws: `LocatedError` for unreadable weights or a hash mismatch.
    public convenience init(weights url: URL) throws {
        let data = try FileBytes.read(url, what: "the weights")
        let digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        if let prefix = Self.hashPrefix(inFileName: url.lastPathComponent), !digest.hasPrefix(prefix) {
            throw LocatedError(file: url.path, "SHA-256 \(digest) does not start with \(prefix), the prefix its name carries: the file is corrupt or not the released weights")
        }
        let checkpoint = try TorchCheckpoint(contentsOf: url)
        do {
            try self.init(tensors: checkpoint.tensors, weightsSHA256: digest)
        } catch let error as LocatedError {
            throw error.inFile(url.path)
        }
    }

    /// torch hub's convention: `name-<first 8+ hex digits of the SHA-256>.ext`.
    static func hashPrefix(inFileName name: String) -> String? {
        let stem = name.split(separator: ".").first.map(String.init) ?? name
        guard let last = stem.split(separator: "-").last, stem.contains("-"), last.count >= 8,
              last.allSatisfy({ $0.isHexDigit && ($0.isNumber || $0.isLowercase) }) else { return nil }
        return String(last)
    }

    /// The block (0–3) whose output has `dimensions` features.
    public static func block(forDimensions dimensions: Int) -> Int? {
        blockDimensions.firstIndex(of: dimensions)
    }

    /// Spatially averaged outputs of the requested blocks for a batch of uint8 RGB images
    /// (`[count, height, width, 3]`), preprocessed as pytorch-fid does. Returns
    /// block → `[count × blockDimensions[block]]` row-major.
    public func features(_ images: UnsafeBufferPointer<UInt8>, count: Int, height: Int, width: Int,
                         blocks: Set<Int>) -> [Int: [Float]] {
        precondition(images.count >= count * height * width * 3, "image buffer too small")
        let input = FeatureMap(batch: count, height: Preprocessing.size, width: Preprocessing.size, channels: 3)
        for index in 0..<count {
            Preprocessing.resizeAndNormalise(images.baseAddress! + index * height * width * 3, height: height, width: width,
                                             into: input, at: index, resize: resize)
        }
        return forward(input, blocks: blocks)
    }

    /// The same for images of any sizes (each is resized to 299×299 on its own).
    public func features(_ images: [RGBImage], blocks: Set<Int>) -> [Int: [Float]] {
        let input = FeatureMap(batch: images.count, height: Preprocessing.size, width: Preprocessing.size, channels: 3)
        for (index, image) in images.enumerated() {
            image.pixels.withUnsafeBufferPointer {
                Preprocessing.resizeAndNormalise($0.baseAddress!, height: image.height, width: image.width, into: input, at: index,
                                                 resize: resize)
            }
        }
        return forward(input, blocks: blocks)
    }

    /// One image at a time on each kernel thread, with single-threaded OpenBLAS: no thread
    /// waits on another between layers, each image's activations stay small enough for the
    /// caches, and every image goes through exactly the same sequence of GEMM calls whatever
    /// the batch around it, so its features are bit-for-bit independent of batch size and
    /// order (statistics then differ only by float64 summation order).
    func forward(_ input: FeatureMap, blocks: Set<Int>) -> [Int: [Float]] {
        let workers = max(1, min(Engine.threads, input.batch, pools.count))
        let blasThreads = openblas_get_num_threads()
        openblas_set_num_threads(1)
        defer { openblas_set_num_threads(blasThreads) }
        let imageSize = input.height * input.width * input.channels
        var perImage = [[Int: [Float]]](repeating: [:], count: input.batch)
        perImage.withUnsafeMutableBufferPointer { results in
            let results = results
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                Inference.Context.with(Inference.Context(pool: pools[worker], serial: true)) {
                    for image in stride(from: worker, to: input.batch, by: workers) {
                        let single = FeatureMap(batch: 1, height: input.height, width: input.width, channels: input.channels)
                        single.pointer.update(from: input.pointer + image * imageSize, count: imageSize)
                        results[image] = forwardBatch(single, blocks: blocks)
                    }
                }
            }
        }
        var merged: [Int: [Float]] = [:]
        for block in blocks { merged[block] = perImage.flatMap { $0[block] ?? [] } }
        return merged
    }

    private func forwardBatch(_ input: FeatureMap, blocks: Set<Int>) -> [Int: [Float]] {
        precondition(!blocks.isEmpty && blocks.isSubset(of: [0, 1, 2, 3]))
        var outputs: [Int: [Float]] = [:]
        let last = blocks.max()!
        var x = conv2b(conv2a(conv1a(input)))
        x = maxPool(x)
        if blocks.contains(0) { outputs[0] = x.spatialMean() }
        if last == 0 { return outputs }
        x = maxPool(conv4a(conv3b(x)))
        if blocks.contains(1) { outputs[1] = x.spatialMean() }
        if last == 1 { return outputs }
        for block in mixed5 { x = block(x) }
        x = mixed6a(x)
        for block in mixed6 { x = block(x) }
        if blocks.contains(2) { outputs[2] = x.spatialMean() }
        if last == 2 { return outputs }
        x = mixed7a(x)
        for block in mixed7 { x = block(x) }
        outputs[3] = x.spatialMean()
        return outputs
    }

    private func maxPool(_ x: FeatureMap) -> FeatureMap {
        let size = Inference.pool3x3OutputSize(x.height, stride: 2, padding: 0)
        let out = FeatureMap(batch: x.batch, height: size, width: Inference.pool3x3OutputSize(x.width, stride: 2, padding: 0),
                             channels: x.channels)
        Inference.maxPool3x3(x, stride: 2, padding: 0, into: out, channelOffset: 0)
        return out
    }
}
