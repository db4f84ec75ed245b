import Basics
import ArgumentParser
import Corpus
import Foundation
import NGrams

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate samples against a prepared dataset.",
        subcommands: [EvalJSD.self]
    )
}

struct EvalJSD: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsd",
        abstract: "N-gram Jensen-Shannon divergence of samples against the corpus statistics.",
        discussion: """
            Each line of FILE is one sample, encoded with the dataset's vocabulary and unit \
            and cut/padded to its sequence length, as the corpus was.
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
        let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data))
        let store = try NGramStore(dataset: dataset)
        guard let text = FileManager.default.contents(atPath: samples) else {
            throw LocatedError(file: samples, "cannot read the samples file")
        }
        // Split on bytes: "\r\n" is one Character, and the encoder drops a trailing "\r".
        var lines = text.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw LocatedError(file: samples, "no samples in the file") }
        let encoded = try dataset.vocabulary.encode(lines: lines.map { String(decoding: $0, as: UTF8.self) },
                                                    length: dataset.sequenceLength)
        let scores = try store.jsd(samples: encoded, maxN: ngram)
        if json {
            let fields = (1...ngram).map { "\"\($0)\": \(scores[$0]!)" }
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            print("n\tJSD")
            for n in 1...ngram { print("\(n)\t\(String(format: "%.6f", scores[n]!))") }
        }
    }
}
