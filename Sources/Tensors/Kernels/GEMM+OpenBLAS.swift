import CBLAS
import Foundation

/// The fp32 backend of `sgemm`: OpenBLAS's `cblas_sgemm`, with its kernels chosen for this CPU
/// and its threads following `Engine.threads`.
///
/// Created once, at the engine's start-up (`Engine.openBLAS`: the first GEMM or thread
/// setting), which is where the kernel selection below happens, explicitly and once.
///
/// Kernel selection. Debian 12's OpenBLAS 0.3.21 picks its kernels by CPU model number; on
/// newer Intel server parts (Sapphire/Emerald Rapids report models it does not list) it falls
/// back to the generic "Prescott" SSE3 kernels, an order of magnitude slower (17 instead of
/// 170 GFLOP/s for sgemm on this project's machine). When that happened and the user has not
/// chosen a core through `OPENBLAS_CORETYPE`, the selection is re-run once with the newest
/// kernel set that the CPU's features support. OpenBLAS exports the two functions for exactly
/// this (they are what its constructor calls).
///
/// Threads. OpenBLAS starts with as many threads as cores, while the engine's own kernels
/// start with `Engine.threads` (1); start-up gives OpenBLAS the engine's count, so a process
/// computes the same before and after anything calls `Engine.setThreads` with that count.
final class OpenBLASGEMM: GEMMBackend {
    /// The core OpenBLAS runs with after the selection (e.g. "SkylakeX").
    let core: String

    init(threads: Int) {
        core = Self.selectKernels()
        setThreads(threads)
    }

    func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(count))
    }

    func multiply(_ call: GEMMCall) {
        cblas_sgemm(CblasRowMajor, call.transposeA ? CblasTrans : CblasNoTrans, call.transposeB ? CblasTrans : CblasNoTrans,
                    Int32(call.m), Int32(call.n), Int32(call.k), call.alpha, call.a, Int32(call.lda), call.b,
                    Int32(call.ldb), call.beta, call.c, Int32(call.ldc))
    }

    /// Re-runs OpenBLAS's kernel selection where it fell back to the generic kernels on a CPU
    /// that has better ones; returns the core in use.
    private static func selectKernels() -> String {
        let detected = String(cString: openblas_get_corename())
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              detected.lowercased() == "prescott",
              let better = bestCoreForThisCPU() else { return detected }
        setenv("OPENBLAS_CORETYPE", better, 1)
        gotoblas_dynamic_quit()
        gotoblas_dynamic_init()
        // Child processes (the PyTorch reference in benchmarks) must not inherit the choice.
        unsetenv("OPENBLAS_CORETYPE")
        return String(cString: openblas_get_corename())
    }

    /// The OpenBLAS core name matching the CPU's instruction-set flags, or nil when the
    /// generic kernels are the right ones.
    static func bestCoreForThisCPU() -> String? {
        let flags = BF16Support.cpuFlags()
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}

extension Engine {
    /// The fp32 GEMM backend, started once (see `OpenBLASGEMM`).
    static let openBLAS = OpenBLASGEMM(threads: threads)

    /// The OpenBLAS kernel set in use (after correcting a failed detection; see `OpenBLASGEMM`).
    public static var blasCore: String { openBLAS.core }
}
