import ArgumentParser
import Foundation
import ImageGAN
import LanguageGAN
import TrainingRuns

/// `ttur-text export`: a run's generator alone (no critic, no optimiser state) with its
/// configuration, for sampling (`sample --checkpoint FILE`) and for shipping a trained model.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a checkpoint's generator alone (for sampling and shipping; it cannot resume a run)."
    )

    @OptionGroup var checkpoint: CheckpointOptions
    @Option(help: "Output file (.safetensors).") var out: String

    func run() throws {
        let file = try checkpoint.file()
        let kind = try GANCheckpoint.open(file).kind
        let written: RunProgress
        switch kind {
        case LanguageWGAN.kind: written = try export(LanguageWGAN.self) { LanguageGANState(configuration: $0) }
        case DCGAN.kind: written = try export(DCGAN.self) { DCGANState(configuration: $0) }
        case WGANImage.kind: written = try export(WGANImage.self) { WGANImageGAN(configuration: $0) }
        default: throw ValidationError("\(file.path) holds a \(kind) run, which export does not know")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print("\(out): the generator of \(file.lastPathComponent) (\(kind), iteration \(written.iteration)), \(size / 1_000_000) MB")
    }

    private func export<GAN: TrainableGAN, State: CheckpointedNetworks>(
        _ type: GAN.Type, make: (RunConfiguration<GAN.Settings>) -> State
    ) throws -> RunProgress {
        let (state, configuration, _, progress) = try checkpoint.load(type, announce: false, make: make)
        try GANCheckpoint.save(state, kind: GAN.kind, configuration: configuration, progress: progress,
                               to: URL(fileURLWithPath: out), roles: ["generator"])
        return progress
    }
}
