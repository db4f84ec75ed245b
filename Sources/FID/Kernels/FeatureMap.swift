import Foundation
import Tensors

/// A batch of feature maps, channels-last (NHWC) in one owned buffer, so that a 1×1
/// convolution is a single GEMM over `batch·height·width` rows and concatenation along
/// channels is writing at a column offset.
final class FeatureMap {
    let batch: Int
    let height: Int
    let width: Int
    let channels: Int
    let pointer: UnsafeMutablePointer<Float>
    private let capacity: Int
    private let pool: BufferPool?

    /// Uninitialised storage (every kernel writing a map covers all of its elements), taken
    /// from the current thread's buffer pool when it has one.
    init(batch: Int, height: Int, width: Int, channels: Int) {
        self.batch = batch
        self.height = height
        self.width = width
        self.channels = channels
        capacity = max(batch * height * width * channels, 1)
        pool = KernelContext.current?.pool
        pointer = pool?.take(capacity) ?? .allocate(capacity: capacity)
    }

    deinit {
        if let pool { pool.give(pointer, capacity: capacity) } else { pointer.deallocate() }
    }

    /// Rows of the NHWC matrix view: one per pixel.
    var pixels: Int { batch * height * width }
    var count: Int { pixels * channels }

    /// Spatial mean per image and channel, `[batch × channels]` (AdaptiveAvgPool2d(1)).
    func spatialMean() -> [Float] {
        var out = [Float](repeating: 0, count: batch * channels)
        let area = height * width
        out.withUnsafeMutableBufferPointer { result in
            let result = result
            parallelFor(batch) { image in
                var sums = [Double](repeating: 0, count: channels)
                for pixel in 0..<area {
                    let row = pointer + (image * area + pixel) * channels
                    for channel in 0..<channels { sums[channel] += Double(row[channel]) }
                }
                for channel in 0..<channels { result[image * channels + channel] = Float(sums[channel] / Double(area)) }
            }
        }
        return out
    }
}

/// Runs `body(i)` for i in 0..<count, split into contiguous ranges over the engine's threads
/// (`Engine.setThreads`).
func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    parallelRanges(count, minimumPerThread: minimumPerThread) { range in
        for index in range { body(index) }
    }
}

/// Runs `body` on contiguous sub-ranges of 0..<count, one per engine thread (inline on a
/// thread that already is one of several data-parallel workers).
func parallelRanges(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = KernelContext.current?.serial == true ? 1 : max(1, min(Engine.threads, count / max(minimumPerThread, 1)))
    if workers == 1 {
        body(0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let start = count * worker / workers, end = count * (worker + 1) / workers
            if start < end { body(start..<end) }
        }
    }
}

/// Large buffers recycled between layers: fresh allocations of this size are mmap'ed and
/// page-faulted in anew each time, which costs more than the pooling and padding layers.
/// Used by one thread at a time.
final class BufferPool {
    private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

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

/// Per-thread kernel settings: the buffer pool, and whether loops must stay on this thread.
final class KernelContext {
    let pool: BufferPool
    let serial: Bool

    init(pool: BufferPool, serial: Bool) {
        self.pool = pool
        self.serial = serial
    }

    private static let key = "ttur-text.FID.KernelContext"

    static var current: KernelContext? { Thread.current.threadDictionary[key] as? KernelContext }

    /// Runs `body` with `context` installed on this thread.
    static func with<T>(_ context: KernelContext, _ body: () throws -> T) rethrows -> T {
        let previous = Thread.current.threadDictionary[key]
        Thread.current.threadDictionary[key] = context
        defer { Thread.current.threadDictionary[key] = previous }
        return try body()
    }
}
