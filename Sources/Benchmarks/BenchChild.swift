import Basics
import CSpawn
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The reference scripts the benchmarks run, in the checkout's `scripts/`.
public enum BenchScripts {
    public static func path(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/\(name)").path
    }
}

/// Child processes of the benchmarks: their output, wall-clock time and peak memory.
public enum BenchChild {
    /// Runs a program, returns its standard output, and fails on a non-zero exit.
    public static func output(_ program: String, _ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw LocatedError(file: program, "exited with status \(process.terminationStatus): \(arguments.joined(separator: " "))")
        }
        return data
    }

    /// Runs a program and returns its wall-clock seconds.
    public static func timed(_ program: String, _ arguments: [String]) throws -> (seconds: Double, output: Data) {
        let started = Date()
        let out = try output(program, arguments)
        return (Date().timeIntervalSince(started), out)
    }

    /// Runs a program with its output going to `log`, and returns its wall-clock seconds and
    /// its own peak resident set (from `wait4`, so no other child's counts).
    ///
    /// The child is forked (`ttur_spawn`), not spawned with `posix_spawn`: glibc's spawn
    /// shares this process's address space until the exec, and the kernel folds that address
    /// space's high-water mark into the child's maximum resident set at exec, so a child
    /// started after this process had mapped a dataset read at least this process's peak.
    /// A forked child starts from its own copy, which holds only this process's anonymous
    /// pages at the fork.
    public static func measured(_ program: String, _ arguments: [String], log: URL) throws -> (seconds: Double, peakRSS: Int) {
        let fd = open(log.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LocatedError(file: log.path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let started = Date()
        let pid = ttur_spawn(program, argv, environ, fd, -1)
        guard pid > 0 else { throw LocatedError(file: program, "cannot start: \(String(cString: strerror(-pid)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw LocatedError(file: program, "failed (wait status \(status)): \(arguments.joined(separator: " "))\n\(text)")
        }
        return (seconds, usage.ru_maxrss * 1024)
    }

    /// Largest resident set of any finished child so far, in bytes.
    public static var childrenPeakRSS: Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }

    /// Runs a reference benchmark and parses the JSON object on the last line it prints.
    public static func lastJSONLine(_ program: String, _ arguments: [String]) throws -> [String: Any] {
        let output = try output(program, arguments)
        guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw LocatedError(file: program, "printed no JSON result: \(arguments.joined(separator: " "))")
        }
        return object
    }
}
