import ArgumentParser
import Distributed
import Foundation
import Tensors
import TrainingRuns

/// What a training command shows: the first line, a progress line with the rate and the
/// ETA, the stop line, the GAN's own summary, and how to continue after a signal.
enum TrainingConsole {
    /// Trains with `trainer` on the console.
    /// - Parameters:
    ///   - command: the command that resumes the run ("ttur-text train").
    ///   - summary: prints what the run reached (its table of scores).
    /// - throws: the trainer's errors; `ExitCode` 130/143 after SIGINT/SIGTERM, once the
    ///   final checkpoint is written.
    static func train<GAN: TrainableGAN>(_ trainer: Trainer<GAN>, command: String,
                                         summary: (Trainer<GAN>) throws -> Void) throws {
        StopRequest.install()
        guard trainer.isWriter else {  // the other ranks of an MPI job train silently
            if case let .interrupted(_, signal) = try trainer.train() { throw ExitCode(StopRequest.exitStatus(for: signal)) }
            return
        }
        setvbuf(stdout, nil, _IOLBF, 0)  // keep stdout lines in order with the progress on stderr
        let ranks = Collectives.current.size
        let precision = trainer.configuration.run.precision
        let arithmetic = precision == .bf16 ? "bf16 (\(Engine.bf16Implementation ?? "oneDNN"))" : "fp32 (OpenBLAS)"
        for damaged in trainer.damagedCheckpoints {
            FileHandle.standardError.write(Data("warning: \(damaged); set aside as .damaged, resuming from iteration \(trainer.progress.iteration)\n".utf8))
        }
        print("run \(trainer.run.url.path) [\(arithmetic)\(ranks > 1 ? ", \(ranks) ranks" : "")]: \(trainer.gan.headline)")
        let line = ProgressLine()
        let outcome = try trainer.train { p in
            if let warning = p.warning { line.finish(warning) }  // a line of its own, kept above the progress
            let eta = p.remainingSeconds.map { String(format: "  ETA %.0f s", $0) } ?? ""
            line.update(String(format: "iter %d  %.2f it/s  ", p.iteration, p.iterationsPerSecond) + p.summary + eta)
        }
        line.finish("training stopped at iteration \(trainer.progress.iteration) after \(String(format: "%.0f", trainer.progress.elapsedSeconds)) s of training")
        try summary(trainer)
        if case let .interrupted(iteration, signal) = outcome {
            print("stopped by signal \(signal) at iteration \(iteration); checkpoint written. Continue with `\(command) --resume --run \(trainer.run.url.path)`")
            throw ExitCode(StopRequest.exitStatus(for: signal))
        }
    }
}

extension TrainingConsole {
    /// Runs a training command as one rank of an MPI job when an MPI launcher started it
    /// (else exactly as a single process). An error on any rank is printed as one line
    /// naming the rank and ends the whole job.
    static func asRank(_ body: () throws -> Void) throws {
        try Distributed.start()
        guard Distributed.size > 1 else { return try body() }
        do {
            try body()
        } catch let exit as ExitCode {
            Distributed.finish()
            throw exit
        } catch {
            FileHandle.standardError.write(Data("Error (rank \(Distributed.rank) of \(Distributed.size)): \(error)\n".utf8))
            Distributed.abort(status: 1)
        }
        Distributed.finish()
    }
}
