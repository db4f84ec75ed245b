import ArgumentParser
import Basics
import Corpus
import Experiments
import Foundation
import LanguageGAN
import NGrams
import Reports
import TrainingRuns

struct EvalSweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Quality against diversity: a checkpoint's samples at several temperatures, scored against real sentences.",
        discussion: """
            Samples -n sentences at each --temperatures value from the same noise (--seed), so \
            temperature 0 gives `sample`'s argmax sentences, and scores each set as `eval text` \
            does (BLEU, self-BLEU, MS-Jaccard, the Kneser-Ney language models) against the \
            references. With --experiment, every run's best checkpoint is swept and each \
            schedule is one curve: the mean over its seeds, the table giving each seed and the \
            min–max. Writes OUT/<run>/samples-T.txt, OUT/sweep.json and OUT/sweep.html (the \
            figure: BLEU-4 against self-BLEU-4, one point per temperature; Caccia et al. 2020).
            """
    )

    @Option(name: .customLong("run"), help: "Run directory (its best checkpoint unless --checkpoint says otherwise).") var runDirectory: String?
    @Option(help: "best, last or a checkpoint FILE (as `sample`).") var checkpoint: String?
    @Option(help: "An experiment directory: every run's best checkpoint, one curve per schedule.") var experiment: String?
    @Option(help: "Random seed for the generator's noise and the temperature draws.") var seed: UInt64 = 0
    @Option(name: .short, help: "Samples per temperature.") var n = 640
    @Option(parsing: .upToNextOption, help: "Temperatures (0: argmax).") var temperatures: [Double] = QualityDiversitySweep.defaultTemperatures
    @Option(help: "Prepared dataset for decoding and default references (default: the one each run trained on).") var data: String?
    @Option(help: "References file, one sentence a line (default: held-out shards beside the dataset's, else its last sentences).") var references: String?
    @Option(help: "At most this many default references.") var maxReferences = 2_000
    @Option(help: "Output directory (default: RUN/sweep or EXPERIMENT/sweep, or sweep/ beside a checkpoint FILE).") var out: String?

    func validate() throws {
        guard (runDirectory != nil || checkpoint != nil) != (experiment != nil) else {
            throw ValidationError("give --run DIR or --checkpoint FILE, or --experiment DIR")
        }
        guard n >= 2 else { throw ValidationError("-n must be at least 2 (self-BLEU needs two samples)") }
        guard !temperatures.isEmpty, temperatures.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw ValidationError("--temperatures must be 0 or positive")
        }
        guard maxReferences >= 1 else { throw ValidationError("--max-references must be at least 1") }
    }

    /// What is swept: each checkpoint with its label and group (the schedule in an experiment).
    private func targets() throws -> [(label: String, group: String, options: CheckpointOptions)] {
        guard let experiment else {
            let options = try CheckpointOptions.parse((runDirectory.map { ["--run", $0] } ?? []) + (checkpoint.map { ["--checkpoint", $0] } ?? [])
                                                      + ["--seed", String(seed)])
            let label = runDirectory.map { URL(fileURLWithPath: $0).lastPathComponent } ?? URL(fileURLWithPath: checkpoint!).lastPathComponent
            return [(label, label, options)]
        }
        let directory = ExperimentDirectory(URL(fileURLWithPath: experiment))
        let runs = directory.runs(of: try directory.configuration())
            .filter { FileManager.default.fileExists(atPath: $0.url.appendingPathComponent("checkpoints").path) }
        guard !runs.isEmpty else { throw LocatedError(file: experiment, "no run of the experiment has a checkpoint yet") }
        return try runs.map { run in
            (run.name, run.schedule.rawValue, try CheckpointOptions.parse(["--run", run.url.path, "--seed", String(seed)]))
        }
    }

    func run() throws {
        let targets = try targets()
        let directory = URL(fileURLWithPath: out ?? (experiment ?? runDirectory).map { $0 + "/sweep" }
            ?? URL(fileURLWithPath: checkpoint!).deletingLastPathComponent().appendingPathComponent("sweep").path)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var loadedReferences: (sentences: [String], origin: String)?
        var swept: [(label: String, group: String, file: URL, points: [QualityDiversitySweep.Point])] = []
        for target in targets {
            let (state, configuration, file, _) = try target.options.load(LanguageWGAN.self) { LanguageGANState(configuration: $0) }
            let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data ?? configuration.gan.dataDirectory))
            guard dataset.vocabulary.count == configuration.gan.vocabularySize else {
                throw ValidationError("\(dataset.directory.path) has vocabulary \(dataset.vocabulary.count), the checkpoint \(configuration.gan.vocabularySize)")
            }
            // One set of references for every run, so their curves compare.
            if loadedReferences == nil { loadedReferences = try ReferenceSentences.load(file: references, for: dataset, limit: maxReferences) }
            let lines = loadedReferences!.sentences
            let points = try QualityDiversitySweep.run(state, vocabulary: dataset.vocabulary, references: lines, temperatures: temperatures,
                                                       count: n, batch: configuration.run.batch, seed: seed)
            let samplesDirectory = targets.count > 1 ? directory.appendingPathComponent(target.label) : directory
            try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
            for point in points {
                try AtomicFile.write(Data(point.samples.map { $0 + "\n" }.joined().utf8),
                                     to: samplesDirectory.appendingPathComponent(String(format: "samples-%g.txt", point.temperature)))
            }
            swept.append((target.label, target.group, file, points))
        }
        try write(swept, to: directory, references: loadedReferences!)
    }

    /// sweep.json, sweep.html and the table on standard output.
    private func write(_ swept: [(label: String, group: String, file: URL, points: [QualityDiversitySweep.Point])], to directory: URL,
                       references: (sentences: [String], origin: String)) throws {
        let columns = ["bleu4", "self_bleu4", "msjaccard4", "lm_bits_per_char", "reverse_lm_bits_per_char"]
        func value(_ point: QualityDiversitySweep.Point, _ key: String) -> Double? { point.scores.fields.first { $0.key == key }?.value ?? nil }
        var rows: [[String]] = [], runs: [[String: Any]] = []
        for run in swept {
            var points: [[String: Any]] = []
            for point in run.points {
                var object: [String: Any] = ["temperature": point.temperature]
                for (key, score) in point.scores.fields { object[key] = score ?? NSNull() }
                points.append(object)
                rows.append([run.label, String(format: "%g", point.temperature)] + columns.map { key in value(point, key).map { String(format: "%.4f", $0) } ?? "-" })
            }
            runs.append(["label": run.label, "group": run.group, "checkpoint": run.file.path, "points": points])
        }
        // One curve per group: the mean over its runs at each temperature, with the min–max.
        var curves: [QualityDiversityChart.Curve] = [], curveObjects: [[String: Any]] = []
        for group in swept.map(\.group).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } } {
            let members = swept.filter { $0.group == group }
            var points: [(temperature: Double, diversity: Double, quality: Double)] = [], objects: [[String: Any]] = []
            for (index, temperature) in temperatures.enumerated() {
                let pairs = members.compactMap { member -> (Double, Double)? in
                    guard let d = value(member.points[index], "self_bleu4"), let q = value(member.points[index], "bleu4") else { return nil }
                    return (d, q)
                }
                guard !pairs.isEmpty else { continue }
                let diversity = pairs.map(\.0).reduce(0, +) / Double(pairs.count), quality = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
                points.append((temperature, diversity, quality))
                objects.append(["temperature": temperature, "self_bleu4": diversity, "bleu4": quality, "runs": pairs.count,
                                "self_bleu4_min": pairs.map(\.0).min()!, "self_bleu4_max": pairs.map(\.0).max()!,
                                "bleu4_min": pairs.map(\.1).min()!, "bleu4_max": pairs.map(\.1).max()!])
            }
            let label = members.count > 1 ? "\(group) (mean of \(members.count))" : group
            curves.append(QualityDiversityChart.Curve(label: label, points: points))
            curveObjects.append(["label": label, "points": objects])
        }
        let header = ["run", "T", "BLEU-4", "self-BLEU-4", "MS-Jaccard-4", "LM bits/char", "reverse LM bits/char"]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: ["references": references.origin, "runs": runs, "curves": curveObjects],
                                                        options: [.prettyPrinted, .sortedKeys]), to: directory.appendingPathComponent("sweep.json"))
        let title = "Quality against diversity: " + (experiment ?? swept[0].file.path)
        try AtomicFile.write(Data(QualityDiversityChart.page(title: title, curves: curves, header: header, rows: rows).utf8),
                             to: directory.appendingPathComponent("sweep.html"))
        print("\(n) samples per temperature from \(swept.count) checkpoint\(swept.count == 1 ? "" : "s") against \(references.sentences.count) references (\(references.origin))")
        print(header.joined(separator: "\t"))
        rows.forEach { print($0.joined(separator: "\t")) }
        print("written: \(directory.appendingPathComponent("sweep.html").path)")
    }
}
