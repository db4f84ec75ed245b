import Dispatch

/// Thread settings for the engine: OpenBLAS's GEMM threads and the engine's own
/// element-wise parallelism use the same count.
public enum Engine {
    nonisolated(unsafe) public private(set) static var threads = 1

    /// Floating-point operations issued to GEMM so far (2·m·n·k per call), for benchmarks.
    nonisolated(unsafe) public static var gemmFloatingPointOperations = 0

    /// Sets the number of threads for GEMMs and element-wise kernels.
    public static func setThreads(_ count: Int) {
        threads = max(1, count)
        openBLAS.setThreads(threads)
    }
}

/// Element-wise passes below this many elements run on one thread: the hand-off to a
/// second core costs more than it saves.
let parallelThreshold = 1 << 16

/// Splits `0..<count` into one contiguous chunk per engine thread and runs `body` on each.
@inline(__always)
func parallelChunks(_ count: Int, _ body: (_ range: Range<Int>) -> Void) {
    let threads = Engine.threads
    if threads <= 1 || count < parallelThreshold {
        body(0..<count)
        return
    }
    // Chunks aligned to 16 floats so no two threads share a cache line.
    let chunk = ((count + threads - 1) / threads + 15) & ~15
    DispatchQueue.concurrentPerform(iterations: threads) { index in
        let start = index * chunk
        let end = min(count, start + chunk)
        if start < end { body(start..<end) }
    }
}

/// Runs `body(i)` for `i` in `0..<count`, spread over the engine threads in contiguous blocks.
@inline(__always)
func parallelFor(_ count: Int, minimumPerThread: Int = 1, _ body: (Int) -> Void) {
    let threads = Engine.threads
    if threads <= 1 || count < 2 * minimumPerThread {
        for i in 0..<count { body(i) }
        return
    }
    let chunk = (count + threads - 1) / threads
    DispatchQueue.concurrentPerform(iterations: threads) { index in
        let start = index * chunk
        let end = min(count, start + chunk)
        if start < end { for i in start..<end { body(i) } }
    }
}

/// Runs `body` on contiguous sub-ranges of `0..<count`, one per engine thread and at least
/// `minimumPerThread` indices each; inline on a thread that already is one of several
/// data-parallel inference workers (`Inference.Context` with `serial`).
func parallelRanges(_ count: Int, minimumPerThread: Int = 1, _ body: (Range<Int>) -> Void) {
    let workers = Inference.Context.current?.serial == true
        ? 1 : max(1, min(Engine.threads, count / max(minimumPerThread, 1)))
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
