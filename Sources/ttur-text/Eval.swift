import Basics
import ArgumentParser
import Corpus
import Foundation
import NGrams
import FID

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate samples against a prepared dataset.",
        subcommands: [EvalJSD.self, EvalText.self, EvalSweep.self]
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

    @Flag(help: "Print one JSON object {\"1\": …, …} instead of a table (with --floors, also \"floors\": {\"real\", \"empty\", \"commonest\", …}).")
    var json = false

    @Flag(help: "Also score, on the same statistics and at the same sample size: as many real sentences (the floor), as many empty lines, and as many copies of the commonest training sentence (reads the dataset's sentences).")
    var floors = false

    @Option(help: "With --floors: the real sentences, one a line (default: the held-out shards beside the dataset's, else its last sentences, which it also trains on).")
    var real: String?

    func validate() throws {
        guard (1...8).contains(ngram) else { throw ValidationError("--ngram must be between 1 and 8") }
        if real != nil && !floors { throw ValidationError("--real needs --floors") }
    }

    func run() throws {
        // The manifest and vocabulary only: without --floors the dataset's sentences are not needed.
        let directory = URL(fileURLWithPath: data)
        let dataset = try DatasetHeader(directory: directory)
        let store = try NGramStore(dataset: dataset)
        let lines = try SentenceFile.lines(samples, what: "samples")
        let encoded = try dataset.vocabulary.encode(lines: lines, length: dataset.sequenceLength)
        // Both JSDs from one counting pass where the vocabulary has a padding unit.
        let both = try dataset.vocabulary.padding.map { try store.jsd(samples: encoded, maxN: ngram, padding: $0) }
        let scores = try both?.all ?? store.jsd(samples: encoded, maxN: ngram)
        var points: (JSDReferencePoints, origin: String)?
        if floors {
            let full = try PreparedDataset(directory: directory)
            let (realLines, origin) = try ReferenceSentences.load(file: real, what: "real sentences", for: full, limit: 100_000)
            points = (try JSDReferencePoints(store: store, sentences: SentenceIndex(full), real: realLines,
                                             count: lines.count, maxN: ngram), origin)
        }
        let orders = 1...ngram
        if json {
            let object = { (values: [Int: Double]) in "{" + orders.map { "\"\($0)\": \(values[$0]!)" }.joined(separator: ", ") + "}" }
            var fields = orders.map { "\"\($0)\": \(scores[$0]!)" }
            if let (p, origin) = points {
                let text = { (value: String) in String(decoding: try! JSONEncoder().encode(value), as: UTF8.self) }
                fields.append("\"floors\": {\"real\": \(object(p.real)), \"real_count\": \(p.realCount), \"real_origin\": \(text(origin)), "
                              + "\"empty\": \(object(p.empty)), \"commonest\": \(object(p.commonest)), \"commonest_sentence\": \(text(p.commonestSentence))}")
            }
            print("{" + fields.joined(separator: ", ") + "}")
        } else if let (p, origin) = points {
            print("\(lines.count) samples; real: \(p.realCount) sentences from \(origin); commonest: \"\(p.commonestSentence)\"")
            print("n\tJSD\treal\tempty\tcommonest")
            for n in orders {
                print("\(n)\t" + [scores[n]!, p.real[n]!, p.empty[n]!, p.commonest[n]!].map { String(format: "%.6f", $0) }.joined(separator: "\t"))
            }
        } else if let nonPadding = both?.nonPadding {
            print("n\tJSD\tJSD of n-grams not all padding")
            for n in orders {
                print("\(n)\t" + [scores[n]!, nonPadding[n]!].map { String(format: "%.6f", $0) }.joined(separator: "\t"))
            }
        } else {
            print("n\tJSD")
            for n in orders { print("\(n)\t\(String(format: "%.6f", scores[n]!))") }
        }
    }
}

struct EvalText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text",
        abstract: "Word-level BLEU-2…5 and MS-Jaccard-2…5 of samples against real sentences, self-BLEU among the samples, and their novelty.",
        discussion: """
            NLTK's corpus_bleu with smoothing method 1 and uniform weights, words split on \
            whitespace (as Texygen scores text GANs). Self-BLEU scores each sample against all \
            the other samples, never itself. MS-Jaccard-n (Montahaei et al. 2019): the geometric \
            mean over k = 1…n of the Jaccard similarity of the samples' and the references' \
            word k-gram multisets, counts divided by each set's number of sentences. Novelty: the \
            share of samples that are training sentences verbatim, and the share of their words \
            that are no word of the training sentences. Language-model scores (Semeniuta et al.): \
            a character 5-gram model with NLTK's interpolated Kneser-Ney (discount 0.1) built \
            from the references scores the samples (lm: bits per character, quality), one built \
            from the samples scores the references (reverse lm: diversity and coverage); \
            characters the model never saw have probability 0 and are counted apart \
            (lm_unseen_share). References: --references FILE (one a line), else \
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

    @Option(help: "A sentence-transformers model folder (all-MiniLM-L6-v2: config.json, vocab.txt, model.safetensors): also the Fréchet distance between the samples' and the references' sentence embeddings (embedding_fd).")
    var embedder: String?

    @Flag(help: "Print one JSON object {\"bleu2\": …, \"self_bleu5\": …, \"msjaccard2\": …, \"copied_share\": …, \"unknown_word_share\": …}.")
    var json = false

    func validate() throws {
        guard maxReferences >= 1 else { throw ValidationError("--max-references must be at least 1") }
    }

    func run() throws {
        let dataset = try PreparedDataset(directory: URL(fileURLWithPath: data))
        let sampleLines = try SentenceFile.lines(samples, what: "samples")
        let (lines, origin) = try ReferenceSentences.load(file: references, for: dataset, limit: maxReferences)
        guard !BLEU.wordLists(sampleLines).isEmpty else { throw LocatedError(file: samples, "no samples in the file (only blank lines)") }
        guard !BLEU.wordLists(lines).isEmpty else { throw LocatedError(file: references ?? data, "no references (only blank lines)") }
        let scores = try TextScores(samples: sampleLines, references: lines)
        let novelty = TextNovelty(dataset: dataset).shares(of: sampleLines)
        let embeddingFD = try embedder.map { try SentenceEncoder(folder: URL(fileURLWithPath: $0)).frechetDistance(sampleLines, lines) }
        let number = { (value: Double?) in value.map { "\($0)" } ?? "null" }
        if json {
            let fields = scores.fields.map { "\"\($0.key)\": \(number($0.value))" }
                + ["\"copied_share\": \(novelty.copied)", "\"unknown_word_share\": \(number(novelty.unknownWords))"]
                + (embeddingFD.map { ["\"embedding_fd\": \($0)"] } ?? [])
            print("{" + fields.joined(separator: ", ") + "}")
        } else {
            let cell = { (value: Double?) in value.map { String(format: "%.6f", $0) } ?? "-" }
            print("\(scores.sampleCount) samples against \(scores.referenceCount) references: \(origin)")
            print("n\tBLEU\tself-BLEU\tMS-Jaccard")
            for n in BLEU.defaultOrders {
                print("\(n)\t\(cell(scores.bleu[n]))\t\(cell(scores.selfBLEU[n]))\t\(cell(scores.msJaccard[n] ?? nil))")
            }
            for (name, score) in [("lm (references' model on the samples)", scores.languageModel),
                                  ("reverse lm (samples' model on the references)", scores.reverseLanguageModel)] {
                print("\(name): " + (score.bitsPerCharacter.map { String(format: "%.4f bits per character", $0) } ?? "no character scored")
                      + String(format: "; %.2f%% of characters unseen by the model", 100 * score.unseenShare))
            }
            if let embeddingFD { print("sentence-embedding Fréchet distance (\(embedder!)): \(embeddingFD)") }
            print(String(format: "novelty: %.1f%% of the samples are training sentences; ", 100 * novelty.copied)
                  + (novelty.unknownWords.map { String(format: "%.1f%% of their words are no word of the training sentences", 100 * $0) }
                     ?? "they have no words"))
        }
    }
}
