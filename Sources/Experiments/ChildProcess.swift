import Basics
import CSpawn
import Distributed
import Foundation
import TrainingRuns

/// A training command started by the runner: killed by the kernel when the runner dies
/// (PR_SET_PDEATHSIG, see `ttur_spawn`), in a process group of its own, writing to a file.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable arguments…` with its output appended to `output` and `lock` open in it.
    /// Call from the main thread (the kernel signals the child when the forking thread ends).
    /// - throws: `LocatedError` when it cannot be started.
    init(executable: URL, arguments: [String], output: URL, lock: RunLock) throws {
        let fd = open(output.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocatedError(file: output.path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let environment = ProcessInfo.processInfo.environment
            .filter { key, _ in !Distributed.launcherVariablePrefixes.contains { key.hasPrefix($0) } }  // a plain process, not a rank
            .filter { key, _ in key != RunLock.inheritedDescriptorVariable }
            .map { "\($0.key)=\($0.value)" } + ["\(RunLock.inheritedDescriptorVariable)=\(lock.descriptor)"]  // the child adopts the run's lock
        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let result = ttur_spawn(executable.path, argv, envp, fd, lock.descriptor)
        guard result > 0 else {
            throw LocatedError(file: executable.path, "cannot start: \(String(cString: strerror(-result)))")
        }
        pid = result
    }

    /// How a child ended.
    enum Exit: Equatable {
        case status(Int32)
        case signal(Int32)
    }

    /// The child's exit, when it has ended (without blocking).
    func poll() -> Exit? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are C macros, so spelled out.
        return status & 0x7F == 0 ? .status((status >> 8) & 0xFF) : .signal(status & 0x7F)
    }

    func send(_ signal: Int32) { kill(pid, signal) }
}
