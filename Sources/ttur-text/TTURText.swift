import ArgumentParser

/// The `ttur-text` root command: it only lists the subcommands.
@main
struct TTURText: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ttur-text",
        abstract: "The TTUR paper's language-GAN and FID experiments, on the CPU, without Python.",
        discussion: """
            Reproduces "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash \
            Equilibrium" (Heusel et al., NIPS 2017): prepare the One Billion Word benchmark, \
            train the character-level WGAN-GP under TTUR or the original schedule while \
            logging n-gram Jensen-Shannon divergences, sample sentences, and compute FID.
            """,
        version: "0.1.0",
        subcommands: [
            Prepare.self, Train.self, Sample.self, Export.self, Eval.self, FIDCommand.self, Image.self, Experiment.self, Report.self,
            Bench.self, Devices.self,
        ]
    )
}
