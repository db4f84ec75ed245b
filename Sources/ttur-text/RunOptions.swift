import ArgumentParser
import Foundation
import Tensors
import TrainingRuns

/// The options every training command shares (`train`, `image train`): where the run
/// lives, resuming, the budget, checkpoints, threads and seed. Validated once, here.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run directory (default: runs/<timestamp>-<schedule>).")
    var path: String?
    @Flag(help: "Continue the run in --run from its newest checkpoint (with --iterations/--minutes: a new budget; other settings come from the checkpoint).")
    var resume = false
    @Option(help: "Stop after this many iterations.") var iterations: Int?
    @Option(help: "Stop after this many minutes of training time (evaluation excluded).") var minutes: Double?
    @Option(help: "Checkpoint every this many iterations.") var checkpointEvery = 500
    @Option(help: "Checkpoints to keep.") var keep = 3
    @Option(help: "Threads for the engine.") var threads = 2
    @Option(help: "Random seed (weights, batches, noise).") var seed: UInt64 = 0
    @Option(help: "GEMM arithmetic: auto (bf16 where oneDNN runs it on AMX, fp32 elsewhere), fp32 or bf16 (PyTorch autocast's: bf16 operands, fp32 accumulation). Default: auto for a new run, the run's own on --resume. TTUR_DISABLE_BF16=1 forces fp32.")
    var precision: PrecisionRequest?

    func validate() throws {
        if resume && path == nil { throw ValidationError("--resume needs --run DIR") }
        if iterations == nil && minutes == nil && !resume {
            throw ValidationError("give --iterations N and/or --minutes M (a budget for the run)")
        }
        for (name, value) in [("--checkpoint-every", checkpointEvery), ("--keep", keep), ("--threads", threads)]
            where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if let iterations, iterations < 0 { throw ValidationError("--iterations must not be negative") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
    }

    /// The run settings of a new run, with the command's batch and evaluation cadence.
    /// - throws: `PrecisionUnavailable` for `--precision bf16` where bf16 cannot run.
    func settings(batch: Int, evalEvery: Int) throws -> RunSettings {
        var s = RunSettings()
        s.precision = try (precision ?? .auto).resolved()
        s.batch = batch
        s.iterations = iterations
        s.minutes = minutes
        s.evalEvery = evalEvery
        s.checkpointEvery = checkpointEvery
        s.keepCheckpoints = keep
        s.threads = threads
        s.seed = seed
        return s
    }

    /// The run directory: `--run`, or `runs/<prefix><timestamp>-<schedule>`.
    func directory<GAN: TrainableGAN>(for _: GAN.Type, prefix: String = "", schedule: String) -> RunDirectory {
        Trainer<GAN>.runDirectory(URL(fileURLWithPath: path ?? "runs/\(prefix)\(Self.timestamp())-\(schedule)"))
    }

    /// A new trainer, or one resuming `--run` (whose context comes from its saved configuration).
    func trainer<GAN: TrainableGAN>(
        new configuration: () throws -> RunConfiguration<GAN.Settings>, in directory: RunDirectory,
        context: (RunConfiguration<GAN.Settings>) throws -> GAN.Context
    ) throws -> Trainer<GAN> {
        if resume {
            return try Trainer(resuming: directory, iterations: iterations, minutes: minutes,
                               precision: try precision?.resolved(), context: context)
        }
        let configuration = try configuration()
        return try Trainer(configuration: configuration, run: directory, context: try context(configuration))
    }

    static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: Date())
    }
}
