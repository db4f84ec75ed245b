import ArgumentParser
import Foundation
import ImageData
import ImageGAN
import Layers
import Tensors
import TrainingRuns

struct ImageTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a DCGAN under TTUR or the original single learning rate, logging FID.",
        discussion: """
            TTUR (default): discriminator lr 1e-4, generator lr 5e-4 (the paper's CIFAR-10 \
            setting); orig: 1e-4 for both. Adam β1 = 0.5. Every --fid-every iterations, \
            --fid-samples generated images are scored by FID against the real data's feature \
            statistics (computed once and cached as .npz under ~/.cache/ttur-text), an image \
            grid goes to RUN/samples/, and a line to RUN/log.jsonl. FID features come from \
            pytorch-fid's Inception-v3 with --fid-weights PTH, else from ttur-text's feature \
            classifier (--features FILE; for Fashion-MNIST a committed one by default). The \
            log keys FID by network (fid.inception / fid.classifier): the two are never mixed. \
            Checkpoints every --checkpoint-every iterations and on exit, including Ctrl-C \
            (exit 130) and SIGTERM (143); --resume continues exactly.
            """
    )

    @OptionGroup var data: DatasetOptions
    @Option(name: .customLong("run"), help: "Run directory (default: runs/image-<timestamp>-<schedule>).")
    var runPath: String?
    @Flag(help: "Continue the run in --run from its newest checkpoint (with --iterations/--minutes: a new budget).")
    var resume = false
    @Option(help: "Update schedule: ttur or orig.") var schedule: ImageSchedule = .ttur
    @Option(help: "Discriminator learning rate (default: the schedule's).") var lrD: Float?
    @Option(help: "Generator learning rate (default: the schedule's).") var lrG: Float?
    @Option(help: "Image size, a power of two ≥ 8 (default: 32 for IDX/CIFAR data, 64 for folders).") var size: Int?
    @Option(help: "Network width (DCGAN's gf_dim and df_dim).") var width = 64
    @Option(help: "Batch size.") var batch = 64
    @Option(help: "Stop after this many iterations.") var iterations: Int?
    @Option(help: "Stop after this many minutes of training time (evaluation excluded).") var minutes: Double?
    @Option(help: "FID and an image grid every this many iterations.") var fidEvery = 500
    @Option(help: "Generated images per FID.") var fidSamples = 5000
    @Option(help: "Real images behind the real statistics.") var fidReal = 10000
    @Option(help: "pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth): FID on Inception features.")
    var fidWeights: String?
    @Option(help: "Feature-classifier weights from `ttur-text image features` (default for Fashion-MNIST: the committed one).")
    var features: String?
    @Flag(help: "No FID (grids and losses only).") var noFid = false
    @Option(help: "Images in each grid.") var grid = 64
    @Option(help: "Checkpoint every this many iterations.") var checkpointEvery = 500
    @Option(help: "Checkpoints to keep.") var keep = 3
    @Option(help: "Threads for the engine.") var threads = 2
    @Option(help: "Random seed (weights, batches, noise).") var seed: UInt64 = 0

    func validate() throws {
        if resume && runPath == nil { throw ValidationError("--resume needs --run DIR") }
        if iterations == nil && minutes == nil && !resume {
            throw ValidationError("give --iterations N and/or --minutes M (a budget for the run)")
        }
        for (name, value) in [("--fid-every", fidEvery), ("--fid-samples", fidSamples), ("--fid-real", fidReal),
                              ("--grid", grid), ("--checkpoint-every", checkpointEvery), ("--keep", keep),
                              ("--threads", threads), ("--width", width)] where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if fidSamples < 2 || fidReal < 2 { throw ValidationError("--fid-samples and --fid-real must be at least 2") }
        if batch < 2 { throw ValidationError("--batch must be at least 2 (batch norm)") }
        if let size, !DCGANShape(imageSize: size).isValid { throw ValidationError("--size must be a power of two ≥ 8") }
        if let iterations, iterations < 0 { throw ValidationError("--iterations must not be negative") }
        if let minutes, !(minutes > 0) { throw ValidationError("--minutes must be positive") }
        if noFid && (fidWeights != nil || features != nil) {
            throw ValidationError("--no-fid contradicts --fid-weights/--features")
        }
    }

    func run() throws {
        setvbuf(stdout, nil, _IOLBF, 0)
        let trainer: ImageGANTrainer
        if resume {
            let run = ImageGANTrainer.runDirectory(URL(fileURLWithPath: runPath!))
            guard let latest = run.checkpointFiles().last else {
                throw ValidationError("\(run.checkpoints.path): no checkpoint to resume from")
            }
            let (_, saved, _) = try ImageCheckpoint.load(latest.url)
            let images = try DatasetOptions.parse(["--dataset", saved.dataset] + (saved.datasetLimit.map { ["--limit", "\($0)"] } ?? []))
                .load(.train, size: saved.model.imageSize)
            let monitor = try fidMonitor(saved, data: images)
            trainer = try ImageGANTrainer(resuming: run, data: images, fid: monitor, iterations: iterations,
                                          minutes: minutes)
        } else {
            let spec = try DatasetSpec(parsing: data.dataset)
            let side = size ?? spec.defaultSize
            let images = try data.load(.train, size: side)
            var c = ImageTrainingConfiguration()
            c.apply(schedule)
            if let lrD { c.discriminatorLearningRate = lrD }
            if let lrG { c.generatorLearningRate = lrG }
            c.model = DCGANShape(imageSize: side, channels: images.channels, generatorWidth: width, discriminatorWidth: width)
            c.batch = batch
            c.iterations = iterations
            c.minutes = minutes
            c.fidEvery = fidEvery
            c.fidSamples = fidSamples
            c.fidRealSamples = fidReal
            c.gridImages = grid
            c.checkpointEvery = checkpointEvery
            c.keepCheckpoints = keep
            c.threads = threads
            c.seed = seed
            c.dataset = data.dataset
            c.datasetLimit = data.limit
            if noFid {
                c.featureWeights = ""
            } else if let fidWeights {
                c.featureNetwork = .inception
                c.featureWeights = URL(fileURLWithPath: fidWeights).path
            } else {
                c.featureNetwork = .classifier
                guard let weights = features.map({ URL(fileURLWithPath: $0) })
                        ?? (spec.isFashionMNIST ? DefaultFeatureWeights.locate() : nil) else {
                    throw ValidationError("no FID feature network for \(data.dataset): train one with `ttur-text image features --dataset \(data.dataset) --out FILE` and pass --features FILE, give --fid-weights PTH, or use --no-fid")
                }
                c.featureWeights = weights.path
            }
            let monitor = try fidMonitor(c, data: images)
            let directory = runPath ?? "runs/image-\(Train.timestamp())-\(schedule.rawValue)"
            trainer = try ImageGANTrainer(configuration: c, run: ImageGANTrainer.runDirectory(URL(fileURLWithPath: directory)),
                                          data: images, fid: monitor)
        }
        let c = trainer.configuration
        print("run \(trainer.run.url.path): \(c.schedule.rawValue), D lr \(c.discriminatorLearningRate), G lr \(c.generatorLearningRate), \(c.model.imageSize)×\(c.model.imageSize)×\(c.model.channels), width \(c.model.generatorWidth), batch \(c.batch), \(trainer.data.count) images (\(trainer.data.name))")
        if let fid = trainer.fid { print("FID features: \(fid.network.identity)") }
        StopRequest.install()
        let line = ProgressLine()
        let outcome = try trainer.train { p in
            var eta = ""
            if let target = p.targetIterations, p.iterationsPerSecond > 0 {
                eta = String(format: "  ETA %.0f s", Double(target - p.iteration) / p.iterationsPerSecond)
            } else if let budget = p.budgetSeconds {
                eta = String(format: "  ETA %.0f s", max(0, budget - p.seconds))
            }
            line.update(String(format: "iter %d  %.2f it/s  D %.4f  G %.4f", p.iteration, p.iterationsPerSecond,
                               p.discriminatorLoss, p.generatorLoss)
                        + (p.latestFID.map { String(format: "  FID %.3f", $0) } ?? "") + eta)
        }
        line.finish("training stopped at iteration \(trainer.progress.iteration) after \(String(format: "%.0f", trainer.progress.elapsedSeconds)) s of training")
        let entries = try String(contentsOf: trainer.run.log, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONDecoder().decode(ImageLogEntry.self, from: Data($0.utf8)) }
        for entry in entries where !entry.fid.isEmpty {
            let scores = entry.fid.sorted { $0.key < $1.key }.map { String(format: "FID(%@) %.3f", $0.key, $0.value) }
            print(String(format: "iteration %6d  %7.1f s  ", entry.iteration, entry.seconds) + scores.joined(separator: "  "))
        }
        print("latest grid: \(trainer.run.sampleFiles().last?.url.path ?? "-")")
        if case let .interrupted(iteration, signal) = outcome {
            print("stopped by signal \(signal) at iteration \(iteration); checkpoint written. Continue with `ttur-text image train --resume --run \(trainer.run.url.path)`")
            throw ExitCode(StopRequest.exitStatus(for: signal))
        }
    }

    /// The FID monitor a configuration asks for (nil without FID), with progress while the
    /// real statistics are computed the first time.
    private func fidMonitor(_ c: ImageTrainingConfiguration, data: ImageDataset) throws -> FIDMonitor? {
        guard !c.featureWeights.isEmpty else { return nil }
        let url = URL(fileURLWithPath: c.featureWeights)
        let network: FIDFeatureNetwork = c.featureNetwork == .inception
            ? try InceptionFeatureNetwork(weights: url) : try ClassifierFeatureNetwork(weights: url)
        let line = ProgressLine()
        let monitor = try FIDMonitor(network: network, data: data, size: c.model.imageSize,
                                     realSamples: c.fidRealSamples, cacheDirectory: FIDMonitor.defaultCacheDirectory) {
            line.update("real statistics: \($0)/\($1) images")
        }
        return monitor
    }
}
