import Experiments
import TrainingRuns
import XCTest
@testable import ttur_text

/// The runner's typed run settings, written as arguments, read back by the training
/// commands' own parsers: parse(arguments(settings)) == settings, for `train` and
/// `image train`, new and resumed runs, each budget.
final class RunArgumentsRoundTripTests: XCTestCase {
    private let cases: [RunArguments] = [
        RunArguments(run: "/tmp/e/ttur-seed0", resume: false, schedule: .ttur, seed: 0, threads: 1, iterations: 10, minutes: nil),
        RunArguments(run: "/tmp/e/orig-seed3", resume: false, schedule: .orig, seed: 3, threads: 4, iterations: nil, minutes: 20),
        RunArguments(run: "/tmp/e/orig-seed1", resume: false, schedule: .orig, seed: 1, threads: 2, iterations: 5, minutes: 0.2),
        RunArguments(run: "/tmp/e/ttur-seed2", resume: true, schedule: nil, seed: nil, threads: 2, iterations: nil, minutes: 1e-3),
        RunArguments(run: "/tmp/e/ttur-seed9", resume: true, schedule: nil, seed: nil, threads: 8, iterations: 7, minutes: 1.5),
    ]

    func testTrainReadsBackWhatTheRunnerWrites() throws {
        for settings in cases {
            let train = try Train.parse(settings.arguments)
            XCTAssertEqual(train.runOptions.runArguments(schedule: train.schedule), settings, "\(settings.arguments)")
        }
    }

    func testImageTrainReadsBackWhatTheRunnerWrites() throws {
        for settings in cases {
            let train = try ImageTrain.parse(settings.arguments)
            XCTAssertEqual(train.runOptions.runArguments(schedule: train.schedule), settings, "\(settings.arguments)")
        }
    }

    /// The runner's whole command line for a run: the mode's words, these arguments, then the
    /// options passed through.
    func testTheRunnersCommandLineIsTheModesWordsTheArgumentsAndThePassedOptions() {
        let configuration = ExperimentConfiguration(mode: .image, schedules: [.ttur], seeds: 1, iterations: 3, minutes: nil,
                                                    threads: 4, options: ["--dim", "8"])
        let runner = ExperimentRunner(directory: ExperimentDirectory(URL(fileURLWithPath: "/tmp/e")), configuration: configuration,
                                      jobs: 2, executable: URL(fileURLWithPath: "/bin/true"))
        let run = ExperimentDirectory(URL(fileURLWithPath: "/tmp/e")).runs(of: configuration)[0]
        XCTAssertEqual(runner.arguments(for: run, resuming: false),
                       ["image", "train", "--run", "/tmp/e/ttur-seed0", "--seed", "0", "--schedule", "ttur", "--threads", "2",
                        "--iterations", "3", "--dim", "8"])
    }
}
