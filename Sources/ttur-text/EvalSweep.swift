import ArgumentParser
import Basics
import Corpus
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
            references. Writes OUT/samples-T.txt, OUT/sweep.json and OUT/sweep.html (the figure: \
            BLEU-4 against self-BLEU-4, one point per temperature; Caccia et al. 2020).
            """
    )

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(name: .short, help: "Samples per temperature.") var n = 640
    @Option(parsing: .upToNextOption, help: "Temperatures (0: argmax).") var temperatures: [Double] = QualityDiversitySweep.defaultTemperatures
    @Option(help: "Prepared dataset for decoding and default references (default: the one the run trained on).") var data: String?
    @Option(help: "References file, one sentence a line (default: held-out shards beside the dataset's, else its last sentences).") var references: String?
    @Option(help: "At most this many default references.") var maxReferences = 2_000
    @Option(help: "Output directory (default: RUN/sweep, or sweep/ beside a --checkpoint FILE).") var out: String?

    func validate() throws {
        guard n >= 2 else { throw ValidationError("-n must be at least 2 (self-BLEU needs two samples)") }
        guard !temperatures.isEmpty, temperatures.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw ValidationError("--temperatures must be 0 or positive")
        }
        guard maxReferences >= 1 else { throw ValidationError("--max-references must be at least 1") }
    }

    func run() throws {
        let (state, configuration, file, _) = try checkpoint.load(LanguageWGAN.self) { LanguageGANState(configuration: $0) }
        let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data ?? configuration.gan.dataDirectory))
        guard dataset.vocabulary.count == configuration.gan.vocabularySize else {
            throw ValidationError("\(dataset.directory.path) has vocabulary \(dataset.vocabulary.count), the checkpoint \(configuration.gan.vocabularySize)")
        }
        let (lines, origin): ([String], String) = try references.map { (try SentenceFile.lines($0, what: "references"), $0) }
            ?? { let loaded = try ReferenceSentences.load(for: dataset, limit: maxReferences); return (loaded.sentences, loaded.origin.description) }()
        let directory = URL(fileURLWithPath: out ?? (checkpoint.runDirectory.map { $0 + "/sweep" }
            ?? file.deletingLastPathComponent().appendingPathComponent("sweep").path))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let points = try QualityDiversitySweep.run(state, vocabulary: dataset.vocabulary, references: lines, temperatures: temperatures,
                                                   count: n, batch: configuration.run.batch, seed: checkpoint.seed)
        var rows: [[String]] = [], json: [[String: Any]] = []
        for point in points {
            let name = String(format: "samples-%g.txt", point.temperature)
            try AtomicFile.write(Data(point.samples.map { $0 + "\n" }.joined().utf8), to: directory.appendingPathComponent(name))
            var object: [String: Any] = ["temperature": point.temperature, "samples": name]
            for (key, value) in point.scores.fields { object[key] = value ?? NSNull() }
            json.append(object)
            rows.append([String(format: "%g", point.temperature)] + ["bleu4", "self_bleu4", "msjaccard4", "lm_bits_per_char", "reverse_lm_bits_per_char"].map { key in
                (point.scores.fields.first { $0.key == key }?.value).flatMap { $0 }.map { String(format: "%.4f", $0) } ?? "-"
            })
        }
        let header = ["T", "BLEU-4", "self-BLEU-4", "MS-Jaccard-4", "LM bits/char", "reverse LM bits/char"]
        let curve = QualityDiversityChart.Curve(label: file.lastPathComponent, points: points.compactMap { point in
            guard let diversity = point.scores.selfBLEU[4], let quality = point.scores.bleu[4] else { return nil }
            return (point.temperature, diversity, quality)
        })
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: ["checkpoint": file.path, "references": origin, "points": json],
                                                        options: [.prettyPrinted, .sortedKeys]), to: directory.appendingPathComponent("sweep.json"))
        try AtomicFile.write(Data(QualityDiversityChart.page(title: "Quality against diversity: \(file.path)", curves: [curve],
                                                             header: header, rows: rows).utf8), to: directory.appendingPathComponent("sweep.html"))
        print("\(n) samples per temperature from \(file.path) against \(lines.count) references (\(origin))")
        print(header.joined(separator: "\t"))
        rows.forEach { print($0.joined(separator: "\t")) }
        print("written: \(directory.appendingPathComponent("sweep.html").path)")
    }
}
