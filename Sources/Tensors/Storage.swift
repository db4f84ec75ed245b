import Foundation

/// A contiguous float32 buffer owned by one or more tensors (reshapes share it).
///
/// Buffers come from `BufferPool`: training allocates the same few dozen sizes every
/// iteration, and returning large blocks to the OS only to page-fault them back in costs
/// more than the arithmetic of an element-wise op.
public final class Storage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Uninitialised storage of `count` floats.
    public init(count: Int) {
        self.count = count
        self.pointer = BufferPool.shared.take(count)
    }

    /// Storage filled with `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(count: count)
        pointer.initialize(repeating: value, count: count)
    }

    deinit { BufferPool.shared.give(pointer, count: count) }

    public var buffer: UnsafeMutableBufferPointer<Float> { .init(start: pointer, count: count) }
}

/// Recycles float buffers by exact size. Thread-safe; bounded so that a change of shapes
/// (evaluation, a new batch size) cannot hoard memory.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Upper bound on memory kept idle in the pool.
    private let capacityBytes = 1 << 30
    /// Small buffers are cheap to malloc; pooling them only adds lock traffic.
    private let minimumCount = 4096

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let rounded = max(count, 1)
        if rounded >= minimumCount {
            lock.lock()
            if var list = free[rounded], let pointer = list.popLast() {
                free[rounded] = list
                pooledBytes -= rounded * 4
                lock.unlock()
                return pointer
            }
            lock.unlock()
        }
        // 64-byte alignment suits AVX-512 loads and OpenBLAS's packing.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded * 4, alignment: 64)
        return raw.bindMemory(to: Float.self, capacity: rounded)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let rounded = max(count, 1)
        if rounded >= minimumCount {
            lock.lock()
            if pooledBytes + rounded * 4 <= capacityBytes {
                free[rounded, default: []].append(pointer)
                pooledBytes += rounded * 4
                lock.unlock()
                return
            }
            lock.unlock()
        }
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    /// Frees every idle buffer (e.g. before measuring peak memory of a different workload).
    func drain() {
        lock.lock()
        let lists = free
        free = [:]
        pooledBytes = 0
        lock.unlock()
        for list in lists.values { for pointer in list { UnsafeMutableRawPointer(pointer).deallocate() } }
    }
}
