import CMPIShim
import Foundation
import Tensors

/// Data-parallel training over MPI. `start()` joins the job when an MPI launcher (`mpirun`,
/// Slurm's `srun`) started this process with more than one rank, and installs its ranks as
/// the engine's `Collectives.current`; otherwise it does nothing at all — no MPI start-up,
/// no warnings — and the engine stays a single process.
///
/// ```swift
/// try Distributed.start()            // before any training
/// defer { Distributed.finish() }
/// ```
public enum Distributed {
    /// The rank and world size an MPI launcher announced in the environment: Open MPI's,
    /// MPICH/Hydra's (PMI), then Slurm's (inside an `srun` step); nil when none did.
    public static func launcher(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> (rank: Int, size: Int)? {
        for (rankKey, sizeKey) in [("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"), ("PMI_RANK", "PMI_SIZE"),
                                   ("SLURM_PROCID", "SLURM_NTASKS")] {
            if rankKey == "SLURM_PROCID", environment["SLURM_STEP_ID"] == nil { continue }
            if let rank = environment[rankKey].flatMap(Int.init), let size = environment[sizeKey].flatMap(Int.init),
               size > 0, (0..<size).contains(rank) {
                return (rank, size)
            }
        }
        return nil
    }

    /// The world size an MPI launcher announced, or nil.
    public static var launcherSize: Int? { launcher()?.size }

    /// Variables that make a process one rank of a job: a child started by a rank, meant to be a
    /// plain process of its own, must not inherit them.
    public static let launcherVariablePrefixes = ["OMPI_", "PMI_", "PMIX_", "HYDRA_", "SLURM_STEP_", "SLURM_PROCID"]

    nonisolated(unsafe) private static var started = false

    /// Joins the MPI job when launched as one of several ranks.
    /// - throws: `LocatedError` when MPI cannot start.
    public static func start() throws {
        guard !started, let size = launcherSize, size > 1 else { return }
        guard ttur_mpi_init() == 0 else { throw LocatedError("MPI_Init failed (launched as one of \(size) ranks)") }
        started = true
        Collectives.current = MPICollective(rank: Int(ttur_mpi_rank()), size: Int(ttur_mpi_size()))
    }

    /// Leaves the job (after the last collective).
    public static func finish() {
        guard started else { return }
        started = false
        _ = ttur_mpi_finalize()
    }

    /// Ends every rank of the job at once, after this rank's error was reported.
    public static func abort(status: Int32) -> Never {
        if started { ttur_mpi_abort(status) }
        exit(status)
    }

    public static var rank: Int { Collectives.current.rank }
    public static var size: Int { Collectives.current.size }
}

/// The ranks of an MPI job as the engine's collective.
final class MPICollective: Collective {
    let rank: Int, size: Int
    /// Bytes all-reduced so far, and the seconds it took (for `bench`).
    nonisolated(unsafe) static var reducedBytes = 0
    nonisolated(unsafe) static var reduceSeconds = 0.0
    nonisolated(unsafe) static var reduceCalls = 0

    init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    private func check(_ status: Int32, _ what: String) {
        if status != 0 {
            FileHandle.standardError.write(Data("rank \(rank): MPI \(what) failed\n".utf8))
            Distributed.abort(status: 1)
        }
    }

    private func timed(bytes: Int, _ body: () -> Int32, _ what: String) {
        let start = DispatchTime.now().uptimeNanoseconds
        check(body(), what)
        Self.reduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        Self.reducedBytes += bytes
        Self.reduceCalls += 1
    }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) {
        timed(bytes: values.count * 4, { ttur_mpi_allreduce_sum_float(values.baseAddress, values.count) }, "all-reduce")
    }

    func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) {
        timed(bytes: values.count * 8, { ttur_mpi_allreduce_sum_double(values.baseAddress, values.count) }, "all-reduce")
    }

    func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) {
        check(ttur_mpi_allreduce_max_double(values.baseAddress, values.count), "all-reduce")
    }

    func allGather(_ values: [Float]) -> [Float] {
        var all = [Float](repeating: 0, count: values.count * size)
        all.withUnsafeMutableBufferPointer { out in
            check(ttur_mpi_allgather_float(values, values.count, out.baseAddress), "all-gather")
        }
        return all
    }
}

extension Distributed {
    /// All-reduce traffic of this process so far: bytes, seconds and calls.
    public static var reduceTraffic: (bytes: Int, seconds: Double, calls: Int) {
        (MPICollective.reducedBytes, MPICollective.reduceSeconds, MPICollective.reduceCalls)
    }
}
