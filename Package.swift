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
        .library(name: "TTURTextKit", targets: ["Tensors", "FID"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // System-library shims: module maps only, each naming its Debian package.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),
        .target(
            name: "CICUShim",
            linkerSettings: [.linkedLibrary("icuuc"), .linkedLibrary("icui18n")]
        ),

        // The engine.
        .target(name: "Tensors", dependencies: ["CBLAS"], swiftSettings: numericSettings),

        // FID: Inception-v3 feature network, torch checkpoints, statistics, Fréchet distance.
        .target(
            name: "FID",
            dependencies: [
                "CBLAS", "CPNG", "CJPEG", "Tensors",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            // The Inception kernels' loops are unusably slow unoptimised: -O in debug builds too.
            swiftSettings: numericSettings + [.unsafeFlags(["-Ounchecked"], .when(configuration: .debug))]
        ),

        // The command line: one file per subcommand, parsing and wiring only.
        .executableTarget(
            name: "ttur-text",
            dependencies: [
                "Tensors",
                "FID",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        .target(name: "_TestSupport", dependencies: ["Tensors"], path: "Tests/_TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "_TestSupport"]),
        .testTarget(name: "FIDTests", dependencies: ["FID", "Tensors", "_TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["ttur-text", "_TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
