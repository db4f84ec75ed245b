import Basics
import Distributed
import Foundation
import Tensors

/// What both step benches print beside their timings: the precision and oneDNN's
/// implementation, the GEMM rate against peaks measured in this process, and the PyTorch
/// reference in fp32 and under its bf16 autocast.
public enum StepBenchReport {
    /// Runs `iteration` once to warm up, then `count` timed times, all in `precision`:
    /// the sorted times in seconds and the GEMM work of one iteration in FLOP.
    public static func timed(_ count: Int, in precision: Precision, _ iteration: () -> Void) throws
        -> (times: [Double], flopsPerIteration: Double, trafficBefore: (bytes: Int, seconds: Double, calls: Int)) {
        try Engine.withPrecision(precision) {
            iteration()  // warm-up: first-touch of buffers, thread start, oneDNN primitives
            let flopsBefore = Engine.gemmFloatingPointOperations
            let trafficBefore = Distributed.reduceTraffic
            var times: [Double] = []
            for _ in 0..<count {
                let start = DispatchTime.now().uptimeNanoseconds
                iteration()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return (times.sorted(), Double(Engine.gemmFloatingPointOperations - flopsBefore) / Double(count), trafficBefore)
        }
    }

    /// precision, and for bf16 the implementations oneDNN picked (shapes per implementation).
    public static func precisionFields(_ precision: Precision) -> [String: Any] {
        var fields: [String: Any] = ["precision": precision.rawValue]
        if precision == .bf16 {
            fields["bf16_implementation"] = Engine.bf16Implementation ?? "none"
            fields["bf16_implementations_in_use"] = Engine.bf16ImplementationsInUse
                .sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        }
        return fields
    }

    /// GEMM GFLOP/s achieved, the fp32 (OpenBLAS 4096³) and bf16 (oneDNN 4096×512×2560, bf16
    /// operands) peaks measured now, and the fraction of the peak of the precision that ran.
    public static func gemmFields(flopsPerIteration: Double, median: Double, precision: Precision, measurePeaks: Bool) -> [String: Any] {
        let achieved = flopsPerIteration / median / 1e9
        var fields: [String: Any] = ["gemm_gflop_per_iteration": flopsPerIteration / 1e9, "gflops": achieved]
        guard measurePeaks else { return fields }
        let fp32Peak = Diagnostics.sgemmPeak()
        fields["sgemm_peak_gflops"] = fp32Peak
        let bf16Peak = Diagnostics.bf16GemmPeak()
        if let bf16Peak { fields["bf16_gemm_peak_gflops"] = bf16Peak }
        let peak = precision == .bf16 ? bf16Peak : fp32Peak
        if let peak { fields["fraction_of_peak"] = achieved / peak }
        return fields
    }

    /// Runs the reference twice — fp32 (`--autocast none`) and `--autocast bf16` — with
    /// `arguments` plus the autocast flag, and returns both results and our ratio to each.
    public static func referenceFields(python: String, script: String, arguments: [String], median: Double) throws -> [String: Any] {
        var fields: [String: Any] = [:]
        for autocast in ["none", "bf16"] {
            let output = try BenchChild.output(python, [script] + arguments + ["--autocast", autocast])
            guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
                  let torch = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw LocatedError(file: python, "reference \(script) --autocast \(autocast) printed no JSON result")
            }
            let suffix = autocast == "none" ? "fp32" : "bf16_autocast"
            fields["reference_\(suffix)"] = torch
            if let torchMedian = torch["median_s"] as? Double { fields["ratio_to_reference_\(suffix)"] = median / torchMedian }
        }
        return fields
    }

    /// `result` as one JSON object or as a table of sorted keys, one line each.
    public static func text(_ result: [String: Any], json: Bool) throws -> String {
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        let width = (result.keys.map(\.count).max() ?? 0) + 1
        return result.keys.sorted().map { "\($0.padding(toLength: width, withPad: " ", startingAt: 0)) \(result[$0]!)" }
            .joined(separator: "\n")
    }
}
