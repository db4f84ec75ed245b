import Basics
import Foundation

/// The package's CUDA C kernel sources (`Sources/CUDA/Kernels/*.cu`, shipped as resources).
public enum CUDAKernelSources {
    /// The source files by name (`elementwise.cu`).
    public static func named(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Kernels"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw LocatedError(file: name, "kernel source missing from the package's resources (Kernels/)")
        }
        return text
    }

    /// Every kernel source file's name.
    public static var all: [String] {
        let directory = Bundle.module.url(forResource: "Kernels", withExtension: nil)
        return ((directory.flatMap { try? FileManager.default.contentsOfDirectory(atPath: $0.path) }) ?? [])
            .filter { $0.hasSuffix(".cu") }.sorted()
    }
}
