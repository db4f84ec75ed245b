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
        return try RankScaling.launch(ranks: ranks!, executable: URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path,
                                      arguments: arguments)
    }

    /// Prints the ranks' result and the model.
    func report(_ result: [String: Any], json: Bool) throws {
        var result = RankScaling.withModel(result, network: RankScaling.Network(
            bandwidthGbps: bandwidthGbps, latencyMicroseconds: latencyMicroseconds, machines: machineCounts))
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
