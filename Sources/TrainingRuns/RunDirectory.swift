import Foundation
import Tensors

/// The files of one training run (language or image mode).
///
///     RUN/config.json                       the run's configuration
///     RUN/log.jsonl                         one JSON object per evaluation
///     RUN/events.out.tfevents.*             the same numbers for TensorBoard
///     RUN/checkpoints/iter-NNNNNNNN.safetensors
///     RUN/checkpoints/iter-NNNNNNNN.safetensors.damaged   one that failed its checksum, set aside on resume
///     RUN/.lock                             held by the process that writes the run (`RunLock`)
///     RUN/samples/iter-NNNNNNNN.EXT         samples of each evaluation (decoded text, or an image grid)
public struct RunDirectory: Sendable {
    public let url: URL
    /// The samples' file extension: "txt" for sentences, "png" for image grids.
    public let sampleExtension: String

    public init(_ url: URL, sampleExtension: String = "txt") {
        self.url = url
        self.sampleExtension = sampleExtension
    }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var log: URL { url.appendingPathComponent("log.jsonl") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var samples: URL { url.appendingPathComponent("samples") }

    public func checkpoint(iteration: Int) -> URL {
        checkpoints.appendingPathComponent(String(format: "iter-%08d.safetensors", iteration))
    }

    public func samples(iteration: Int) -> URL {
        samples.appendingPathComponent(String(format: "iter-%08d.", iteration) + sampleExtension)
    }

    /// Complete checkpoints, oldest first (temporary files of an interrupted write are not
    /// listed: they never carry the final name).
    public func checkpointFiles() -> [(iteration: Int, url: URL)] {
        Self.iterationFiles(in: checkpoints, suffix: ".safetensors")
    }

    /// The checkpoint at `path`, or the newest when it is nil.
    /// - throws: `LocatedError` when the run has none.
    public func checkpoint(at path: String?) throws -> URL {
        if let path { return URL(fileURLWithPath: path) }
        guard let latest = checkpointFiles().last else {
            throw LocatedError(file: checkpoints.path, "no checkpoint found")
        }
        return latest.url
    }

    /// Sample files of the evaluations, oldest first.
    public func sampleFiles() -> [(iteration: Int, url: URL)] {
        Self.iterationFiles(in: samples, suffix: "." + sampleExtension)
    }

    /// Creates `directory` and its parents.
    /// - throws: `LocatedError` naming it and the system's reason ("Not a directory").
    static func create(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
            let reason = underlying?.domain == NSPOSIXErrorDomain
                ? String(cString: strerror(Int32(underlying!.code))) : error.localizedDescription
            throw LocatedError(file: directory.path, "cannot create the run directory: \(reason)")
        }
    }

    /// Files named `iter-NNNNNNNN<suffix>` in `directory`, by iteration.
    private static func iterationFiles(in directory: URL, suffix: String) -> [(iteration: Int, url: URL)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name -> (Int, URL)? in
            guard name.hasPrefix("iter-"), name.hasSuffix(suffix),
                  let iteration = Int(name.dropFirst(5).dropLast(suffix.count)) else { return nil }
            return (iteration, directory.appendingPathComponent(name))
        }.sorted { $0.0 < $1.0 }
    }

    /// - throws: `LocatedError` naming the directory and the system's reason.
    public func createDirectories() throws {
        for directory in [url, checkpoints, samples] { try Self.create(directory) }
        guard access(url.path, W_OK) == 0 else {
            throw LocatedError(file: url.path, "the run directory is not writable")
        }
    }
}

extension RunDirectory {
    /// After a crash: drops log lines newer than the checkpoint being resumed (the resumed
    /// run writes them again, identically), their samples, and leftover temporary files.
    public func removeFiles(after iteration: Int) throws {
        struct Iteration: Decodable { let iteration: Int }
        let lines = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n")
        let kept = lines.filter { line in
            guard let entry = try? JSONDecoder().decode(Iteration.self, from: Data(line.utf8)) else { return false }
            return entry.iteration <= iteration
        }
        try AtomicFile.write(Data(kept.map { $0 + "\n" }.joined().utf8), to: log)
        let fileManager = FileManager.default
        for directory in [checkpoints, samples, url] {
            for name in (try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [] where name.contains(".tmp-") {
                try? fileManager.removeItem(at: directory.appendingPathComponent(name))
            }
        }
        for sample in sampleFiles() where sample.iteration > iteration {
            try? fileManager.removeItem(at: sample.url)
        }
    }

    /// Moves a damaged checkpoint aside to `NAME.damaged` (kept for inspection, no longer
    /// listed, so neither pruning nor a later resume takes it for the newest).
    public func setAside(damaged checkpoint: URL) {
        rename(checkpoint.path, checkpoint.path + ".damaged")
    }

    /// Deletes all but the newest `keep` checkpoints.
    public func pruneCheckpoints(keeping keep: Int) {
        for old in checkpointFiles().dropLast(max(keep, 1)) {
            try? FileManager.default.removeItem(at: old.url)
        }
    }
}
