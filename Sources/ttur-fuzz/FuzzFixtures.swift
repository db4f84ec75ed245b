import Corpus
import Experiments
import Foundation
import NGrams
import TrainingRuns

/// Valid files of the formats ttur-text writes and later reads back from itself, made by its
/// own writers: the seeds of the targets that fuzz them, and the untouched siblings a
/// mutated file is read beside (a mutated manifest beside good sentences, and so on).
enum FuzzFixtures {
    /// A tiny prepared dataset (codepoint units, 8 per sentence) with its n-gram store up to
    /// 4-grams, written into `directory` (which must not exist yet).
    static func dataset(in directory: URL) throws -> PreparedDataset {
        let corpus = directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent)-corpus")
        try? FileManager.default.removeItem(at: corpus)
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: corpus) }
        let shard = corpus.appendingPathComponent("news.en-00001-of-00100")
        try Data("the cat sat\non the mat\na dog ran far\nthe end\n".utf8).write(to: shard)
        var options = PreparationOptions()
        options.unit = .codepoint
        options.sequenceLength = 8
        let dataset = try CorpusPreparation.prepare(shards: [shard], name: "fuzz", output: directory, options: options)
        try NGramStoreBuilder.build(dataset: dataset, maxN: 4, output: directory.appendingPathComponent(StoreSchema.fileName),
                                    threads: 1)
        return dataset
    }

    /// A run directory's `log.jsonl` and `config.json` (the language trainer's keys) in `directory`.
    static func run(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("{\"iteration\":0,\"seconds\":0,\"jsd\":{\"1\":0.5,\"2\":0.75}}\n{\"iteration\":2,\"seconds\":1.5,\"critic_loss\":-1,\"jsd\":{\"1\":0.25,\"2\":0.5}}\n".utf8)
            .write(to: directory.appendingPathComponent("log.jsonl"))
        try Data("{\"gan\":{\"schedule\":\"ttur\",\"critic_learning_rate\":0.0003,\"generator_learning_rate\":0.0001,\"dim\":8},\"run\":{\"batch\":4,\"seed\":5}}\n".utf8)
            .write(to: directory.appendingPathComponent("config.json"))
    }

    /// An experiment's `experiment.json`, as the runner writes it, in `directory`.
    static func experiment(in directory: URL) throws {
        try ExperimentDirectory(directory).adopt(ExperimentConfiguration(
            mode: .language, schedules: [.ttur, .orig], seeds: 3, iterations: 200, minutes: nil, threads: 2,
            options: ["--dim", "8", "--preset", "small"]))
    }

    /// A TensorBoard event file with scalars and a log line, as the trainers write it; its URL.
    static func events(in directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let writer = try EventFileWriter(directory: directory, now: Date(timeIntervalSince1970: 1_700_000_000))
        try writer.add(["jsd/4": 0.75, "critic_loss": -1.5], step: 2, wallTime: Date(timeIntervalSince1970: 1_700_000_001))
        try writer.add(logLine: Data("{\"iteration\":4,\"jsd\":{\"4\":0.5}}".utf8), wallTime: Date(timeIntervalSince1970: 1_700_000_002))
        return writer.url
    }
}
