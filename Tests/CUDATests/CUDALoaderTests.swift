@testable import CUDA
import Foundation
import XCTest
import _TestSupport

/// The CUDA libraries' run-time discovery and its errors, and the kernel sources checked by
/// clang's CUDA front end: what can be shown on a machine without a GPU. On the GPU itself,
/// `ttur-text devices --check` (scripts/device/) runs the kernels.
final class CUDALoaderTests: XCTestCase {
    /// TTUR_CUDA_LIBS comes first, then the loader's sonames, newest CUDA first.
    func testSearchOrder() {
        let candidates = CUDALibraries.candidates(for: .nvrtc, environment: ["TTUR_CUDA_LIBS": "/opt/cuda-libs", "HOME": "/nonexistent"])
        XCTAssertEqual(Array(candidates.prefix(5)), ["/opt/cuda-libs/libnvrtc.so.13", "/opt/cuda-libs/libnvrtc.so.12",
                                                     "/opt/cuda-libs/libnvrtc.so.11.2", "/opt/cuda-libs/libnvrtc.so", "libnvrtc.so.13"])
        XCTAssertEqual(CUDALibraries.candidates(for: .driver, environment: [:]).prefix(2), ["libcuda.so.1", "libcuda.so"])
    }

    /// pip's wheels put libraries in site-packages/nvidia/<component>/lib: found there.
    func testPipWheelFoldersAreSearched() throws {
        let home = try TemporaryDirectory(prefix: "ttur-cuda-home")
        let lib = home.url.appendingPathComponent(".local/lib/python3.12/site-packages/nvidia/cublas/lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        try Data().write(to: lib.appendingPathComponent("libcublas.so.12"))
        XCTAssertTrue(CUDALibraries.pythonLibraryDirectories(home: home.url.path).contains(lib.path))
        XCTAssertTrue(CUDALibraries.candidates(for: .cublas, environment: ["HOME": home.url.path]).contains(lib.path + "/libcublas.so.12"))
    }

    /// Without a driver: `devices` is one line naming what is missing, exit 1. (On a machine
    /// with a GPU this test would not run as written; this one has none, as CI has none.)
    func testWithoutADriverDevicesIsAOneLineError() throws {
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/nvidia0"), "this machine has an NVIDIA GPU (/dev/nvidia0)")
        let empty = try TemporaryDirectory(prefix: "ttur-cuda-libs")
        let result = try TTURTextExecutable.run(["devices"], environment: ["TTUR_CUDA_LIBS": empty.url.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("libcuda.so.1: not found (searched TTUR_CUDA_LIBS, the loader's path, pip's nvidia/*/lib folders): an NVIDIA driver (and a GPU) is needed"),
                      result.standardError)
    }

    /// A file in TTUR_CUDA_LIBS that is not a library: its loader error is named (the
    /// directory really is searched, first).
    func testABrokenLibraryInTTURCUDALIBSIsNamed() throws {
        try XCTSkipIf(FileManager.default.fileExists(atPath: "/dev/nvidia0"), "this machine has an NVIDIA GPU (/dev/nvidia0)")
        let directory = try TemporaryDirectory(prefix: "ttur-cuda-libs")
        let fake = directory.url.appendingPathComponent("libcuda.so.1")
        try Data("not an ELF file".utf8).write(to: fake)
        let result = try TTURTextExecutable.run(["devices", "--check"], environment: ["TTUR_CUDA_LIBS": directory.url.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("\(fake.path): file too short") || result.standardError.contains("\(fake.path): invalid ELF header"),
                      result.standardError)
    }

    /// Every kernel source passes clang's CUDA front end (the Swift toolchain's clang, no CUDA
    /// headers: the sources carry the few definitions NVRTC would give), and a broken one fails:
    /// CI, which has no GPU and no NVRTC, still catches a kernel that cannot compile.
    func testKernelSourcesPassClangsCUDAFrontEnd() throws {
        let clang = try XCTUnwrap(Self.toolchainClang(), "no clang beside swift")
        XCTAssertEqual(CUDAKernelSources.all, ["elementwise.cu"])
        let work = try TemporaryDirectory(prefix: "ttur-cuda-src")
        for name in CUDAKernelSources.all {
            let file = work.url.appendingPathComponent(name)
            let source = try CUDAKernelSources.named(name)
            try Data(source.utf8).write(to: file)
            let result = try Self.frontEnd(clang, file)
            XCTAssertEqual(result.status, 0, "\(name): \(result.standardError)")
            let broken = work.url.appendingPathComponent("broken-" + name)
            try Data((source + "\nextern \"C\" __global__ void broken(float* x) { x[threadIdx.x] = undefined_value; }\n").utf8).write(to: broken)
            let failed = try Self.frontEnd(clang, broken)
            XCTAssertNotEqual(failed.status, 0)
            XCTAssertTrue(failed.standardError.contains("undefined_value"), failed.standardError)
        }
    }

    private static func frontEnd(_ clang: URL, _ file: URL) throws -> CommandResult {
        try TTURTextExecutable.run(program: clang, ["-x", "cuda", "--cuda-device-only", "--cuda-gpu-arch=sm_90", "-nocudainc",
                                                    "-nocudalib", "-std=c++17", "-fsyntax-only", "-Werror", file.path])
    }

    /// The clang of the Swift toolchain that runs the tests (beside `swift` on the PATH).
    static func toolchainClang() -> URL? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let swift = URL(fileURLWithPath: String(directory)).appendingPathComponent("swift")
            let clang = URL(fileURLWithPath: String(directory)).appendingPathComponent("clang")
            if FileManager.default.isExecutableFile(atPath: swift.path), FileManager.default.isExecutableFile(atPath: clang.path) {
                return clang
            }
        }
        return nil
    }

    /// The cache key changes with the source and the architecture, and the cache lives under
    /// XDG_CACHE_HOME when it is set.
    func testCacheDirectory() {
        XCTAssertEqual(NVRTC.cacheDirectory(environment: ["XDG_CACHE_HOME": "/x"]).path, "/x/ttur-text/cuda")
        XCTAssertEqual(NVRTC.cacheDirectory(environment: ["HOME": "/home/u"]).path, "/home/u/.cache/ttur-text/cuda")
    }
}

/// NVRTC needs no GPU: the kernel sources compile with the real compiler here, for the H200's
/// architecture and an older one, and the cubin is cached on disk and found again. NVRTC comes
/// from pip's `nvidia-cuda-nvrtc` wheel, which `make test` installs into `.venv-cuda`.
final class NVRTCCompileTests: XCTestCase {
    static var nvrtcDirectory: URL? {
        let root = SharedData.repositoryRoot.appendingPathComponent(".venv-cuda/lib")
        for python in ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []) where python.hasPrefix("python3") {
            let lib = root.appendingPathComponent("\(python)/site-packages/nvidia/cu13/lib")
            if FileManager.default.fileExists(atPath: lib.appendingPathComponent("libnvrtc.so.13").path) { return lib }
        }
        return nil
    }

    func testKernelsCompileWithNVRTCAndAreCached() throws {
        guard let directory = Self.nvrtcDirectory else {
            let message = ".venv-cuda holds no NVRTC: `make test` installs pip's nvidia-cuda-nvrtc there"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        let cache = try TemporaryDirectory(prefix: "ttur-nvrtc-cache")
        let environment = ["TTUR_CUDA_LIBS": directory.path, "XDG_CACHE_HOME": cache.url.path]
        let arguments = ["devices", "--compile", "sm_90", "--compile", "sm_80"]
        let first = try TTURTextExecutable.run(arguments, environment: environment)
        XCTAssertEqual(first.status, 0, first.standardError)
        XCTAssertTrue(first.standardOutput.contains("NVRTC 13."), first.standardOutput)
        for architecture in ["sm_90", "sm_80"] {
            XCTAssertTrue(first.standardOutput.contains("elementwise.cu for \(architecture): "), first.standardOutput)
        }
        XCTAssertEqual(first.standardOutput.components(separatedBy: "compiled in").count - 1, 2, first.standardOutput)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.url.appendingPathComponent("ttur-text/cuda").path)
        XCTAssertEqual(files.filter { $0.hasSuffix(".cubin") }.count, 2, "\(files)")
        for file in files {
            let image = try Data(contentsOf: cache.url.appendingPathComponent("ttur-text/cuda/\(file)"))
            XCTAssertTrue(image.starts(with: [0x7F, 0x45, 0x4C, 0x46]), "\(file) is not an ELF cubin")
        }
        let second = try TTURTextExecutable.run(arguments, environment: environment)
        XCTAssertEqual(second.status, 0, second.standardError)
        XCTAssertEqual(second.standardOutput.components(separatedBy: "from the cache").count - 1, 2, second.standardOutput)

        let bad = try TTURTextExecutable.run(["devices", "--compile", "gfx90a"], environment: environment)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.standardError.contains("--compile gfx90a: expected an architecture such as sm_90"), bad.standardError)
    }

    /// A source NVRTC refuses is one line naming it, the architecture and NVRTC's first log lines.
    func testACompileErrorIsOneLineWithNVRTCsLog() throws {
        guard let directory = Self.nvrtcDirectory else {
            let message = ".venv-cuda holds no NVRTC: `make test` installs pip's nvidia-cuda-nvrtc there"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        setenv("TTUR_CUDA_LIBS", directory.path, 1)
        let cache = try TemporaryDirectory(prefix: "ttur-nvrtc-cache")
        setenv("XDG_CACHE_HOME", cache.url.path, 1)
        defer { unsetenv("TTUR_CUDA_LIBS"); unsetenv("XDG_CACHE_HOME") }
        let nvrtc = try NVRTC()
        XCTAssertThrowsError(try nvrtc.compiled("extern \"C\" __global__ void k(float* x) { x[0] = missing; }", name: "broken.cu",
                                                architecture: "sm_90")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("broken.cu: does not compile for sm_90 (NVRTC 13."), text)
            XCTAssertTrue(text.contains("missing"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertNotEqual(nvrtc.cacheKey(source: "a", architecture: "sm_90"), nvrtc.cacheKey(source: "a", architecture: "sm_80"))
        XCTAssertNotEqual(nvrtc.cacheKey(source: "a", architecture: "sm_90"), nvrtc.cacheKey(source: "b", architecture: "sm_90"))
    }
}
