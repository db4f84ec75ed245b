import Basics
import ArgumentParser
import Corpus
import Foundation
import NGrams

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate samples against a prepared dataset.",
        subcommands: [EvalJSD.self, EvalText.self]
    )
}

struct EvalJSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsd",
        abstract: "N-gram Jensen-Shannon divergence of samples against the corpus statistics.",
        discussion: """
            Each line of FILE is one sample, encoded with the dataset's vocabulary and unit \
            and cut/padded to its sequence length, as the corpus was. The table also shows \
            the JSD over the n-grams that are not all padding (what `train` selects its best \
            checkpoint by; 1 for samples of nothing but padding).
            """
    )

    @Option(help: "Prepared dataset directory (with ngrams.sqlite).")
    var data: String

    @Option(help: "Samples file, one sentence a line.")
    var samples: String

    @Option(help: "Largest n-gram order to evaluate.")
    var ngram: Int = 6

    @Flag(help: "Print one JSON object {\"1\": …, …} instead of a table.")
    var json = false

    func validate() throws {
        guard (1...8).contains(ngram) else { throw ValidationError("--ngram must be between 1 and 8") }
    }

    func run() throws {
        // The manifest and vocabulary only: the dataset's sentences are not needed here.
        let dataset = try DatasetHeader(directory: URL(fileURLWithPath: data))
        let store = try NGramStore(dataset: dataset)
        let lines = try sentenceLines(samples, what: "samples")
        let encoded = try dataset.vocabulary.encode(lines: lines, length: dataset.sequenceLength)
        if json {
            let scores = try store.jsd(samples: encoded, maxN: ngram)
            let fields = (1...ngram).map { "\"\($0)\": \(scores[$0]!)" }
            print("{" + fields.joined(separator: ", ") + "}")
        } else if let padding = dataset.vocabulary.padding {
            let scores = try store.jsd(samples: encoded, maxN: ngram, padding: padding)
            print("n\tJSD\tJSD of n-grams not all padding")
            for n in 1...ngram {
                print("\(n)\t\(String(format: "%.6f", scores.all[n]!))\t\(String(format: "%.6f", scores.nonPadding[n]!))")
            }
        } else {
            let scores = try store.jsd(samples: encoded, maxN: ngram)
            print("n\tJSD")
            for n in 1...ngram { print("\(n)\t\(String(format: "%.6f", scores[n]!))") }
        }
    }
}

/// The lines of a sentence file (one sentence a line, split on bytes: "\r\n" is one Character
/// and the encoder drops a trailing "\r"; a final newline ends the last line).
/// - throws: `LocatedError` naming the file when it cannot be read or holds no lines.
func sentenceLines(_ path: String, what: String) throws -> [String] {
    guard let text = FileManager.default.contents(atPath: path) else {
        throw LocatedError(file: path, "cannot read the \(what) file")
    }
    var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    guard !lines.isEmpty else { throw LocatedError(file: path, "no \(what) in the file") }
    return lines.map { String(decoding: $0, as: UTF8.self) }
}

struct EvalText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Word-level BLEU-2…5 of samples against real sentences, and self-BLEU among the samples.",
        discussion: """
            NLTK's corpus_bleu with smoothing method 1 and uniform weights, words split on \
            whitespace (as Texygen scores text GANs). Self-BLEU scores each sample against all \
            the other samples, never itself. References: --references FILE (one a line), else \
            the benchmark's held-out shards beside the shards the dataset was prepared from \
            (cut and encoded as the dataset's own sentences), else the dataset's last \
            --max-references sentences, which preparation does not hold out from training.
            """
    )

    @Option(help: "Prepared dataset directory.")
    var data: String

    @Option(help: "Samples file, one sentence a line.")
    var samples: String

    @Option(help: "References file, one sentence a line (default: held-out sentences; see below).")
    var references: String?

    @Option(help: "At most this many default references.")
    var maxReferences = 10_000

    @Flag(help: "Print one JSON object {\"bleu2\": …, …, \"self_bleu5\": …}.")
    var json = false

    func validate() throws {
        guard maxReferences >= 1 else { throw ValidationError("--max-references must be at least 1") }
    }

    func run() throws {
        let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data))
        let hypotheses = BLEU.wordLists(try sentenceLines(samples, what: "samples"))
        guard !hypotheses.isEmpty else { throw LocatedError(file: samples, "no samples in the file (only blank lines)") }
        let (lines, origin): ([String], String) = try references.map { (try sentenceLines($0, what: "references"), $0) }
            ?? { let loaded = try ReferenceSentences.load(for: dataset, limit: maxReferences); return (loaded.sentences, loaded.origin.description) }()
        let referenceWords = BLEU.wordLists(lines)
        guard !referenceWords.isEmpty else { throw LocatedError(file: references ?? data, "no references (only blank lines)") }
        // One sample has no other to be scored against: its self-BLEU is null.
        let (bleu, selfBLEU) = try BLEU.scores(hypotheses: hypotheses, references: referenceWords)
        let orders = BLEU.defaultOrders
        if json {
            let fields = orders.map { "\"bleu\($0)\": \(bleu[$0]!)" }
                + orders.map { "\"self_bleu\($0)\": \(selfBLEU[$0].map { "\($0)" } ?? "null")" }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print("\(hypotheses.count) samples against \(referenceWords.count) references: \(origin)")
            print("n\tBLEU\tself-BLEU")
            for n in orders {
                print("\(n)\t\(String(format: "%.6f", bleu[n]!))\t\(selfBLEU[n].map { String(format: "%.6f", $0) } ?? "-")")
            }
        }
    }
}
