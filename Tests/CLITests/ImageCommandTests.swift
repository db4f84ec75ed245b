import Foundation
import ImageData
import Tensors
import XCTest
import _TestSupport

/// `ttur-text image …` as real processes on a small IDX file: training, its log, grids that
/// libpng reads back, checkpoints, exact resume, `kill -9` at random moments, sampling,
/// the feature classifier, and bad input.
final class ImageCommandTests: XCTestCase {
    private var directory: TemporaryDirectory!
    private var images: URL!
    private var labels: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory(prefix: "ttur-image")
        images = directory.url.appendingPathComponent("tiny-images-idx3-ubyte")
        labels = directory.url.appendingPathComponent("tiny-labels-idx1-ubyte")
        // 96 images of 14×14: bright left or right half (the label), with noise.
        var random = RandomSource(seed: 3)
        var pixels = Data(), classes = Data()
        for _ in 0..<96 {
            let label = random.nextInt(below: 2)
            classes.append(UInt8(label))
            for _ in 0..<14 { for x in 0..<14 {
                let bright = (x < 7) == (label == 0)
                pixels.append(UInt8(max(0, min(255, (bright ? 200 : 40) + Int(random.nextNormal() * 20)))))
            } }
        }
        func header(_ magic: UInt8, _ dims: [Int]) -> Data {
            var data = Data([0, 0, 8, magic])
            for d in dims { data += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
            return data
        }
        try (header(3, [96, 14, 14]) + pixels).write(to: images)
        try (header(1, [96]) + classes).write(to: labels)
    }

    private var dataset: String { "idx:\(images.path),\(labels.path)" }
    private func common(_ extra: [String] = []) -> [String] {
        ["--dataset", dataset, "--size", "16", "--width", "4", "--batch", "8", "--fid-every", "2", "--fid-samples", "20",
         "--fid-real", "40", "--grid", "9", "--checkpoint-every", "2", "--threads", "1", "--seed", "5"] + extra
    }
    private var cacheEnvironment: [String: String] { ["XDG_CACHE_HOME": directory.url.appendingPathComponent("cache").path] }

    func testFeaturesTrainResumeAndSample() throws {
        // The feature classifier on the tiny set (train and test are the same IDX file here).
        let weights = directory.url.appendingPathComponent("classifier.safetensors")
        let features = try TTURTextExecutable.run(["image", "features", "--dataset", dataset, "--size", "16", "--epochs", "2",
                                                   "--batch", "16", "--threads", "1", "--out", weights.path])
        XCTAssertEqual(features.status, 0, features.standardError)
        XCTAssertTrue(features.standardOutput.contains("test accuracy"), features.standardOutput)

        let straight = directory.url.appendingPathComponent("straight")
        let first = try TTURTextExecutable.run(["image", "train", "--run", straight.path, "--iterations", "6",
                                                "--features", weights.path] + common(), environment: cacheEnvironment)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.contains("FID(classifier)"), first.standardOutput)
        let log = try String(contentsOf: straight.appendingPathComponent("log.jsonl"), encoding: .utf8)
        let lines = log.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(lines.map { $0["iteration"] as? Int }, [0, 2, 4, 6])
        for line in lines { XCTAssertNotNil((line["fid"] as? [String: Double])?["classifier"], "\(line)") }
        XCTAssertNotNil(lines.last?["d_loss"])
        let grid = try RGBImage(contentsOf: straight.appendingPathComponent("samples/iter-00000006.png"))
        XCTAssertEqual(grid.width, 3 * 18 + 2)

        // Stopped at 4 and resumed to 6: the same checkpoint, bit for bit.
        let split = directory.url.appendingPathComponent("split")
        XCTAssertEqual(try TTURTextExecutable.run(["image", "train", "--run", split.path, "--iterations", "4",
                                                   "--features", weights.path] + common(), environment: cacheEnvironment).status, 0)
        let resumed = try TTURTextExecutable.run(["image", "train", "--resume", "--run", split.path, "--iterations", "6"],
                                                 environment: cacheEnvironment)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        try assertSameCheckpoint(straight, split, iteration: 6)

        let out = directory.url.appendingPathComponent("grid.png")
        let sample = try TTURTextExecutable.run(["image", "sample", "--run", straight.path, "-n", "5", "--out", out.path])
        XCTAssertEqual(sample.status, 0, sample.standardError)
        let sampled = try RGBImage(contentsOf: out)
        XCTAssertEqual(sampled.width, 3 * 18 + 2)
        XCTAssertEqual(sampled.height, 2 * 18 + 2)
    }

    /// `--fid-weights`: FID on pytorch-fid's Inception-v3 (here the randomly initialised
    /// network of the FID fixtures, in the same file format as the released weights), logged
    /// under its own key, with KID and precision/recall (`--kid --pr`) beside it; a second run
    /// takes the real features from the cache.
    func testInceptionFeaturesAreLoggedApart() throws {
        let weights = try SharedData.require("fixtures/fid/inception_random.pth")
        var logs: [[[String: Any]]] = []
        for name in ["inception", "inception-cached"] {
            let run = directory.url.appendingPathComponent(name)
            let result = try TTURTextExecutable.run(["image", "train", "--run", run.path, "--iterations", "2",
                                                     "--fid-weights", weights.path, "--threads", "2",
                                                     "--kid", "--kid-subset-size", "6", "--pr"]
                                                    + common(["--fid-samples", "8", "--fid-real", "12", "--fid-every", "2"]),
                                                    environment: cacheEnvironment)
            XCTAssertEqual(result.status, 0, result.standardError)
            XCTAssertTrue(result.standardOutput.contains("FID features: pytorch-fid Inception-v3"), result.standardOutput)
            XCTAssertTrue(result.standardOutput.contains("KID(inception)"), result.standardOutput)
            let lines = try String(contentsOf: run.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
            logs.append(try lines.map { try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) })
        }
        for line in logs.joined() {
            let fid = try XCTUnwrap(line["fid"] as? [String: Double])
            XCTAssertEqual(Array(fid.keys), ["inception"], "never mixed with the classifier's")
            XCTAssertTrue(fid["inception"]!.isFinite)
            for key in ["kid", "kid_std", "precision", "recall"] {
                let value = try XCTUnwrap((line[key] as? [String: Double])?["inception"], "\(key) in \(line)")
                XCTAssertTrue(value.isFinite, "\(key) \(value)")
                if key == "precision" || key == "recall" { XCTAssertTrue((0...1).contains(value), "\(key) \(value)") }
            }
        }
        // The same run from cached real features gives the same numbers.
        for key in ["fid", "kid", "precision", "recall"] {
            XCTAssertEqual(logs[0].map { $0[key] as? [String: Double] }, logs[1].map { $0[key] as? [String: Double] }, key)
        }
        let cached = try FileManager.default.contentsOfDirectory(
            atPath: directory.url.appendingPathComponent("cache/ttur-text/fid-statistics").path)
        XCTAssertEqual(cached.filter { $0.hasPrefix("real-inception-") && $0.hasSuffix(".npz") }.count, 1, "\(cached)")
        XCTAssertEqual(cached.filter { $0.hasPrefix("real-inception-") && $0.hasSuffix("-features.npy") }.count, 1, "\(cached)")
    }

    func testKilledImageTrainingResumesToTheSameParameters() throws {
        let straight = directory.url.appendingPathComponent("straight")
        XCTAssertEqual(try TTURTextExecutable.run(["image", "train", "--run", straight.path, "--iterations", "10",
                                                   "--no-fid"] + common(["--checkpoint-every", "1"])).status, 0)
        let killed = directory.url.appendingPathComponent("killed")
        var random = RandomSource(seed: 8)
        var kills = 0
        for _ in 0..<30 {
            let hasCheckpoint = !((try? FileManager.default.contentsOfDirectory(
                atPath: killed.appendingPathComponent("checkpoints").path)) ?? []).filter { $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }.isEmpty
            let process = Process()
            process.executableURL = TTURTextExecutable.url
            process.arguments = ["image", "train", "--run", killed.path, "--iterations", "10"]
                + (hasCheckpoint ? ["--resume"] : ["--no-fid"] + common(["--checkpoint-every", "1"]))
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if kills < 4 {
                usleep(UInt32(20_000 + random.nextInt(below: 150_000)))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            process.waitUntilExit()
            for name in (try? FileManager.default.contentsOfDirectory(atPath: killed.appendingPathComponent("checkpoints").path)) ?? []
            where name.hasSuffix(".safetensors") && !name.hasPrefix(".") {
                XCTAssertNoThrow(try SafeTensorsFile(contentsOf: killed.appendingPathComponent("checkpoints/\(name)")), name)
            }
            if process.terminationReason == .exit && process.terminationStatus == 0 { break }
        }
        XCTAssertGreaterThan(kills, 0, "no kill landed while training ran")
        try assertSameCheckpoint(straight, killed, iteration: 10)
    }

    func testBadInputIsAOneLineError() throws {
        let missing = directory.url.appendingPathComponent("nope-idx3-ubyte").path
        let run = ["--run", directory.url.appendingPathComponent("bad-run").path, "--iterations", "1"]
        for (arguments, expected) in [
            (["image", "train", "--dataset", "idx:\(missing)", "--no-fid"] + run, missing),
            (["image", "train", "--dataset", "mnist-ish", "--no-fid"] + run, "mnist-ish"),
            (["image", "train", "--dataset", dataset] + run, "no FID feature network"),
            (["image", "train", "--dataset", dataset, "--size", "28", "--no-fid"] + run, "power of two"),
            (["image", "train", "--dataset", dataset, "--max-images", "95", "--no-fid"] + run, "96 images exceed the bound of 95"),
            (["image", "train", "--dataset", dataset, "--no-fid", "--kid"] + run, "--no-fid contradicts"),
            (["image", "train", "--dataset", dataset, "--kid", "--kid-subset-size", "200", "--fid-samples", "100"] + run,
             "--kid-subset-size 200 must be at least 2 and at most --fid-samples and --fid-real (100, 10000)"),
            (["image", "train", "--dataset", dataset, "--size", "16", "--features", images.path] + run, images.path),
            (["image", "sample", "--run", directory.url.appendingPathComponent("none").path], "no checkpoint"),
            // A read-only location (sysfs refuses even root).
            (["image", "train", "--dataset", dataset, "--size", "16", "--no-fid", "--run", "/sys/ttur-text-image",
              "--iterations", "1"], "/sys/ttur-text-image"),
        ] {
            let result = try TTURTextExecutable.run(arguments, environment: cacheEnvironment)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            // The first line says what is wrong (flag errors add ArgumentParser's usage below it).
            let first = result.standardError.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(first.contains(expected), "\(arguments): \(result.standardError)")
            XCTAssertFalse(result.standardError.contains("Fatal error"), result.standardError)
        }
    }

    private func assertSameCheckpoint(_ a: URL, _ b: URL, iteration: Int) throws {
        let name = String(format: "checkpoints/iter-%08d.safetensors", iteration)
        let x = try SafeTensorsFile(contentsOf: a.appendingPathComponent(name))
        let y = try SafeTensorsFile(contentsOf: b.appendingPathComponent(name))
        XCTAssertEqual(Set(x.tensors.keys), Set(y.tensors.keys))
        for (key, entry) in x.tensors { XCTAssertEqual(entry, y.tensors[key], key) }
        XCTAssertEqual(x.metadata["random_state"], y.metadata["random_state"])
    }

    /// `image train --model wgan-gp`: FID (classifier) and the WGAN-GP losses in the log, grids,
    /// resume bit for bit after a stop and after `kill -9`, sampling from the checkpoint.
    func testWGANGPImageTrainingLogsResumesSurvivesKillAndSamples() throws {
        let weights = directory.url.appendingPathComponent("classifier32.safetensors")
        let features = try TTURTextExecutable.run(["image", "features", "--dataset", dataset, "--size", "32", "--epochs", "1",
                                                   "--batch", "16", "--threads", "1", "--out", weights.path])
        XCTAssertEqual(features.status, 0, features.standardError)
        func wgan(_ run: URL, _ iterations: Int, _ extra: [String] = []) throws -> CommandResult {
            try TTURTextExecutable.run(["image", "train", "--model", "wgan-gp", "--run", run.path, "--iterations", "\(iterations)",
                                        "--dataset", dataset, "--size", "32", "--dim", "2", "--batch", "4", "--fid-every", "2",
                                        "--fid-samples", "20", "--fid-real", "40", "--grid", "4", "--checkpoint-every", "1",
                                        "--threads", "1", "--seed", "3", "--features", weights.path] + extra,
                                       environment: cacheEnvironment)
        }
        let straight = directory.url.appendingPathComponent("wgan-straight")
        let first = try wgan(straight, 4)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.contains("WGAN-GP ttur"), first.standardOutput)
        let lines = try String(contentsOf: straight.appendingPathComponent("log.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(lines.map { $0["iteration"] as? Int }, [0, 2, 4])
        // Model selection by FID: best.safetensors is the evaluation with the lowest FID, and
        // the periodic checkpoint of its iteration bit for bit where there is one (not at 0).
        let fids = try lines.map { (try XCTUnwrap($0["iteration"] as? Int), try XCTUnwrap(($0["fid"] as? [String: Double])?["classifier"])) }
        let lowest = try XCTUnwrap(fids.min { $0.1 < $1.1 })
        XCTAssertEqual((lines.last?["selection"] as? [String: Any])?["best_iteration"] as? Int, lowest.0)
        let bestFile = straight.appendingPathComponent("checkpoints/best.safetensors")
        XCTAssertEqual(try SafeTensorsFile(contentsOf: bestFile).metadata["iteration"], String(lowest.0))
        if lowest.0 > 0 {
            XCTAssertEqual(try Data(contentsOf: bestFile),
                           try Data(contentsOf: straight.appendingPathComponent(String(format: "checkpoints/iter-%08d.safetensors", lowest.0))))
        }
        XCTAssertNotNil(lines.last?["wasserstein"])
        XCTAssertNotNil(lines.last?["gradient_penalty"])
        XCTAssertNotNil((lines.last?["fid"] as? [String: Double])?["classifier"])
        XCTAssertEqual(try RGBImage(contentsOf: straight.appendingPathComponent("samples/iter-00000004.png")).width, 2 * 34 + 2)
        let checkpoint = try SafeTensorsFile(contentsOf: straight.appendingPathComponent("checkpoints/iter-00000004.safetensors"))
        XCTAssertEqual(checkpoint.metadata["gan"], "wgan-gp-image")

        // Stopped at 2 and resumed to 4 (the model comes from the checkpoint).
        let split = directory.url.appendingPathComponent("wgan-split")
        XCTAssertEqual(try wgan(split, 2).status, 0)
        let resumed = try TTURTextExecutable.run(["image", "train", "--resume", "--run", split.path, "--iterations", "4"],
                                                 environment: cacheEnvironment)
        XCTAssertEqual(resumed.status, 0, resumed.standardError)
        try assertSameCheckpoint(straight, split, iteration: 4)

        // Killed once while training, then resumed.
        let killed = directory.url.appendingPathComponent("wgan-killed")
        let process = Process()
        process.executableURL = TTURTextExecutable.url
        process.arguments = ["image", "train", "--model", "wgan-gp", "--run", killed.path, "--iterations", "4", "--dataset", dataset,
                             "--size", "32", "--dim", "2", "--batch", "4", "--fid-every", "2", "--fid-samples", "20",
                             "--fid-real", "40", "--grid", "4", "--checkpoint-every", "1", "--threads", "1", "--seed", "3",
                             "--features", weights.path]
        process.environment = ProcessInfo.processInfo.environment.merging(cacheEnvironment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoints = killed.appendingPathComponent("checkpoints")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning,
              ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []).filter({ $0.hasPrefix("iter-") && $0.hasSuffix(".safetensors") }).isEmpty {
            usleep(5_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let again = try TTURTextExecutable.run(["image", "train", "--resume", "--run", killed.path, "--iterations", "4"],
                                               environment: cacheEnvironment)
        XCTAssertEqual(again.status, 0, again.standardError)
        try assertSameCheckpoint(straight, killed, iteration: 4)

        let out = directory.url.appendingPathComponent("wgan-grid.png")
        let sample = try TTURTextExecutable.run(["image", "sample", "--run", straight.path, "-n", "3", "--out", out.path])
        XCTAssertEqual(sample.status, 0, sample.standardError)
        XCTAssertTrue(sample.standardError.hasPrefix("sampling \(bestFile.path): iteration \(lowest.0), FID (classifier) "),
                      sample.standardError)
        XCTAssertEqual(try RGBImage(contentsOf: out).height, 2 * 34 + 2)  // 3 images: 2 × 2
    }
}
