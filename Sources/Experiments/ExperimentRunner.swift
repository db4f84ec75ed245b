import Basics
import Foundation
import TrainingRuns

/// Trains an experiment's runs (this rank's share), `jobs` at a time, each as a child
/// process of the training command, with the threads split between them; continues
/// unfinished runs, skips finished ones, and prints a line per run started and ended plus a
/// periodic summary.
///
///     let runner = ExperimentRunner(directory: ExperimentDirectory(url), configuration: configuration,
///                                   jobs: 2, executable: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath())
///     let status = try runner.run()   // 0, or 130/143 after SIGINT/SIGTERM
public struct ExperimentRunner {
    public let directory: ExperimentDirectory
    public let configuration: ExperimentConfiguration
    public let jobs: Int
    public let rank: ProcessRank
    public let executable: URL
    /// Seconds between summary lines.
    public var summaryEvery: Double = 60
    public var output: (String) -> Void = { print($0) }

    public init(directory: ExperimentDirectory, configuration: ExperimentConfiguration, jobs: Int,
                rank: ProcessRank = .fromEnvironment(), executable: URL) {
        (self.directory, self.configuration, self.jobs, self.rank) = (directory, configuration, jobs, rank)
        self.executable = executable
    }

    /// Threads for each run: the experiment's threads over the runs that train at once.
    public var threadsPerRun: Int { max(1, configuration.threads / jobs) }

    /// What the runner sets for `run`: a new run, or resuming its checkpoint.
    public func runArguments(for run: ExperimentRun, resuming: Bool) -> RunArguments {
        RunArguments(run: run.url.path, resume: resuming, schedule: resuming ? nil : run.schedule,
                     seed: resuming ? nil : UInt64(run.seed), threads: threadsPerRun, iterations: configuration.iterations,
                     minutes: configuration.minutes)
    }

    /// The training command for `run`: its words, what the runner sets, then the options
    /// passed through to every run.
    public func arguments(for run: ExperimentRun, resuming: Bool) -> [String] {
        configuration.mode.command + runArguments(for: run, resuming: resuming).arguments + configuration.options
    }

    /// Runs this rank's share to the end, or until SIGINT/SIGTERM (forwarded to the children,
    /// which write their final checkpoints).
    /// - Returns: 0 when every run finished, 128 + the signal after a stop.
    /// - throws: `LocatedError` for a different configuration in the directory, a run locked
    ///   by another process, or runs that failed (naming them and their `train.log`).
    public func run() throws -> Int32 {
        try directory.adopt(configuration)
        let loop = try Loop(self, runs: rank.share(of: directory.runs(of: configuration)))
        let rankText = rank.size > 1 ? " (rank \(rank.rank) of \(rank.size))" : ""
        output("experiment \(directory.url.path)\(rankText): \(loop.runs.count) runs, \(min(jobs, max(loop.runs.count, 1))) at a time, \(threadsPerRun) thread\(threadsPerRun == 1 ? "" : "s") each")
        try loop.skipFinished()
        StopRequest.install()
        var lastSummary = Date()
        while true {
            loop.forwardStopRequest()
            loop.startWaiting()
            if loop.training.isEmpty && (loop.waiting.isEmpty || loop.forwarded != nil) { break }
            loop.collectExits()
            if Date().timeIntervalSince(lastSummary) >= summaryEvery {
                lastSummary = Date()
                output(loop.summary())
            }
            usleep(100_000)
        }
        if let forwarded = loop.forwarded {
            output("stopped by signal \(forwarded); \(loop.finished) of \(loop.runs.count) finished. Run the same command again to continue.")
            return StopRequest.exitStatus(for: forwarded)
        }
        guard loop.failures.isEmpty else {
            let failures = loop.failures
            throw LocatedError(file: directory.url.path, "\(failures.count) run\(failures.count == 1 ? "" : "s") failed: \(failures.joined(separator: "; "))")
        }
        output("experiment \(directory.url.path)\(rankText): \(loop.finished) of \(loop.runs.count) runs finished")
        return 0
    }

    /// The state of one `run()`: this share's runs with their locks, those waiting, training,
    /// finished and failed, and the signal forwarded; each step of the loop is one method.
    private final class Loop {
        let runner: ExperimentRunner
        let runs: [ExperimentRun]
        /// Every run of this share is locked before anything starts, so a second runner fails at once.
        var locks: [String: RunLock] = [:]
        var waiting: [(run: ExperimentRun, state: RunState?)] = []
        var training: [(run: ExperimentRun, child: ChildProcess)] = []
        var finished = 0
        var failures: [String] = []
        var forwarded: Int32?

        init(_ runner: ExperimentRunner, runs: [ExperimentRun]) throws {
            (self.runner, self.runs) = (runner, runs)
            for run in runs { locks[run.name] = try RunLock(run: run.url) }
        }

        private func output(_ line: String) { runner.output(line) }

        /// Skips the runs that reached the budget; the others wait.
        func skipFinished() throws {
            for run in runs {
                let state = try RunState.read(run.url)
                if let state, state.reached(runner.configuration) {
                    output("skip \(run.name): finished (iteration \(state.iteration), \(minutes(state.seconds)) training minutes)")
                    locks[run.name] = nil
                } else {
                    waiting.append((run, state))
                }
            }
            finished = runs.count - waiting.count
        }

        /// Forwards SIGINT/SIGTERM to the training children, once.
        func forwardStopRequest() {
            guard let signal = StopRequest.signal, forwarded == nil else { return }
            output("signal \(signal): stopping \(training.count) run\(training.count == 1 ? "" : "s") (each writes its checkpoint)")
            training.forEach { $0.child.send(signal) }
            forwarded = signal
        }

        /// Starts waiting runs while fewer than `jobs` train (none after a stop request).
        func startWaiting() {
            while forwarded == nil, training.count < runner.jobs, !waiting.isEmpty {
                let (run, state) = waiting.removeFirst()
                let lock = locks[run.name]!
                let child: ChildProcess
                do {
                    child = try ChildProcess(executable: runner.executable,
                                             arguments: runner.arguments(for: run, resuming: state != nil),
                                             output: run.url.appendingPathComponent("train.log"), lock: lock)
                } catch {
                    // The others train on; the runner reports this one at the end.
                    failures.append("\(run.name) (\(error))")
                    output("FAILED \(run.name): \(error)")
                    locks[run.name] = nil
                    continue
                }
                lock.record("pid \(getpid()) (experiment runner), pid \(child.pid) (training)")
                let how = state.map { "resuming from iteration \($0.iteration)" } ?? "new"
                output("start \(run.name) (pid \(child.pid), \(how))")
                training.append((run, child))
            }
        }

        /// Collects the children that exited: finished, stopped, or failed.
        func collectExits() {
            for (index, entry) in training.enumerated().reversed() {
                guard let exit = entry.child.poll() else { continue }
                training.remove(at: index)
                locks[entry.run.name] = nil
                record(exit, of: entry.run)
            }
        }

        private func record(_ exit: ChildProcess.Exit, of run: ExperimentRun) {
            let state = try? RunState.read(run.url)
            let reached = state.map { "iteration \($0.iteration), \(minutes($0.seconds)) training minutes" } ?? "no checkpoint"
            switch exit {
            case .status(0) where state?.reached(runner.configuration) == true:
                finished += 1
                output("done \(run.name): \(reached)")
            case .status(let status) where forwarded != nil && status == 128 + forwarded!:
                output("stopped \(run.name): \(reached)")
            case .signal(let signal) where signal == forwarded:
                // Signalled before its handlers were installed: nothing trained since its last checkpoint.
                output("stopped \(run.name) while starting: \(reached)")
            default:
                let how: String
                switch exit {
                case .status(let status): how = "exit status \(status)"
                case .signal(let signal): how = "killed by signal \(signal)"
                }
                let log = run.url.appendingPathComponent("train.log")
                failures.append("\(run.name) (\(how): \(lastLine(of: log)))")
                output("FAILED \(run.name): \(how), \(reached); see \(log.path)")
            }
        }

        /// The periodic line: finished, training (each at its logged iteration), waiting.
        func summary() -> String {
            let progress = training.map { entry in
                (try? LogPoint.read(log: entry.run.url.appendingPathComponent("log.jsonl")))?.last.map {
                    "\(entry.run.name) iteration \($0.iteration) at \(minutes($0.seconds ?? 0)) min"
                } ?? "\(entry.run.name) starting"
            }
            return "[\(clock())] \(finished) of \(runs.count) finished, \(training.count) training\(progress.isEmpty ? "" : " (" + progress.joined(separator: ", ") + ")"), \(waiting.count) waiting"
        }
    }
}

private func minutes(_ seconds: Double) -> String { String(format: "%.2f", seconds / 60) }

private func lastLine(of file: URL) -> String {
    let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    return text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).last.map(String.init) ?? "no output"
}

private func clock() -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "HH:mm:ss"
    return formatter.string(from: Date())
}
