import Foundation

/// Runs the built `ttur-text` executable as a real process, for end-to-end tests.
public struct CommandResult {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

public enum TTURTextExecutable {
    /// `.build/<configuration>/ttur-text`, next to the test bundle.
    public static var url: URL {
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("ttur-text")
    }

    /// Runs `ttur-text arguments…`, waits, and returns its status and output.
    ///
    /// - Parameter fileSizeLimit: kilobytes: runs under `ulimit -f` with SIGXFSZ ignored, so
    ///   writes past the limit fail as on a full disk.
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, fileSizeLimit: Int? = nil) throws -> CommandResult {
        try run(program: url, arguments, environment: environment, currentDirectory: currentDirectory,
                fileSizeLimit: fileSizeLimit)
    }

    /// Runs `program arguments…` (any executable), waits, and returns its status and output.
    public static func run(program: URL, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, fileSizeLimit: Int? = nil) throws -> CommandResult {
        let process = Process()
        if let fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", "trap '' XFSZ; ulimit -f \(fileSizeLimit); exec \"$0\" \"$@\"", program.path] + arguments
        } else {
            process.executableURL = program
            process.arguments = arguments
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        return try CommandResult.capture(process)
    }
}

extension CommandResult {
    /// Runs `process` (not yet started) with both outputs captured, waits, and returns them.
    public static func capture(_ process: Process) throws -> CommandResult {
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
        let errorReader = PipeReader(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errorReader.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outData, as: UTF8.self),
                             standardError: String(decoding: errData, as: UTF8.self))
    }
}

/// Drains a pipe on a background thread.
private final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
