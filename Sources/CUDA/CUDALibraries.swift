import Basics
import Foundation

/// NVIDIA's libraries, found and opened at run time (`dlopen`), never linked: one binary and
/// one CI serve machines with and without a GPU, and nothing CUDA is needed to build.
///
/// Search order for each library (the first that loads wins):
/// 1. the directory in `TTUR_CUDA_LIBS`, when set;
/// 2. the dynamic loader's own path (`LD_LIBRARY_PATH`, `ld.so.cache`: the driver's
///    `libcuda.so.1` is installed there by every NVIDIA driver);
/// 3. the `nvidia/*/lib` folders of Python installations (pip's CUDA wheels: `nvidia-cuda-nvrtc`,
///    `nvidia-cublas`, …) under `/opt/*/.venv`, `/usr/local/lib`, `/usr/lib` and `~/.local/lib`.
///
/// ```swift
/// let driver = try CUDALibraries.open(.driver)   // or a LocatedError naming what is missing
/// ```
public enum CUDALibraries {
    /// A library and the file names it goes by, newest first.
    public enum Library: String, CaseIterable, Sendable {
        case driver, nvrtc, cublas, cublasLt

        /// Sonames tried, newest CUDA first (the driver's has been `.1` for every release).
        public var fileNames: [String] {
            switch self {
            case .driver: return ["libcuda.so.1", "libcuda.so"]
            case .nvrtc: return ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"]
            case .cublas: return ["libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"]
            case .cublasLt: return ["libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11", "libcublasLt.so"]
            }
        }

        /// What to install when it is missing, for the error message.
        var remedy: String {
            switch self {
            case .driver: return "an NVIDIA driver (and a GPU) is needed"
            case .nvrtc: return "install the CUDA toolkit's NVRTC or pip's nvidia-cuda-nvrtc, or point TTUR_CUDA_LIBS at it"
            case .cublas, .cublasLt: return "install cuBLAS (the CUDA toolkit, or pip's nvidia-cublas), or point TTUR_CUDA_LIBS at it"
            }
        }
    }

    /// An opened library: its handle and the path or name it was opened by.
    public struct Handle: @unchecked Sendable {
        public let library: Library
        public let location: String
        let handle: UnsafeMutableRawPointer

        /// The C function `name`, cast to `T` (a `@convention(c)` function type).
        /// - throws: `LocatedError` naming the library when the symbol is absent (an older release).
        public func function<T>(_ name: String, as _: T.Type = T.self) throws -> T {
            guard let symbol = dlsym(handle, name) else {
                throw LocatedError(file: location, "has no \(name) (too old a release?)")
            }
            return unsafeBitCast(symbol, to: T.self)
        }
    }

    /// The places searched for `library`, in order, each a path (or a bare soname for the
    /// loader's own search).
    public static func candidates(for library: Library,
                                  environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var out: [String] = []
        if let directory = environment["TTUR_CUDA_LIBS"], !directory.isEmpty {
            out += library.fileNames.map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
        }
        out += library.fileNames
        for directory in pythonLibraryDirectories(home: environment["HOME"]) {
            out += library.fileNames.map { directory + "/" + $0 }
                .filter { FileManager.default.fileExists(atPath: $0) }
        }
        return out
    }

    /// `nvidia/*/lib` under the site-packages of the usual Python installations.
    static func pythonLibraryDirectories(home: String?) -> [String] {
        var roots = ["/usr/local/lib", "/usr/lib"]
        if let home { roots.append(home + "/.local/lib") }
        let fileManager = FileManager.default
        for opt in (try? fileManager.contentsOfDirectory(atPath: "/opt")) ?? [] {
            roots.append("/opt/\(opt)/.venv/lib")
        }
        var out: [String] = []
        for root in roots {
            for python in ((try? fileManager.contentsOfDirectory(atPath: root)) ?? []).sorted() where python.hasPrefix("python3") {
                for packages in ["site-packages", "dist-packages"] {
                    let nvidia = "\(root)/\(python)/\(packages)/nvidia"
                    for component in ((try? fileManager.contentsOfDirectory(atPath: nvidia)) ?? []).sorted() {
                        let lib = "\(nvidia)/\(component)/lib"
                        if fileManager.fileExists(atPath: lib) { out.append(lib) }
                    }
                }
            }
        }
        return out
    }

    nonisolated(unsafe) private static var opened: [Library: Handle] = [:]
    private static let lock = NSLock()

    /// The library, opened once per process.
    /// - throws: `LocatedError` in one line: what is missing, where it was looked for, why
    ///   the nearest candidate did not load, and what to install.
    public static func open(_ library: Library) throws -> Handle {
        lock.lock()
        defer { lock.unlock() }
        if let handle = opened[library] { return handle }
        var reasons: [String] = []
        for candidate in candidates(for: library) {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                let opened = Handle(library: library, location: candidate, handle: handle)
                Self.opened[library] = opened
                return opened
            }
            let reason = dlerror().map { String(cString: $0) } ?? "unknown"
            // A file that exists but does not load says more than "not found" everywhere.
            if candidate.hasPrefix("/") && FileManager.default.fileExists(atPath: candidate) { reasons.append(reason) }
        }
        let searched = ["TTUR_CUDA_LIBS", "the loader's path", "pip's nvidia/*/lib folders"].joined(separator: ", ")
        let why = reasons.first.map { "; \($0)" } ?? ""
        throw LocatedError(file: library.fileNames[0], "not found (searched \(searched))\(why): \(library.remedy)")
    }
}
