import CZstd
import FID
import Foundation
import ImageData
import Tensors

/// Valid inputs for every target, written by ttur-text's own writers (and, for `.pth`, the
/// PyTorch fixtures in ../shared when present): libFuzzer mutates from these.
enum FuzzSeeds {
    static func write(into root: URL) throws {
        func put(_ target: String, _ name: String, _ data: Data) throws {
            let directory = root.appendingPathComponent(target)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: directory.appendingPathComponent(name))
        }
        var random = RandomSource(seed: 1)
        let file = SafeTensorsFile(tensors: [
            "w": SafeTensorsEntry(floats: (0..<12).map { Float($0) }, shape: [3, 4]),
            "b": SafeTensorsEntry(doubles: [1, 2], shape: [2]),
        ], metadata: ["format": "seed"])
        try put("safetensors", "seed.safetensors", try file.encoded())

        let statistics = FeatureStatistics(mean: (0..<4).map { _ in random.nextNormal() },
                                           covariance: (0..<16).map { _ in random.nextNormal() }, sampleCount: 10)
        let npz = root.appendingPathComponent("tmp.npz")
        try statistics.write(to: npz)
        try put("npz", "seed.npz", try Data(contentsOf: npz))
        try? FileManager.default.removeItem(at: npz)
        try put("npy", "seed.npy", NumpyArray(SafeTensorsEntry(floats: [1, 2, 3, 4, 5, 6], shape: [2, 3])).npyData())

        var idx = Data([0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 6])
        idx += (0..<(4 * 36)).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        try put("idx", "seed-idx3-ubyte", idx)
        var cifar = Data()
        for record in 0..<2 {
            cifar.append(UInt8(record + 3))
            cifar += (0..<3072).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ record) }
        }
        try put("cifar", "seed.bin", cifar)
        let image = RGBImage(width: 9, height: 7, pixels: (0..<(9 * 7 * 3)).map { UInt8(truncatingIfNeeded: $0 &* 11) })
        try put("png", "seed.png", try image.pngData())

        let text = Data("the cat sat on the mat .\nsecond line here\n".utf8)
        var compressed = [UInt8](repeating: 0, count: ZSTD_compressBound(text.count))
        let size = text.withUnsafeBytes { ZSTD_compress(&compressed, compressed.count, $0.baseAddress, text.count, 3) }
        guard ZSTD_isError(size) == 0 else { throw CocoaError(.fileWriteUnknown) }
        try put("zstd", "seed.zst", Data(compressed.prefix(size)))

        // An 8×8 JPEG written by PIL.
        if let jpeg = Data(base64Encoded: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAIBAQEBAQIBAQECAgICAgQDAgICAgUEBAMEBgUGBgYFBgYGBwkIBgcJBwYGCAsICQoKCgoKBggLDAsKDAkKCgr/2wBDAQICAgICAgUDAwUKBwYHCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgr/wAARCAAIAAgDAREAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD0r46fFP8A4WR/Zf8AxIvsX2Lz/wDl68zfv8v/AGVxjb79a/IvDvwj/wBSPrX+2+29tyf8u+S3Jz/9PJXvzeVrdbl5n4jf8SWcn+y/2r/at/t/VfZfVbf3MRz8/wBY/ucvJ9rm93//2Q==") {
            try put("jpeg", "seed.jpg", jpeg)
        }

        // Files made by PyTorch, when the shared fixtures are beside the checkout.
        let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fixtures/fid")
        for name in ["loader_zip.pth", "loader_legacy.pth"] {
            if let data = try? Data(contentsOf: shared.appendingPathComponent(name)) { try put("pth", name, data) }
        }
        // The formats read back from ttur-text itself: the files their set-ups write.
        for target in FuzzTarget.all where target.setup != nil {
            try put(target.name, "seed-" + target.fileName, try FuzzRunner(target: target).setUpFile())
        }
        print("seeds in \(root.path): \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
    }
}
