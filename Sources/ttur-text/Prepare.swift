import ArgumentParser

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prepare a corpus: vocabulary, encoded dataset and n-gram statistics.",
        subcommands: [PrepareCorpus.self, PrepareNGrams.self]
    )
}

struct PrepareCorpus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "corpus",
        abstract: "Tokenize a One Billion Word-style corpus into a prepared dataset.",
        discussion: """
            DIR is a directory in the benchmark's layout \
            (training-monolingual.tokenized.shuffled/news.en-000NN-of-00100[.zst]). \
            Without DIR the bundled sample in Corpora/ is used.
            """
    )

    @Argument(help: "Corpus directory in the One Billion Word layout (default: the bundled corpus).")
    var directory: String?

    func run() throws { throw NotImplementedYet(command: "prepare corpus") }
}

struct PrepareNGrams: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ngrams",
        abstract: "(Re)build the n-gram statistics store of a prepared dataset."
    )

    @Option(help: "Prepared dataset directory.")
    var data: String

    @Option(help: "Largest n-gram order to count.")
    var ngram: Int = 6

    func run() throws { throw NotImplementedYet(command: "prepare ngrams") }
}
