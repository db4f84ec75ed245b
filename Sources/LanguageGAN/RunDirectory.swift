import Foundation

/// The files of one training run.
///
///     RUN/config.json                       the run's configuration
///     RUN/log.jsonl                         one JSON object per evaluation
///     RUN/checkpoints/iter-NNNNNNNN.safetensors
///     RUN/samples/iter-NNNNNNNN.txt         decoded samples of each evaluation
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var log: URL { url.appendingPathComponent("log.jsonl") }
    public var checkpoints: URL { url.appendingPathComponent("checkpoints") }
    public var samples: URL { url.appendingPathComponent("samples") }

    public func checkpoint(iteration: Int) -> URL {
        checkpoints.appendingPathComponent(String(format: "iter-%08d.safetensors", iteration))
    }

    public func samples(iteration: Int) -> URL {
        samples.appendingPathComponent(String(format: "iter-%08d.txt", iteration))
    }

    /// Complete checkpoints, oldest first (temporary files of an interrupted write are not
    /// listed: they never carry the final name).
    public func checkpointFiles() -> [(iteration: Int, url: URL)] {
        Self.iterationFiles(in: checkpoints, suffix: ".safetensors")
    }

    /// Sample files of the evaluations, oldest first.
    public func sampleFiles() -> [(iteration: Int, url: URL)] {
        Self.iterationFiles(in: samples, suffix: ".txt")
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

    /// - throws: `TrainingError` naming the directory and the system's reason.
    public func createDirectories() throws {
        for directory in [url, checkpoints, samples] {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                let underlying = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }
                let reason = underlying?.domain == NSPOSIXErrorDomain
                    ? String(cString: strerror(Int32(underlying!.code))) : error.localizedDescription
                throw TrainingError("\(directory.path): cannot create the run directory: \(reason)")
            }
        }
        guard access(url.path, W_OK) == 0 else {
            throw TrainingError("\(url.path): the run directory is not writable")
        }
    }
}
