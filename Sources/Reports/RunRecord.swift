import Basics
import Foundation
import TrainingRuns

/// What a report shows of one run directory, read as plain files so any trainer's runs
/// (language or image) work: `config.json` for the label, `log.jsonl` for the curves,
/// `samples/` for the newest samples.
public struct RunRecord: Sendable {
    public let directory: URL
    /// "TTUR 3e-4, 1e-4" or "orig 1e-4", as the paper labels its curves.
    public var label: String
    public let points: [LogPoint]
    /// Settings worth a column in the runs table (schedule, learning rates, sizes).
    public let settings: [String: String]
    /// The newest samples file's iteration and lines (language runs).
    public let latestSamples: (iteration: Int, lines: [String])?
    /// The newest image grid's iteration and PNG bytes (image runs).
    public let latestGrid: (iteration: Int, png: Data)?

    /// Reads a run directory.
    /// - throws: `LocatedError` for a missing directory or log, a malformed config or log
    ///   line (with its line number), or a log without evaluations.
    public init(directory: URL) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LocatedError(file: directory.path, "no such run directory")
        }
        let log = directory.appendingPathComponent("log.jsonl")
        guard FileManager.default.isReadableFile(atPath: log.path) else {
            throw LocatedError(file: log.path, "missing or unreadable (is \(directory.path) a training run?)")
        }
        let points = try LogPoint.read(log: log)
        guard !points.isEmpty else { throw LocatedError(file: log.path, "no evaluations logged yet") }
        self.points = points

        let configURL = directory.appendingPathComponent("config.json")
        var config: [String: Any] = [:]
        if let data = try? Data(contentsOf: configURL) {
            guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                throw LocatedError(file: configURL.path, "not a JSON object")
            }
            config = object
        }
        settings = Self.settings(from: config)
        label = Self.label(config: config, fallback: directory.lastPathComponent)
        latestSamples = Self.newest(in: directory.appendingPathComponent("samples"), suffix: ".txt").flatMap { iteration, url in
            (try? String(contentsOf: url, encoding: .utf8)).map { text in
                (iteration, text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty })
            }
        }
        latestGrid = Self.newest(in: directory.appendingPathComponent("samples"), suffix: ".png").flatMap { iteration, url in
            (try? Data(contentsOf: url)).map { (iteration, $0) }
        }
    }

    /// The tags this run logged, in a stable order.
    public var tags: [String] { Array(Set(points.flatMap(\.values.keys))).sorted() }

    /// The run's best evaluation by its monitored score (the trainer's model selection, whose
    /// checkpoint is `checkpoints/best.safetensors`), from the newest log line that names one.
    public var best: LogPoint? {
        guard let iteration = points.last(where: { $0.values[Self.bestIterationTag] != nil })?.values[Self.bestIterationTag]
        else { return nil }
        return points.last { Double($0.iteration) == iteration }
    }

    /// The log's `selection.best_iteration`, flattened.
    static let bestIterationTag = "selection/best_iteration"

    /// The point of `tag` at `point` against `x`, if logged there.
    func position(of point: LogPoint, _ tag: String, against x: XQuantity) -> (x: Double, y: Double)? {
        guard let y = point.values[tag] else { return nil }
        switch x {
        case .iterations: return (Double(point.iteration), y)
        case .minutes: return point.seconds.map { ($0 / 60, y) }
        }
    }

    /// The points of `tag` against `x` (`.minutes` or `.iterations`), in log order.
    func curve(_ tag: String, against x: XQuantity) -> [(x: Double, y: Double)] {
        points.compactMap { position(of: $0, tag, against: x) }
    }

    enum XQuantity { case minutes, iterations }

    private static func label(config: [String: Any], fallback: String) -> String {
        guard let schedule = config["schedule"] as? String else { return fallback }
        let name = schedule.lowercased() == "ttur" ? "TTUR" : schedule
        // The language trainer's critic, or the image trainer's discriminator.
        let critic = ((config["criticLearningRate"] ?? config["discriminatorLearningRate"]) as? NSNumber)?.doubleValue
        let generator = (config["generatorLearningRate"] as? NSNumber)?.doubleValue
        switch (critic, generator) {
        case let (critic?, generator?) where critic == generator: return "\(name) \(NumberText.compact(critic))"
        case let (critic?, generator?): return "\(name) \(NumberText.compact(critic)), \(NumberText.compact(generator))"
        default: return name
        }
    }

    private static func settings(from config: [String: Any]) -> [String: String] {
        let keys = ["schedule", "criticLearningRate", "discriminatorLearningRate", "generatorLearningRate", "criticIterations",
                    "dim", "batch", "seed", "dataset"]
        var result: [String: String] = [:]
        for key in keys {
            if let number = config[key] as? NSNumber { result[key] = NumberText.compact(number.doubleValue, digits: 3) }
            else if let text = config[key] as? String { result[key] = text }
        }
        return result
    }

    /// The newest `iter-NNNNNNNN<suffix>` file in `directory`.
    private static func newest(in directory: URL, suffix: String) -> (Int, URL)? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let numbered = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("iter-"), name.hasSuffix(suffix),
                  let number = Int(name.dropFirst(5).dropLast(suffix.count)) else { return nil }
            return (number, name)
        }
        return numbered.max(by: { $0.0 < $1.0 }).map { ($0.0, directory.appendingPathComponent($0.1)) }
    }
}
