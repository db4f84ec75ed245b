import Foundation

/// The arithmetic the engine's GEMMs run in.
///
/// `bf16` is PyTorch's CPU autocast: the operands of every GEMM (matmul, the 1-D and 2-D
/// convolutions and their adjoints) are rounded to bfloat16 on the fly, multiplied by oneDNN
/// and accumulated and returned in fp32. Everything else — parameters, Adam state,
/// element-wise ops, reductions, losses — stays fp32, so second-order autodiff is unchanged
/// (its adjoints are GEMMs too).
public enum Precision: String, Sendable, CaseIterable {
    case fp32, bf16
}

/// A precision as a user asks for it: `auto` is bf16 where bf16 is faster than fp32 here
/// (`BF16Support.isPreferred`: oneDNN runs it on AMX), fp32 elsewhere.
public enum PrecisionRequest: String, Sendable, CaseIterable {
    case auto, fp32, bf16

    /// The precision this request runs in with `support` (this machine's by default).
    /// - throws: `PrecisionUnavailable` for `bf16` where bf16 is unavailable.
    public func resolved(with support: BF16Support = Engine.bf16) throws -> Precision {
        switch self {
        case .fp32: return .fp32
        case .auto: return support.isPreferred ? .bf16 : .fp32
        case .bf16:
            guard support.isAvailable else { throw PrecisionUnavailable(reason: support.reason) }
            return .bf16
        }
    }
}

/// bf16 was asked for where it cannot run; its description is one line for the CLI.
public struct PrecisionUnavailable: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "bf16 is unavailable on this machine: \(reason) (use --precision fp32 or auto)" }
}

/// Whether bf16 GEMMs can run here, and on what.
public struct BF16Support: Sendable {
    /// True where the CPU has bf16 units, oneDNN picks a non-reference bf16 matmul for
    /// them and `TTUR_DISABLE_BF16` is not set.
    public let isAvailable: Bool
    /// oneDNN's implementation of a probe bf16 matmul (e.g. "brg:avx512_core_bf16"), or nil.
    public let implementation: String?

    /// True where bf16 is also the faster choice, so `auto` picks it: where oneDNN runs it on
    /// AMX tiles. On AVX512-BF16 alone (this project's 2-core machine: no AMX exposed) oneDNN
    /// 2.6.3's `brg:avx512_core_bf16` matmul measured about 0.55–0.6× OpenBLAS's fp32 sgemm
    /// in the same process (BENCHMARKS.md, "bf16"), so fp32 stays the default there and bf16
    /// runs only when asked for.
    public var isPreferred: Bool { isAvailable && (implementation?.contains("amx") ?? false) }
    /// Why bf16 is unavailable (empty when it is available).
    public let reason: String

    /// The environment variable that forces the fp32-only path (any value but "" or "0"):
    /// for tests of that path, and for CPUs where bf16 should not be used.
    public static let disableVariable = "TTUR_DISABLE_BF16"

    /// Detects bf16 support under `environment` (the process's by default).
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> BF16Support {
        if let value = environment[disableVariable], !value.isEmpty, value != "0" {
            return BF16Support(isAvailable: false, implementation: nil, reason: "\(disableVariable)=\(value) is set")
        }
        let flags = cpuFlags()
        guard flags.contains("avx512_bf16") || flags.contains("amx_bf16") else {
            return BF16Support(isAvailable: false, implementation: nil,
                               reason: "this CPU has neither AVX512-BF16 nor AMX-BF16")
        }
        switch OneDNNGEMM.probeImplementation() {
        case .failure(let failure):
            return BF16Support(isAvailable: false, implementation: nil, reason: failure.message)
        case .success(let name) where name.hasPrefix("ref"):
            return BF16Support(isAvailable: false, implementation: name,
                               reason: "oneDNN offers only its reference bf16 matmul (\(name))")
        case .success(let name):
            return BF16Support(isAvailable: true, implementation: name, reason: "")
        }
    }

    /// The instruction-set flags of /proc/cpuinfo (empty where it cannot be read).
    public static func cpuFlags() -> Set<String> {
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }
}

struct OneDNNFailure: Error { let message: String }

extension Engine {
    /// The precision of the engine's GEMMs (fp32 unless set).
    nonisolated(unsafe) public internal(set) static var precision = Precision.fp32

    /// bf16 support on this machine, detected once (the probe creates a oneDNN primitive).
    public static let bf16 = BF16Support.detect()

    /// True where bf16 GEMMs can run (see `BF16Support`).
    public static var bf16Available: Bool { bf16.isAvailable }

    /// oneDNN's bf16 matmul implementation on this machine (e.g. "brg:avx512_core_bf16"), or nil.
    public static var bf16Implementation: String? { bf16.isAvailable ? bf16.implementation : nil }

    /// The implementation names of the bf16 matmuls made so far, with how many shapes each runs.
    public static var bf16ImplementationsInUse: [String: Int] { OneDNNGEMM.implementationsInUse() }

    /// Sets the GEMM precision for everything that follows.
    /// - throws: `PrecisionUnavailable` for `.bf16` where bf16 is unavailable.
    public static func setPrecision(_ newValue: Precision) throws {
        // (Tests may stand a software bf16 GEMM in for oneDNN: `EmulatedBF16GEMM`.)
        if newValue == .bf16, !bf16.isAvailable, EmulatedBF16GEMM.operand == nil { throw PrecisionUnavailable(reason: bf16.reason) }
        precision = newValue
    }

    /// Runs `body` with the GEMMs in `scoped` precision, then restores the previous one.
    ///
    ///     let loss = try Engine.withPrecision(.bf16) { model(x).sum() }
    ///
    /// - throws: `PrecisionUnavailable` for `.bf16` where bf16 is unavailable, or what `body` throws.
    public static func withPrecision<Result>(_ scoped: Precision, _ body: () throws -> Result) throws -> Result {
        let previous = precision
        try setPrecision(scoped)
        defer { precision = previous }
        return try body()
    }
}
