import Foundation
import Tensors
import XCTest

/// What the bf16 tests share: the unit roundoff, the software rounding they compare the
/// engine's conversion with, and the rule for running them.
public enum BF16 {
    /// bfloat16 keeps 8 significant bits (7 stored + the implicit one): rounding to nearest
    /// has relative error at most u = 2⁻⁸ (Higham, "Accuracy and Stability of Numerical
    /// Algorithms", 2nd ed., §2.1: u = ½ β^(1−p)).
    public static let unitRoundoff = 0x1p-8

    /// fp32's unit roundoff, 2⁻²⁴.
    public static let fp32UnitRoundoff = 0x1p-24

    /// Round-to-nearest-even fp32 → bf16 → fp32 in software, as PyTorch's
    /// `c10::BFloat16` (`round_to_nearest_even`) does for finite values.
    public static func rounded(_ x: Float) -> Float {
        let bits = x.bitPattern
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return Float(bitPattern: (bits &+ roundingBias) & 0xFFFF_0000)
    }

    /// Skips where bf16 is unavailable, except under `CI=true` (where it fails, so CI cannot
    /// pass by skipping) unless the fp32-only path was forced on purpose with
    /// `TTUR_DISABLE_BF16` or the CPU has no bf16 units at all.
    public static func requireAvailable(file: StaticString = #filePath, line: UInt = #line) throws {
        if Engine.bf16Available { return }
        let environment = ProcessInfo.processInfo.environment
        let message = "bf16 unavailable: \(Engine.bf16.reason)"
        // Under CI a missing bf16 kernel fails, except on a CPU without bf16 units, where
        // oneDNN cannot have one (the engine's bf16 path is still run there by the tests that
        // use `withBackend`, and the refusal of bf16 by `PrecisionTests`).
        if environment["CI"] == "true", environment[BF16Support.disableVariable] == nil, !cpuLacksBF16Units {
            XCTFail(message, file: file, line: line)
        }
        throw XCTSkip(message)
    }

    /// True where the CPU has no bf16 units at all (neither AVX512-BF16 nor AMX-BF16), so
    /// oneDNN has no bf16 kernel here to test.
    public static var cpuLacksBF16Units: Bool {
        let flags = BF16Support.cpuFlags()
        return !flags.contains("avx512_bf16") && !flags.contains("amx_bf16")
    }

    /// Runs `body` with the engine's bf16 backend: oneDNN where it is available; on a CPU
    /// without bf16 units, the engine's software stand-in for it (every GEMM operand rounded
    /// to nearest even, as oneDNN's reorder does, then fp32 products and sums), so the engine's
    /// bf16 path and the derived tolerances are still checked there. Elsewhere (bf16 units but
    /// no usable oneDNN kernel, or TTUR_DISABLE_BF16) as ``requireAvailable()``.
    public static func withBackend<Result>(file: StaticString = #filePath, line: UInt = #line,
                                           _ body: () throws -> Result) throws -> Result {
        if Engine.bf16Available { return try body() }
        guard cpuLacksBF16Units, ProcessInfo.processInfo.environment[BF16Support.disableVariable] == nil else {
            try requireAvailable(file: file, line: line)
            return try body()
        }
        let previous = EmulatedBF16GEMM.operand
        EmulatedBF16GEMM.operand = rounded
        defer { EmulatedBF16GEMM.operand = previous }
        return try body()
    }

    /// Monte Carlo arithmetic for bf16 (Parker, "Monte Carlo Arithmetic", 1997): runs `body`
    /// `runs` times in bf16 precision with the oneDNN backend replaced by fp32 GEMMs whose
    /// operands have every element multiplied by 1 + δ, δ uniform on [−u, u] (u = 2⁻⁸), a
    /// different stream per run. The spread of the results is the spread bf16 rounding can
    /// cause, conditioning included.
    public static func perturbedRuns<Result>(_ runs: Int = 8, seed: UInt64 = 1000,
                                             _ body: () throws -> Result) throws -> [Result] {
        let previous = EmulatedBF16GEMM.operand
        defer { EmulatedBF16GEMM.operand = previous }
        return try (0..<runs).map { run in
            var random = RandomSource(seed: seed + UInt64(run))
            EmulatedBF16GEMM.operand = { x in x * Float(1 + (random.nextUniform() * 2 - 1) * unitRoundoff) }
            return try Engine.withPrecision(.bf16, body)
        }
    }

    /// Root mean square of `values`.
    public static func rms(_ values: [Double]) -> Double {
        (values.map { $0 * $0 }.reduce(0, +) / Double(max(values.count, 1))).squareRoot()
    }
}
