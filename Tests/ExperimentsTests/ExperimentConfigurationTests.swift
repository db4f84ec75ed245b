import Experiments
import XCTest
@testable import Reports

/// The experiment's stored configuration, its ranks, and the seed band, without processes.
final class ExperimentConfigurationTests: XCTestCase {
    private func configuration(_ options: [String], seeds: Int = 2) -> ExperimentConfiguration {
        ExperimentConfiguration(mode: .language, schedules: [.ttur, .orig], seeds: seeds, iterations: 10, minutes: nil,
                                threads: 2, options: options)
    }

    func testTheFirstDifferingOptionIsNamed() {
        let stored = configuration(["--dim", "8", "--data", "d", "--preset", "small"])
        XCTAssertNil(configuration(["--data", "d", "--preset", "small", "--dim", "8"]).difference(from: stored))
        XCTAssertEqual(configuration(["--dim", "16", "--data", "d", "--preset", "small"]).difference(from: stored)?.option, "--dim")
        XCTAssertEqual(configuration(["--dim", "8", "--data", "d"]).difference(from: stored)?.option, "--preset")
        XCTAssertEqual(configuration(["--dim=8", "--data", "d", "--preset", "small"]).difference(from: stored)?.option, nil)
        XCTAssertEqual(configuration(["--dim", "8", "--data", "d", "--preset", "small"], seeds: 3).difference(from: stored)?.option, "--seeds")
        XCTAssertEqual(configuration(["--lr-critic", "-1"]).optionValues.map(\.value), ["-1"])
    }

    func testRanksTakeEveryKthRun() {
        XCTAssertEqual(ProcessRank(rank: 1, size: 3).share(of: Array(0..<8)), [1, 4, 7])
        XCTAssertEqual(ProcessRank.fromEnvironment(["OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "4"]),
                       ProcessRank(rank: 2, size: 4))
        XCTAssertEqual(ProcessRank.fromEnvironment(["PMI_RANK": "1", "PMI_SIZE": "2"]), ProcessRank(rank: 1, size: 2))
        XCTAssertEqual(ProcessRank.fromEnvironment(["SLURM_STEP_ID": "0", "SLURM_PROCID": "3", "SLURM_NTASKS": "5"]), ProcessRank(rank: 3, size: 5))
        XCTAssertEqual(ProcessRank.fromEnvironment(["SLURM_PROCID": "0", "SLURM_NTASKS": "1", "SLURM_ARRAY_TASK_ID": "4",
                                                    "SLURM_ARRAY_TASK_COUNT": "6", "SLURM_ARRAY_TASK_MIN": "0"]),
                       ProcessRank(rank: 4, size: 6))
        XCTAssertEqual(ProcessRank.fromEnvironment([:]), ProcessRank(rank: 0, size: 1))
    }

    func testBandCoversOnlyTheCommonRangeAndHoldsEverySeed() throws {
        let a: [(x: Double, y: Double)] = [(0, 1), (2, 0.5), (4, 0.2)]
        let b: [(x: Double, y: Double)] = [(1, 0.8), (3, 0.6), (5, 0.1)]
        let band = try XCTUnwrap(SeedBand.resample([a, b], points: 5))
        XCTAssertEqual(band.x, [1, 1.75, 2.5, 3.25, 4])
        for (index, x) in band.x.enumerated() {
            let values = [a, b].map { SeedBand.interpolate($0, at: x)! }
            XCTAssertEqual(band.low[index], values.min()!, accuracy: 1e-12)
            XCTAssertEqual(band.high[index], values.max()!, accuracy: 1e-12)
            XCTAssertEqual(band.mean[index], (values[0] + values[1]) / 2, accuracy: 1e-12)
        }
        XCTAssertEqual(SeedBand.interpolate(a, at: 1)!, 0.75, accuracy: 1e-12)
        XCTAssertNil(SeedBand.resample([[(0, 1), (1, 1)], [(2, 1), (3, 1)]]))
        // Grid points never step past the common range by rounding.
        let rounding = try XCTUnwrap(SeedBand.resample([[(0.1, 1), (0.7, 2)], [(0, 1), (0.7000000000000001, 3)]], points: 97))
        XCTAssertEqual(rounding.x.last, 0.7)
    }
}
