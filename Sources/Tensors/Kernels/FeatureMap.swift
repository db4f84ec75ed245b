import Foundation

/// Forward-only inference kernels on channels-last feature maps (FID's Inception network
/// runs on them): convolutions with rectangular kernels, asymmetric padding and a fused
/// bias + ReLU epilogue written at a channel offset (`Inference+Convolution.swift`),
/// 3×3 pooling and bilinear resizing (`Inference+Pooling.swift`). No autograd: these work on
/// `FeatureMap`s, not `Tensor`s; their GEMMs go through `sgemm` and their loops over the
/// engine's threads (`parallelRanges`).
public enum Inference {}

/// A batch of feature maps, channels-last (NHWC) in one owned buffer, so that a 1×1
/// convolution is a single GEMM over `batch·height·width` rows and concatenation along
/// channels is writing at a column offset.
public final class FeatureMap {
    public let batch: Int
    public let height: Int
    public let width: Int
    public let channels: Int
    public let pointer: UnsafeMutablePointer<Float>
    private let capacity: Int
    private let pool: Inference.FeatureMapPool?

    /// Uninitialised storage (every kernel writing a map covers all of its elements), taken
    /// from the current thread's pool (`Inference.Context`) when it has one.
    public init(batch: Int, height: Int, width: Int, channels: Int) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        capacity = max(batch * height * width * channels, 1)
        pool = Inference.Context.current?.pool
        pointer = pool?.take(capacity) ?? .allocate(capacity: capacity)
    }

    deinit {
        if let pool { pool.give(pointer, capacity: capacity) } else { pointer.deallocate() }
    }

    /// Rows of the NHWC matrix view: one per pixel.
    public var pixels: Int { batch * height * width }
    public var count: Int { pixels * channels }

    /// Spatial mean per image and channel, `[batch × channels]` (AdaptiveAvgPool2d(1)).
    public func spatialMean() -> [Float] {
        var out = [Float](repeating: 0, count: batch * channels)
        let area = height * width
        out.withUnsafeMutableBufferPointer { result in
            let result = result
            parallelRanges(batch) { images in
                for image in images {
                    var sums = [Double](repeating: 0, count: channels)
                    for pixel in 0..<area {
                        let row = pointer + (image * area + pixel) * channels
                        for channel in 0..<channels { sums[channel] += Double(row[channel]) }
                    }
                    for channel in 0..<channels { result[image * channels + channel] = Float(sums[channel] / Double(area)) }
                }
            }
        }
        return out
    }
}

extension Inference {
    /// Large buffers recycled between layers: fresh allocations of this size are mmap'ed and
    /// page-faulted in anew each time, which costs more than the pooling and padding layers.
    /// Used by one thread at a time (unlike `Storage`'s locked, exact-size `BufferPool`).
    public final class FeatureMapPool {
        private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

        public init() {}

        func take(_ capacity: Int) -> UnsafeMutablePointer<Float> {
            // Smallest free buffer that fits, so big ones stay for big maps.
            var best: Int?
            for (index, buffer) in free.enumerated() where buffer.capacity >= capacity {
                if best == nil || buffer.capacity < free[best!].capacity { best = index }
            }
            if let best { return free.remove(at: best).pointer }
            return .allocate(capacity: capacity)
        }

        func give(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
            free.append((pointer, capacity))
        }

        deinit {
            for buffer in free { buffer.pointer.deallocate() }
        }
    }

    /// Per-thread inference settings: the feature-map pool, and whether the kernels' loops must
    /// stay on this thread (it is one of several data-parallel workers).
    public final class Context {
        let pool: FeatureMapPool
        let serial: Bool

        public init(pool: FeatureMapPool, serial: Bool) {
            self.pool = pool
            self.serial = serial
        }

        private static let key = "ttur-text.Tensors.Inference.Context"

        static var current: Context? { Thread.current.threadDictionary[key] as? Context }

        /// Runs `body` with `context` installed on this thread.
        public static func with<T>(_ context: Context, _ body: () throws -> T) rethrows -> T {
            let previous = Thread.current.threadDictionary[key]
            Thread.current.threadDictionary[key] = context
            defer { Thread.current.threadDictionary[key] = previous }
            return try body()
        }
    }
}
