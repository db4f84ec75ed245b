import Foundation
import Tensors

/// What the training loop records in each evaluation's log line about model selection:
/// the evaluation's monitored score and the run's best evaluation so far (this one included).
///
///     "selection": {"metric": "JSD-4 of n-grams not all padding", "score": 0.71,
///                   "best_iteration": 300, "best_score": 0.69}
///
/// The last line's `best_iteration` is the iteration `checkpoints/best.safetensors` holds.
public struct Selection: Codable, Equatable, Sendable {
    /// The monitored score, in words (lower is better).
    public var metric: String
    /// This evaluation's score; nil when it cannot be selected (not scored, or vetoed).
    public var score: Double?
    /// The best evaluation so far; nil while none could be selected.
    public var bestIteration: Int?
    public var bestScore: Double?

    public init(metric: String, score: Double?, bestIteration: Int?, bestScore: Double?) {
        (self.metric, self.score, self.bestIteration, self.bestScore) = (metric, score, bestIteration, bestScore)
    }

    enum CodingKeys: String, CodingKey {
        case metric, score, bestIteration = "best_iteration", bestScore = "best_score"
    }
}

/// A line of a run's `log.jsonl` as the loop annotates it.
public protocol LoggedEvaluation: Codable {
    var iteration: Int { get }
    /// Filled in by the loop (nil in lines written before model selection existed).
    var selection: Selection? { get set }
    /// A warning about this evaluation (mode collapse), which the loop also shows on the console.
    var warning: String? { get }
}

/// Which checkpoint of a run a sampling command reads: `--checkpoint best|last|FILE`.
public enum CheckpointChoice: Equatable, Sendable {
    /// `checkpoints/best.safetensors` (the default where it exists).
    case best
    /// The newest periodic checkpoint.
    case last
    case file(String)

    public init(_ argument: String) {
        switch argument {
        case "best": self = .best
        case "last": self = .last
        default: self = .file(argument)
        }
    }
}

extension RunDirectory {
    /// The checkpoint of the run's best evaluation by its monitored score, written atomically
    /// by the trainer at each new best and never pruned.
    public var bestCheckpoint: URL { checkpoints.appendingPathComponent("best.safetensors") }

    /// The checkpoint `choice` names (`nil`: the best where it exists, else the newest).
    /// - throws: `LocatedError` when the run has no such checkpoint.
    public func checkpoint(_ choice: CheckpointChoice?) throws -> URL {
        switch choice {
        case let .file(path): return URL(fileURLWithPath: path)
        case .best:
            guard FileManager.default.fileExists(atPath: bestCheckpoint.path) else {
                throw LocatedError(file: bestCheckpoint.path, "no best checkpoint (no evaluation of this run could be selected yet): use --checkpoint last")
            }
            return bestCheckpoint
        case nil where FileManager.default.fileExists(atPath: bestCheckpoint.path):
            return bestCheckpoint
        case .last, nil:
            return try checkpoint(at: nil)
        }
    }

    /// The selection record of the log line of `iteration`, if the log has one.
    public func selection(at iteration: Int) -> Selection? {
        struct Line: Decodable {
            let iteration: Int
            let selection: Selection?
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
            .last { $0.iteration == iteration }?.selection
    }
}
