// swift-tools-version:6.0
// ttur-text: the TTUR paper's language-GAN and FID experiments in Swift, on the CPU.
import PackageDescription

/// Optimisation for the numeric modules: bounds checks off in release builds, where the
/// kernels index raw buffers whose sizes are checked once at the tensor level.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release)),
]

let package = Package(
    name: "ttur-text",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ttur-text", targets: ["ttur-text"]),
        .library(name: "TTURTextKit", targets: ["Basics", "Tensors", "Layers", "Corpus", "NGrams", "TrainingRuns", "LanguageGAN", "ImageData", "ImageGAN", "Toy", "Reports", "FID", "Distributed", "Experiments", "Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System-library shims: module maps only, each naming its Debian package.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // oneDNN (bf16 matmul on the CPU's bf16 units); Debian ships no pkg-config file for it.
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CZlibShim", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "CMPIShim", dependencies: ["CMPI"]),
        // A cache prefetch hint for the n-gram look-ups (Swift has none).
        .target(name: "CPrefetch"),
        .target(
            name: "CICUShim",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]
        ),

        // What every module shares: the one located error, file bytes, the seeded random
        // source, atomic writes, SHA-256.
        .target(name: "Basics", dependencies: ["CCrypto"]),

        // NVIDIA's driver, NVRTC and cuBLAS, opened at run time (dlopen): nothing CUDA at build
        // time; the CUDA C kernel sources ship as resources, compiled by NVRTC on first use.
        .target(name: "CUDA", dependencies: ["Basics"], resources: [.copy("Kernels")]),

        // The engine.
        .target(name: "Tensors", dependencies: ["Basics", "CBLAS", "CDNNL"], swiftSettings: numericSettings),
        .target(name: "Layers", dependencies: ["Tensors"], swiftSettings: numericSettings),

        // Corpus preparation and the n-gram statistics (issues 4 and 5).
        .target(
            name: "Corpus",
            dependencies: ["Basics", "CZstd", "CICUShim"]
        ),
        .target(
            name: "NGrams",
            dependencies: [
                "Basics", "Corpus", "CPrefetch",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),

        // Data-parallel training over MPI: the engine's collectives on an MPI job's ranks.
        .target(name: "Distributed", dependencies: ["Tensors", "CMPIShim"]),

        // What every trainer shares: the one training loop, the one WGAN-GP step, the run
        // directory, checkpointed networks with their optimisers, the log and its TensorBoard
        // event files, stop requests.
        .target(name: "TrainingRuns", dependencies: ["Tensors", "Layers"]),

        // The language GAN: models' training loop, checkpoints, sampling (issue 6).
        .target(name: "LanguageGAN", dependencies: ["Tensors", "Layers", "Corpus", "NGrams", "TrainingRuns"],
                swiftSettings: numericSettings),

        // The image GAN: DCGAN under TTUR, FID during training, the feature classifier (issue 8).
        .target(
            name: "ImageGAN",
            dependencies: ["Tensors", "Layers", "TrainingRuns", "ImageData", "FID"],
            // The feature classifier trained on Fashion-MNIST (`image features`), so FID works offline.
            resources: [.copy("Resources/fashion-mnist-classifier.safetensors")],
            swiftSettings: numericSettings
        ),

        // Starts a training command as a child the kernel kills with its parent (prctl PR_SET_PDEATHSIG).
        .target(name: "CSpawn"),

        // Runs over schedules × seeds: their directory and configuration, locks, local jobs or
        // MPI/Slurm ranks, resumption.
        .target(name: "Experiments", dependencies: ["Basics", "TrainingRuns", "Distributed", "CSpawn"]),

        // The paper's saddle-point example, an experiment of its own.
        .target(name: "Toy", dependencies: ["Basics"]),

        // Run reports: HTML/SVG plots of runs, of experiments and of the toy (run by `Toy`);
        // runs are read as plain JSON (any trainer's), their logs through `TrainingRuns`.
        .target(name: "Reports", dependencies: ["Basics", "TrainingRuns", "Toy"]),

        // Image datasets: PNG/JPEG decoding and encoding, gzip, IDX (MNIST, Fashion-MNIST),
        // CIFAR-10 binary batches, image folders; training batches and sample grids.
        .target(name: "ImageData", dependencies: ["Basics", "CZlibShim", "CPNG", "CJPEG"]),

        // FID: Inception-v3 feature network, torch checkpoints, statistics, Fréchet distance.
        .target(
            name: "FID",
            dependencies: [
                "CBLAS", "CZlibShim", "ImageData", "Tensors",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            // The Inception kernels' loops are unusably slow unoptimised: -O in debug builds too.
            swiftSettings: numericSettings + [.unsafeFlags(["-Ounchecked"], .when(configuration: .debug))]
        ),

        // What `ttur-text bench` measures and how: child processes and their peaks, the step
        // benchmarks, synthetic corpora, the PyTorch references side by side.
        .target(
            name: "Benchmarks",
            dependencies: ["Basics", "Tensors", "Corpus", "NGrams", "TrainingRuns", "LanguageGAN", "ImageGAN", "Distributed", "CSpawn"]
        ),

        // The command line: one file per subcommand, parsing and wiring only.
        .executableTarget(
            name: "ttur-text",
            dependencies: [
                "Tensors", "Layers", "Corpus", "NGrams", "TrainingRuns", "LanguageGAN", "ImageData", "ImageGAN", "Toy", "Reports", "FID",
                "Distributed", "Experiments", "Benchmarks", "CSpawn", "CUDA",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Fuzz targets for every binary reader: libFuzzer entry point under -DFUZZING
        // (`make fuzz-libfuzzer`), a replay/seed tool otherwise.
        .executableTarget(name: "ttur-fuzz", dependencies: ["Tensors", "Corpus", "NGrams", "ImageData", "FID", "CZstd", "TrainingRuns", "Reports", "Experiments"]),

        .target(name: "_TestSupport", dependencies: ["Basics", "Tensors"], path: "Tests/_TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "_TestSupport"]),
        .testTarget(name: "CUDATests", dependencies: ["CUDA", "ttur-text", "_TestSupport"]),
        .testTarget(name: "LanguageGANTests", dependencies: ["LanguageGAN", "TrainingRuns", "Layers", "Tensors", "_TestSupport"]),
        .testTarget(name: "FIDTests", dependencies: ["FID", "ImageData", "Tensors", "_TestSupport"]),
        .testTarget(name: "ImageDataTests", dependencies: ["ImageData", "CZlibShim", "_TestSupport"]),
        .testTarget(name: "ImageGANTests", dependencies: ["ImageGAN", "TrainingRuns", "Layers", "Tensors", "_TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["ttur-text", "_TestSupport"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus", "_TestSupport"]),
        .testTarget(name: "NGramsTests", dependencies: ["NGrams", "Corpus", "_TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FuzzTests", dependencies: ["FID", "ImageData", "CZlibShim", "Tensors", "Corpus", "TrainingRuns", "LanguageGAN", "NGrams", "ttur-fuzz", "_TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Reports", "ttur-text", "_TestSupport"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "Toy", "TrainingRuns", "Tensors", "ttur-text", "_TestSupport"]),
        .testTarget(name: "TrainingRunsTests", dependencies: ["TrainingRuns", "_TestSupport"]),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensors", "_TestSupport"]),
        .testTarget(name: "DistributedTests", dependencies: ["Distributed", "Tensors"]),
        .testTarget(name: "ToyTests", dependencies: ["Toy"]),
    ],
    swiftLanguageModes: [.v5]
)
