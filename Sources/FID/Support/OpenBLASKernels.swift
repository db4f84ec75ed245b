import CBLAS
import Foundation

/// Debian 12's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise some newer Xeons and falls
/// back to its "Prescott" (SSE3) kernels: about 16 GFLOP/s of sgemm on 2 cores instead of
/// about 140 with its SkylakeX kernels. The choice is made when the library loads, from
/// OPENBLAS_CORETYPE, so the only fix from inside a process is to re-execute it with that
/// variable set.
public enum OpenBLASKernels {
    /// The kernel family OpenBLAS chose, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The family this CPU supports, from /proc/cpuinfo's flags, when OpenBLAS fell back to
    /// Prescott without being told to; nil when nothing needs fixing.
    public static func betterCoreType() -> String? {
        guard coreName == "Prescott", ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Re-executes the current process with OPENBLAS_CORETYPE set when OpenBLAS fell back to
    /// Prescott on a CPU with AVX2/AVX-512 (see above); returns when there is nothing to do or
    /// the exec fails. Setting OPENBLAS_CORETYPE yourself (to anything) turns this off.
    public static func reexecWithDetectedCoreIfNeeded() {
        guard let core = betterCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let arguments = CommandLine.arguments
        var pointers = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &pointers)
        for pointer in pointers { free(pointer) }
    }
}
