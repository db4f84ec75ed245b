import ArgumentParser
import Benchmarks

/// `ttur-text bench integrity`: parses, runs `IntegrityBench`, prints.
struct BenchIntegrity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integrity",
        abstract: "Time opening a prepared dataset and reading a paper-size checkpoint, with and without their integrity checks.",
        discussion: """
            The dataset is a synthetic corpus of --sentences sentences (built under --work and \
            reused), prepared without n-grams; the checkpoint is a fresh paper-size language \
            WGAN-GP (dim 512, seq 32, vocabulary 96) with its Adam state, as `train` writes it. \
            Files are read warm (in the page cache), --repeats times each way; medians printed.
            """
    )

    @OptionGroup var paths: BenchWorkOptions
    @Option(help: "Sentences in the synthetic dataset (0: skip the dataset).") var sentences = 10_000_000
    @Option(help: "Timed repetitions of each way.") var repeats = 7
    @Option(help: "Model width of the checkpoint (0: skip the checkpoint).") var dim = 512

    func validate() throws {
        guard sentences >= 0, dim >= 0, repeats >= 1 else { throw ValidationError("--sentences, --dim must be ≥ 0 and --repeats ≥ 1") }
    }

    func run() throws {
        var settings = IntegrityBench.Settings(corpus: paths.settings)
        (settings.sentences, settings.repeats, settings.dim) = (sentences, repeats, dim)
        try IntegrityBench.run(settings, report: ProgressLine())
    }
}
