import ArgumentParser
import CUDA
import Foundation

struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the NVIDIA GPUs ttur-text can use, and with --check prove the CUDA set-up works.",
        discussion: """
            The CUDA libraries are opened at run time, never linked, so the same binary runs \
            with and without a GPU. Each is searched in this order: the directory in \
            TTUR_CUDA_LIBS; the dynamic loader's path (LD_LIBRARY_PATH, ld.so.cache: the \
            driver's libcuda.so.1); the nvidia/*/lib folders of Python installations (pip's \
            CUDA wheels, e.g. /opt/torch/.venv). --check compiles the package's kernels with \
            NVRTC for the device (cached under ~/.cache/ttur-text/cuda), runs them and a \
            cuBLAS GEMM in fp32 and TF32, and compares each with float64 on the CPU; it exits \
            1 when any check fails. Training on the GPU (--device cuda) is not there yet.
            """
    )

    @Flag(help: "Also compile and run the kernels and a cuBLAS GEMM on the device, checked against the CPU.")
    var check = false

    @Option(help: "The device --check uses.")
    var device = 0

    @Option(name: .customLong("compile"), parsing: .singleValue,
            help: "Compile the kernels for this architecture (sm_90, sm_80, …) into the cache and stop: needs NVRTC only, no GPU (e.g. on a login node). Repeatable.")
    var architectures: [String] = []

    func validate() throws {
        guard device >= 0 else { throw ValidationError("--device must not be negative") }
        for architecture in architectures where architecture.range(of: #"^sm_[0-9]{2,3}a?$"#, options: .regularExpression) == nil {
            throw ValidationError("--compile \(architecture): expected an architecture such as sm_90")
        }
    }

    func run() throws {
        if !architectures.isEmpty { return try compile() }
        let driver = try CUDADriver()
        let count = try driver.deviceCount()
        print("CUDA driver \(try driver.version()) (\(driver.library.location)): \(count) device\(count == 1 ? "" : "s")")
        for ordinal in 0..<count {
            let info = try driver.device(ordinal)
            print(String(format: "cuda:%d  %@  compute capability %d.%d (%@), %d multiprocessors, %.1f GiB",
                         ordinal, info.name, info.computeCapability.major, info.computeCapability.minor, info.architecture,
                         info.multiprocessors, Double(info.memoryBytes) / Double(1 << 30)))
        }
        guard check else { return }
        guard device < count else { throw ValidationError("--device \(device): this machine has \(count) device\(count == 1 ? "" : "s")") }
        let lines = try CUDASelfCheck.run(device: device, driver: driver)
        lines.forEach { print($0) }
        if lines.contains(where: { $0.hasPrefix(CUDASelfCheck.failure) }) { throw ExitCode(1) }
    }

    /// `--compile`: every kernel source for every architecture, into the cache.
    private func compile() throws {
        let nvrtc = try NVRTC()
        print("NVRTC \(nvrtc.version) (\(nvrtc.library.location)), cache \(NVRTC.cacheDirectory().path)")
        for architecture in architectures {
            for name in CUDAKernelSources.all {
                let started = Date()
                let (image, cached) = try nvrtc.compiledReportingCache(try CUDAKernelSources.named(name), name: name, architecture: architecture)
                print(String(format: "%@ for %@: %d bytes of cubin, %@ in %.2f s", name, architecture, image.count,
                             cached ? "from the cache" : "compiled", Date().timeIntervalSince(started)))
            }
        }
    }
}
