/// The ranks of a data-parallel training and the collective operations between them.
/// The engine knows only this interface; `Distributed` implements it over MPI, and a single
/// process is the stand-in below (every operation the identity).
///
/// Data parallelism here is the computation of one process split by rows of the batch:
/// every rank draws the whole global batch's random numbers from the one shared stream and
/// keeps its own share (`localRows`), so the union of the shares is what one process draws.
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Sums `values` over all ranks, in place, in the same order on every call of the same
    /// size (so runs repeat bit for bit).
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>)
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>)
    func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>)
    /// Every rank's `values` (all of the same length), concatenated in rank order, on every rank.
    func allGather(_ values: [Float]) -> [Float]
}

/// One process: nothing to exchange.
public final class SingleProcess: Collective {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allGather(_ values: [Float]) -> [Float] { values }
}

/// The collective the engine uses: a single process unless `Distributed` installed its ranks.
public enum Collectives {
    nonisolated(unsafe) public static var current: Collective = SingleProcess()

    public static var isDistributed: Bool { current.size > 1 }

    /// This rank's rows of a global batch of `count` rows (equal shares; the caller checks
    /// that the size divides `count`).
    public static func localRows(of count: Int) -> Range<Int> {
        let share = count / current.size
        return (current.rank * share)..<((current.rank + 1) * share)
    }

    /// The means over ranks of per-rank means (equal shares make them the global batch's).
    public static func mean(_ values: [Double]) -> [Double] {
        guard isDistributed else { return values }
        var sums = values
        sums.withUnsafeMutableBufferPointer { current.allReduceSum($0) }
        return sums.map { $0 / Double(current.size) }
    }

    /// Averages gradients over ranks in one fused buffer (Horovod's all-reduce): afterwards
    /// every rank holds the global batch's gradients and applies the same update.
    public static func averageGradients(_ gradients: [Tensor]) {
        guard isDistributed else { return }
        let total = gradients.reduce(0) { $0 + $1.count }
        var fused = [Float](repeating: 0, count: total)
        var offset = 0
        for gradient in gradients {
            (fused.withUnsafeMutableBufferPointer { $0.baseAddress! } + offset)
                .update(from: gradient.storage.pointer, count: gradient.count)
            offset += gradient.count
        }
        fused.withUnsafeMutableBufferPointer { current.allReduceSum($0) }
        let scale = 1 / Float(current.size)
        offset = 0
        for gradient in gradients {
            let destination = gradient.storage.pointer
            for i in 0..<gradient.count { destination[i] = fused[offset + i] * scale }
            offset += gradient.count
        }
    }
}

extension Tensor {
    /// This rank's share of the rows (the first axis) of a global batch; itself in one process.
    public func localRows() -> Tensor {
        guard Collectives.isDistributed else { return self }
        return slice(Collectives.localRows(of: shape[0]))
    }

    /// The sum of this tensor over all ranks, on every rank; itself in one process. Its
    /// adjoint is the same sum of the gradients (each rank's loss depends on every rank's
    /// input through it), so statistics reduced with it — synchronised batch norm — are
    /// differentiated as one process would.
    public func allReduceSum() -> Tensor {
        guard Collectives.isDistributed else { return self }
        let out = Storage(count: count)
        out.pointer.update(from: storage.pointer, count: count)
        Collectives.current.allReduceSum(UnsafeMutableBufferPointer(start: out.pointer, count: count))
        return Tensor.result("allReduceSum", shape: shape, storage: out, inputs: [self]) { g, _, _ in
            [g.allReduceSum()]
        }
    }
}

extension Collectives {
    /// `body` of a batch's rows computed by the ranks together: each rank takes its share
    /// of `batch`, and the results' rows are gathered, in order, on every rank. A batch whose
    /// rows do not divide into the ranks is computed whole on every rank.
    public static func splittingRows(of batch: Tensor, _ body: (Tensor) -> Tensor) -> Tensor {
        guard isDistributed, batch.shape[0] % current.size == 0 else { return body(batch) }
        let local = body(batch.localRows())
        let gathered = current.allGather(local.scalars)
        var dims = local.shape.dimensions
        dims[0] = batch.shape[0]
        return Tensor(gathered, shape: Shape(dims))
    }
}
