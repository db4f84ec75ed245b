import ArgumentParser
import Distributed
import Benchmarks
import Foundation
import Tensors

/// `bench train-step --ranks N` / `bench image-step --ranks N`: the same benchmark as N MPI
/// ranks (launched here through `mpirun`), with the all-reduce traffic per iteration and a
/// cost model for K machines.
struct RankOptions: ParsableArguments {
    @Option(help: "Run the benchmark as this many MPI ranks (through mpirun) and print the all-reduce cost and a scaling model.")
    var ranks: Int?
    @Option(help: "Network bandwidth between machines for the scaling model, in Gb/s.") var bandwidthGbps = 10.0
    @Option(help: "Latency of one message between machines for the scaling model, in microseconds.") var latencyMicroseconds = 50.0
    @Option(help: "Machine counts for the scaling model.") var machines = "1,2,4,8,16"

    func validate() throws {
        if let ranks, ranks < 1 { throw ValidationError("--ranks must be at least 1") }
        guard bandwidthGbps > 0, latencyMicroseconds >= 0 else { throw ValidationError("--bandwidth-gbps must be positive") }
        guard !machineCounts.isEmpty else { throw ValidationError("--machines must list positive counts, e.g. 1,2,4") }
    }

    var machineCounts: [Int] { machines.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 } }

    /// Whether this process should launch the ranks (it was asked to and is not one of them).
    var launches: Bool { ranks != nil && Distributed.launcherSize == nil }

    /// Runs this very command line as `--ranks` MPI ranks and returns rank 0's JSON result.
    func launch(extra: [String] = []) throws -> [String: Any] {
        var arguments = Array(CommandLine.arguments.dropFirst()) + extra.filter { !CommandLine.arguments.contains($0) }
        if let index = arguments.firstIndex(of: "--ranks") { arguments.removeSubrange(index...(index + 1)) }
        arguments.removeAll { $0.hasPrefix("--ranks=") }
        if !arguments.contains("--json") { arguments.append("--json") }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let root = getuid() == 0 ? ["--allow-run-as-root"] : []
        return try BenchChild.lastJSONLine("/usr/bin/env", ["mpirun"] + root + ["--oversubscribe", "-np", "\(ranks!)", executable] + arguments)
    }

    /// Adds the all-reduce traffic per iteration, measured since `before`, to a rank's result.
    static func traffic(since before: (bytes: Int, seconds: Double, calls: Int), iterations: Int,
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
    func model(singleRankSeconds compute: Double, bytes: Int, allReduceCalls: Int, iterations: Int = 98_000) -> [[String: Any]] {
        let bandwidth = bandwidthGbps * 1e9 / 8
        return machineCounts.map { k in
            let ring = k == 1 ? 0 : 2 * Double(k - 1) / Double(k) * Double(bytes) / bandwidth
                + 2 * Double(k - 1) * Double(allReduceCalls) * latencyMicroseconds * 1e-6
            let perIteration = compute / Double(k) + ring
            return ["machines": k, "iteration_s": perIteration, "efficiency": compute / (Double(k) * perIteration),
                    "hours_to_98k_iterations": perIteration * Double(iterations) / 3600]
        }
    }

    /// Prints the ranks' result and the model.
    func report(_ result: [String: Any], json: Bool) throws {
        var result = result
        if let median = result["median_s"] as? Double, let reduce = result["allreduce_s_per_iteration"] as? Double,
           let bytes = result["allreduce_bytes_per_iteration"] as? Int, let ranks = result["ranks"] as? Int,
           let calls = result["allreduce_calls_per_iteration"] as? Int {
            let compute = (median - reduce) * Double(ranks)  // one machine's compute for the whole batch
            result["compute_s_per_iteration"] = median - reduce
            result["model"] = model(singleRankSeconds: compute, bytes: bytes, allReduceCalls: calls)
            result["model_assumptions"] = "\(bandwidthGbps) Gb/s, \(latencyMicroseconds) µs per message, ring all-reduce, compute of one machine = \(ranks) × this rank's"
        }
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
        } else {
            let rows = result.removeValue(forKey: "model") as? [[String: Any]] ?? []
            for key in result.keys.sorted() { print("\(key.padding(toLength: 30, withPad: " ", startingAt: 0)) \(result[key]!)") }
            if !rows.isEmpty { print("machines  s/iteration  efficiency  hours to 98k iterations") }
            for row in rows {
                print(String(format: "%8d  %11.4f  %10.2f  %23.1f", row["machines"] as! Int, row["iteration_s"] as! Double,
                             row["efficiency"] as! Double, row["hours_to_98k_iterations"] as! Double))
            }
        }
    }
}
