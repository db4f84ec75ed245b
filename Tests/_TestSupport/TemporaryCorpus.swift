import Foundation
import XCTest

/// A throw-away directory in the One Billion Word layout, for corpus tests.
public final class TemporaryCorpus {
    public let root: URL
    public var shardDirectory: URL { root.appendingPathComponent("corpus/training-monolingual.tokenized.shuffled") }
    public var corpusDirectory: URL { root.appendingPathComponent("corpus") }

    public init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("ttur-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: shardDirectory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    /// Writes shard `number` (plain, or zstd-compressed with the `zstd` command).
    @discardableResult
    public func addShard(_ number: Int, bytes: Data, zstd: Bool = false) throws -> URL {
        let name = String(format: "news.en-%05d-of-00100", number)
        let plain = shardDirectory.appendingPathComponent(name)
        try bytes.write(to: plain)
        guard zstd else { return plain }
        try Self.run("/usr/bin/zstd", ["-q", "-f", "--rm", plain.path])
        return shardDirectory.appendingPathComponent(name + ".zst")
    }

    @discardableResult
    public func addShard(_ number: Int, lines: [String], zstd: Bool = false) throws -> URL {
        try addShard(number, bytes: Data(lines.map { $0 + "\n" }.joined().utf8), zstd: zstd)
    }

    /// Runs a program and fails on a non-zero exit.
    public static func run(_ program: String, _ arguments: [String]) throws {
        _ = try output(program, arguments)
    }

    /// Runs a program and returns its standard output.
    public static func output(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw NSError(domain: "TemporaryCorpus", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "\(program) \(arguments) failed"])
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Entries of `root` (to check that nothing partial was left behind).
    public func entries(of directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }
}
