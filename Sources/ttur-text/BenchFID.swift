import ArgumentParser
import FID
import Tensors
import Benchmarks
import Foundation

struct BenchFID: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fid",
        abstract: "Time the Fréchet distance and the FID Inception forward pass, beside pytorch-fid.",
        discussion: """
            Mirrors `fid_torch.py bench`: the Fréchet distance of two random 2048-dimensional \
            statistics (features: 3·dims Gaussian rows through a random mixing matrix), and one \
            forward pass of a batch of 64×64 images through the FID Inception-v3 with random \
            weights, after a warm-up pass. With --reference, runs the PyTorch script in the same \
            invocation and prints the ratios.
            """
    )

    @Option(help: "Threads for OpenBLAS and the kernels (the reference gets the same).")
    var threads: Int = 2

    @Option(help: "Images per forward pass.")
    var batch: Int = 50

    @Option(help: "Dimensions of the Fréchet-distance statistics.")
    var dims: Int = 2048

    @Option(help: "Timed forward passes after the warm-up (the median is reported).")
    var repeats: Int = 3

    @Option(help: "A python with torch, pytorch-fid and scipy: runs the reference beside ttur-text.")
    var reference: String?

    @Option(help: "The reference script.")
    var script: String = "../shared/reference/fid_torch.py"

    func validate() throws {
        guard threads >= 1, batch >= 1, dims >= 2, repeats >= 1 else {
            throw ValidationError("--threads, --batch, --repeats must be ≥ 1 and --dims ≥ 2")
        }
    }

    func run() throws {
        Engine.setThreads(threads)
        let ours = FIDBenchmark.run(dimensions: dims, batch: batch, repeats: repeats)
        print("OpenBLAS kernels: \(Engine.blasCore)")
        print(String(format: "ttur-text: frechet_s %.3f (fid %.4f), inception %.2f images/s (batch %d, %d threads, %.3f CPU-s/image)",
                     ours.frechetSeconds, ours.fid, ours.imagesPerSecond, batch, threads, ours.cpuSecondsPerImage))
        guard let reference else { return }
        let output = try BenchChild.output(reference, [script, "bench", "--threads", "\(threads)", "--batch", "\(batch)",
                                                       "--dims", "\(dims)"])
        guard let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let frechet = object["frechet_s"] as? Double, let images = object["inception_images_per_s"] as? Double else {
            throw ValidationError("the reference (\(reference) \(script) bench) printed no JSON")
        }
        print(String(format: "pytorch-fid: frechet_s %.3f (fid %.4f), inception %.2f images/s", frechet,
                     object["fid"] as? Double ?? .nan, images))
        print("| what | ttur-text | pytorch-fid | ratio |")
        print("| --- | --- | --- | --- |")
        print(String(format: "| Fréchet distance, %d dims | %.3f s | %.3f s | %.1f× faster |", dims, ours.frechetSeconds, frechet,
                     frechet / ours.frechetSeconds))
        print(String(format: "| Inception forward, batch %d of 64×64, %d threads | %.2f images/s | %.2f images/s | %.2f× |",
                     batch, threads, ours.imagesPerSecond, images, ours.imagesPerSecond / images))
    }
}
