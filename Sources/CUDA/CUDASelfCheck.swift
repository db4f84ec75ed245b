import Basics
import Foundation

/// What `ttur-text devices --check` does on a GPU: compiles the kernel sources with NVRTC for
/// the device, runs them and a cuBLAS GEMM, and compares each with the same arithmetic on the
/// CPU (float64 references), so a machine's CUDA set-up is shown to work end to end before a
/// long run relies on it.
public enum CUDASelfCheck {
    /// One line a check: what ran, its largest error against the CPU, and its time.
    public static func run(device ordinal: Int, driver: CUDADriver) throws -> [String] {
        let info = try driver.device(ordinal)
        try driver.use(ordinal)
        let nvrtc = try NVRTC()
        var lines = ["NVRTC \(nvrtc.version) (\(nvrtc.library.location)), kernels for \(info.architecture), cache \(NVRTC.cacheDirectory().path)"]
        let started = Date()
        let module = try driver.loadModule(try nvrtc.compiled(try CUDAKernelSources.named("elementwise.cu"), name: "elementwise.cu",
                                                              architecture: info.architecture))
        lines.append(String(format: "elementwise.cu compiled or loaded in %.2f s", Date().timeIntervalSince(started)))

        // SAXPY over 2²⁴ elements.
        let n = 1 << 24
        var random = RandomSource(seed: 1)
        let x = (0..<n).map { _ in Float(random.nextNormal()) }, y = (0..<n).map { _ in Float(random.nextNormal()) }
        let a: Float = 0.75
        let dx = try driver.allocate(4 * n), dy = try driver.allocate(4 * n)
        defer { driver.free(dx); driver.free(dy) }
        try x.withUnsafeBytes { try driver.copy($0, to: dx) }
        try y.withUnsafeBytes { try driver.copy($0, to: dy) }
        let saxpy = try driver.function("ttur_saxpy", in: module)
        let arguments = KernelArguments().add(Int64(n)).add(a).add(dx).add(dy)
        let launched = Date()
        try driver.launch(saxpy, grid: (UInt32(4 * info.multiprocessors), 1, 1), block: (256, 1, 1), arguments: arguments)
        try driver.synchronize()
        let saxpySeconds = Date().timeIntervalSince(launched)
        var result = [Float](repeating: 0, count: n)
        try result.withUnsafeMutableBytes { try driver.copy(dy, to: $0) }
        // Against float64, relative to |a·x| + |y|: at most two float32 roundings, 2·2⁻²⁴.
        var worst = 0.0
        for i in 0..<n {
            let exact = Double(a) * Double(x[i]) + Double(y[i])
            worst = max(worst, abs(Double(result[i]) - exact) / max(abs(Double(a) * Double(x[i])) + abs(Double(y[i])), 1e-30))
        }
        lines.append(verdict(worst, bound: 0x1p-23, String(format: "ttur_saxpy, %d elements, %.3f ms", n, saxpySeconds * 1e3)))

        // SGEMM 1024³ in pedantic fp32 and in TF32.
        let blas = try CUBLAS()
        let size = 1024
        let ma = (0..<(size * size)).map { _ in Float(random.nextNormal()) }, mb = (0..<(size * size)).map { _ in Float(random.nextNormal()) }
        let da = try driver.allocate(4 * size * size), db = try driver.allocate(4 * size * size), dc = try driver.allocate(4 * size * size)
        defer { [da, db, dc].forEach(driver.free) }
        try ma.withUnsafeBytes { try driver.copy($0, to: da) }
        try mb.withUnsafeBytes { try driver.copy($0, to: db) }
        // Column-major C = A·B, checked on 64 entries against float64 dot products, the error
        // relative to Σ|aᵢbᵢ|: fp32 sums of k terms stay within k·2⁻²⁴; TF32 rounds each
        // operand to 10 mantissa bits first (2·2⁻¹¹ more).
        func reference(_ row: Int, _ column: Int) -> (value: Double, scale: Double) {
            (0..<size).reduce((0.0, 0.0)) { partial, i in
                let product = Double(ma[i * size + row]) * Double(mb[column * size + i])
                return (partial.0 + product, partial.1 + abs(product))
            }
        }
        for mode in [CUBLAS.MathMode.pedantic, .tf32] {
            try blas.setMath(mode)
            try blas.gemm(.none, .none, m: size, n: size, k: size, alpha: 1, a: da, lda: size, b: db, ldb: size, beta: 0, c: dc, ldc: size)
            try driver.synchronize()
            let timed = Date()
            for _ in 0..<10 {
                try blas.gemm(.none, .none, m: size, n: size, k: size, alpha: 1, a: da, lda: size, b: db, ldb: size, beta: 0, c: dc, ldc: size)
            }
            try driver.synchronize()
            let seconds = Date().timeIntervalSince(timed) / 10
            var c = [Float](repeating: 0, count: size * size)
            try c.withUnsafeMutableBytes { try driver.copy(dc, to: $0) }
            var relative = 0.0
            for probe in 0..<64 {
                let (row, column) = ((probe * 131) % size, (probe * 977) % size)
                let exact = reference(row, column)
                relative = max(relative, abs(Double(c[column * size + row]) - exact.value) / exact.scale)
            }
            let bound = Double(size) * 0x1p-24 + (mode == .tf32 ? 2 * 0x1p-11 : 0)
            lines.append(verdict(relative, bound: bound, String(format: "cuBLAS %d sgemm %d³ (%@), %.3f ms = %.1f TFLOP/s", blas.version, size,
                                                                mode == .tf32 ? "TF32" : "fp32, pedantic", seconds * 1e3,
                                                                2 * pow(Double(size), 3) / seconds / 1e12)))
        }
        return lines
    }

    /// The marker of a failed check in `run`'s lines.
    public static let failure = "FAILED"

    private static func verdict(_ error: Double, bound: Double, _ what: String) -> String {
        String(format: "%@ %@: largest relative error %.3g (bound %.3g)", error <= bound ? "ok" : failure, what, error, bound)
    }
}
