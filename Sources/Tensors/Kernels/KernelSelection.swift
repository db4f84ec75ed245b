import CBLAS
import Foundation

/// Makes OpenBLAS use its AVX-512 / AVX2 kernels on CPUs it was built before.
///
/// Debian 12's OpenBLAS 0.3.21 picks its kernels by CPU model number; on newer Intel
/// server parts (Sapphire/Emerald Rapids report models it does not list) it falls back to
/// the generic "Prescott" SSE3 kernels, an order of magnitude slower (17 instead of 170
/// GFLOP/s for sgemm on this project's machine). When that happened and the user has not
/// chosen a core through `OPENBLAS_CORETYPE`, the selection is re-run once with the newest
/// kernel set that the CPU's features support. OpenBLAS exports the two functions for
/// exactly this (they are what its constructor calls).
enum KernelSelection {
    /// The core OpenBLAS runs with after the check (e.g. "SkylakeX").
    static let activeCore: String = {
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
    }()

    /// The OpenBLAS core name matching the CPU's instruction-set flags, or nil when the
    /// generic kernels are the right ones.
    static func bestCoreForThisCPU() -> String? {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }
}

extension Engine {
    /// The OpenBLAS kernel set in use (after correcting a failed detection; see `KernelSelection`).
    public static var blasCore: String { KernelSelection.activeCore }
}
