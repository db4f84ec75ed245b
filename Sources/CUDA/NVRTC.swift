import Basics
import Foundation

/// NVRTC, bound at run time: compiles the package's CUDA C kernel sources for the device's
/// architecture on first use. Results are cached in memory and on disk under
/// `~/.cache/ttur-text/cuda/` (`$XDG_CACHE_HOME` honoured), keyed by the SHA-256 of the
/// source, the architecture, the options and NVRTC's version, so a second run loads the cubin
/// without compiling.
public final class NVRTC: @unchecked Sendable {
    private typealias Version = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32
    private typealias CreateProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?,
                                                      Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private typealias CompileProgram = @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    private typealias GetSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Int32
    private typealias GetBytes = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Int32
    private typealias DestroyProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    private typealias GetErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?

    public let library: CUDALibraries.Handle
    /// NVRTC's own version, "major.minor".
    public let version: String
    private let create: CreateProgram, compile: CompileProgram, destroy: DestroyProgram
    private let cubinSize: GetSize, cubin: GetBytes, logSize: GetSize, log: GetBytes, errorString: GetErrorString
    private var memory: [String: Data] = [:]
    private let lock = NSLock()

    /// - throws: `LocatedError` when NVRTC is missing.
    public init() throws {
        library = try CUDALibraries.open(.nvrtc)
        let nvrtcVersion = try library.function("nvrtcVersion", as: Version.self)
        var major: Int32 = 0, minor: Int32 = 0
        _ = nvrtcVersion(&major, &minor)
        version = "\(major).\(minor)"
        create = try library.function("nvrtcCreateProgram")
        compile = try library.function("nvrtcCompileProgram")
        destroy = try library.function("nvrtcDestroyProgram")
        cubinSize = try library.function("nvrtcGetCUBINSize")
        cubin = try library.function("nvrtcGetCUBIN")
        logSize = try library.function("nvrtcGetProgramLogSize")
        log = try library.function("nvrtcGetProgramLog")
        errorString = try library.function("nvrtcGetErrorString")
    }

    /// The options every kernel is compiled with: the real architecture (so the result is a
    /// cubin of that chip's own instructions), C++17, and IEEE float arithmetic — no fast
    /// math (fused multiply-add allowed, as the CPU kernels use it), so the GPU computes what
    /// the CPU computes up to summation order and FMA contraction.
    public static func options(architecture: String) -> [String] {
        ["--gpu-architecture=\(architecture)", "--std=c++17", "-default-device", "--fmad=true"]
    }

    /// The cache file of `source` compiled for `architecture`.
    public func cacheKey(source: String, architecture: String) -> String {
        let hasher = SHA256()
        hasher.update(data: Data((Self.options(architecture: architecture) + ["nvrtc \(version)"]).joined(separator: "\n").utf8))
        hasher.update(data: Data(source.utf8))
        return SHA256.hex(hasher.finalize()) + "-" + architecture
    }

    /// The cubin of `source` for `architecture` (`sm_90`): from memory, the disk cache, or NVRTC.
    /// - throws: `LocatedError` with NVRTC's log when the source does not compile.
    public func compiled(_ source: String, name: String, architecture: String) throws -> Data {
        try compiledReportingCache(source, name: name, architecture: architecture).image
    }

    /// `compiled`, and whether the image came from a cache.
    public func compiledReportingCache(_ source: String, name: String, architecture: String) throws -> (image: Data, cached: Bool) {
        let key = cacheKey(source: source, architecture: architecture)
        lock.lock()
        defer { lock.unlock() }
        if let image = memory[key] { return (image, true) }
        let file = Self.cacheDirectory().appendingPathComponent(key + ".cubin")
        // A cubin is an ELF file: anything else in the cache (a damaged file) is compiled again.
        if let image = try? Data(contentsOf: file), image.starts(with: [0x7F, 0x45, 0x4C, 0x46]) {
            memory[key] = image
            return (image, true)
        }
        let image = try compileNow(source, name: name, architecture: architecture)
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? AtomicFile.write(image, to: file)  // a cache: failing to keep it only costs a compile next time
        memory[key] = image
        return (image, false)
    }

    private func compileNow(_ source: String, name: String, architecture: String) throws -> Data {
        var program: OpaquePointer?
        try check(create(&program, source, name, 0, nil, nil), "nvrtcCreateProgram", name)
        defer { _ = destroy(&program) }
        let options = Self.options(architecture: architecture).map { strdup($0) }
        defer { options.forEach { free($0) } }
        let result = options.map { UnsafePointer($0) }.withUnsafeBufferPointer { compile(program, Int32($0.count), $0.baseAddress) }
        if result != 0 {
            var size = 0
            _ = logSize(program, &size)
            var text = [CChar](repeating: 0, count: max(size, 1))
            _ = log(program, &text)
            let firstLines = String(cString: text).split(separator: "\n").prefix(3).joined(separator: " | ")
            throw LocatedError(file: name, "does not compile for \(architecture) (NVRTC \(version)): \(firstLines)")
        }
        var size = 0
        try check(cubinSize(program, &size), "nvrtcGetCUBINSize", name)
        var bytes = [CChar](repeating: 0, count: size)
        try check(cubin(program, &bytes), "nvrtcGetCUBIN", name)
        return bytes.withUnsafeBytes { Data($0) }
    }

    private func check(_ result: Int32, _ call: String, _ name: String) throws {
        guard result != 0 else { return }
        throw LocatedError(file: name, "\(call) failed: \(errorString(result).map { String(cString: $0) } ?? "error \(result)")")
    }

    /// `~/.cache/ttur-text/cuda` (or under `$XDG_CACHE_HOME`).
    public static func cacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache")
        return base.appendingPathComponent("ttur-text/cuda")
    }
}
