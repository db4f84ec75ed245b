import Distributed
import Foundation

/// The step benchmarks over N MPI ranks: launching them, the all-reduce traffic per
/// iteration, and a cost model for K machines.
public enum RankScaling {
    /// The network the scaling model assumes.
    public struct Network {
        public var bandwidthGbps: Double, latencyMicroseconds: Double, machines: [Int]
        public init(bandwidthGbps: Double, latencyMicroseconds: Double, machines: [Int]) {
            (self.bandwidthGbps, self.latencyMicroseconds, self.machines) = (bandwidthGbps, latencyMicroseconds, machines)
        }
    }

    /// Runs `executable arguments…` as `ranks` MPI ranks (with `--json`) and returns rank 0's
    /// JSON result.
    public static func launch(ranks: Int, executable: String, arguments: [String]) throws -> [String: Any] {
        var arguments = arguments
        if !arguments.contains("--json") { arguments.append("--json") }
        let root = getuid() == 0 ? ["--allow-run-as-root"] : []
        return try BenchChild.lastJSONLine("/usr/bin/env", ["mpirun"] + root + ["--oversubscribe", "-np", "\(ranks)", executable] + arguments)
    }

    /// Adds the all-reduce traffic per iteration, measured since `before`, to a rank's result.
    public static func traffic(since before: (bytes: Int, seconds: Double, calls: Int), iterations: Int,
                               into result: inout [String: Any]) {
        guard Distributed.size > 1 else { return }
        let now = Distributed.reduceTraffic
        result["ranks"] = Distributed.size
        result["allreduce_bytes_per_iteration"] = (now.bytes - before.bytes) / iterations
        result["allreduce_s_per_iteration"] = (now.seconds - before.seconds) / Double(iterations)
        result["allreduce_calls_per_iteration"] = (now.calls - before.calls) / iterations
    }

    /// The projected time per iteration on K machines: compute shrinks with the shares of the
    /// batch, and each all-reduce (a ring: 2(K−1) messages of bytes/K each) costs bandwidth
    /// and latency.
    public static func model(singleRankSeconds compute: Double, bytes: Int, allReduceCalls: Int, network: Network,
                             iterations: Int = 98_000) -> [[String: Any]] {
        let bandwidth = network.bandwidthGbps * 1e9 / 8
        return network.machines.map { k in
            let ring = k == 1 ? 0 : 2 * Double(k - 1) / Double(k) * Double(bytes) / bandwidth
                + 2 * Double(k - 1) * Double(allReduceCalls) * network.latencyMicroseconds * 1e-6
            let perIteration = compute / Double(k) + ring
            return ["machines": k, "iteration_s": perIteration, "efficiency": compute / (Double(k) * perIteration),
                    "hours_to_98k_iterations": perIteration * Double(iterations) / 3600]
        }
    }

    /// The ranks' result with one machine's compute and the model for `network` added.
    public static func withModel(_ result: [String: Any], network: Network) -> [String: Any] {
        var result = result
        if let median = result["median_s"] as? Double, let reduce = result["allreduce_s_per_iteration"] as? Double,
           let bytes = result["allreduce_bytes_per_iteration"] as? Int, let ranks = result["ranks"] as? Int,
           let calls = result["allreduce_calls_per_iteration"] as? Int {
            let compute = (median - reduce) * Double(ranks)  // one machine's compute for the whole batch
            result["compute_s_per_iteration"] = median - reduce
            result["model"] = model(singleRankSeconds: compute, bytes: bytes, allReduceCalls: calls, network: network)
            result["model_assumptions"] = "\(network.bandwidthGbps) Gb/s, \(network.latencyMicroseconds) µs per message, ring all-reduce, compute of one machine = \(ranks) × this rank's"
        }
        return result
    }
}
