import CBLAS
import Foundation

/// Measurements the benchmarks report.
public enum Diagnostics {
    /// Peak resident memory of this process in bytes (Linux `VmHWM`), or nil where unknown.
    public static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }

    /// The machine's fp32 sgemm (OpenBLAS) throughput in GFLOP/s on n×n×n (best of
    /// `repeats`), at the current thread setting: the ceiling any fp32 GEMM-bound workload
    /// here can reach. Runs in fp32 whatever `Engine.precision` is.
    public static func sgemmPeak(size n: Int = 4096, repeats: Int = 2) -> Double {
        let previous = Engine.precision
        Engine.precision = .fp32
        defer { Engine.precision = previous }
        let a = Storage(count: n * n, repeating: 0.5), b = Storage(count: n * n, repeating: 0.25)
        let c = Storage(count: n * n)
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            sgemm(transposeA: false, transposeB: false, m: n, n: n, k: n, a: a.pointer, lda: n,
                  b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    /// oneDNN's bf16 matmul throughput in GFLOP/s on m×n×k with operands already in bf16
    /// (best of `repeats`), at the current thread setting; nil where bf16 is unavailable.
    /// The default is the shape of the language model's width-5 convolutions at paper size
    /// (batch 64 × length 32 rows, 512 outputs, 5 · 512 inputs).
    public static func bf16GemmPeak(m: Int = 4096, n: Int = 512, k: Int = 2560, repeats: Int = 3) -> Double? {
        guard Engine.bf16.isAvailable,
              let seconds = OneDNNGEMM.matmulSeconds(m: m, n: n, k: k, repeats: repeats) else { return nil }
        return 2 * Double(m * n * k) / seconds / 1e9
    }
}
