import Foundation

// Two builds of one target. Built normally, `ttur-fuzz` replays inputs through a reader
// (`ttur-fuzz TARGET FILE…`, to reproduce a crash) and writes seed inputs
// (`ttur-fuzz seeds DIR`). Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz-libfuzzer`),
// its entry point hands over to libFuzzer's driver, which calls `fuzzOneInput` for every
// input; TTUR_FUZZ_TARGET picks the reader.

#if FUZZING
nonisolated(unsafe) private var runner: FuzzRunner?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if runner == nil {
        let name = ProcessInfo.processInfo.environment["TTUR_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget.named(name) else {
            fatalError("set TTUR_FUZZ_TARGET to one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))")
        }
        runner = FuzzRunner(target: target)
    }
    runner!.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// SwiftPM links an executable's `main` to `<module>_main`; here that is libFuzzer's driver
/// (`LLVMFuzzerRunDriver`, looked up at run time so the normal build needs no libFuzzer).
@_cdecl("ttur_fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    typealias Driver = @convention(c) (UnsafeMutablePointer<CInt>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                       Callback) -> CInt
    guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "LLVMFuzzerRunDriver") else {
        fatalError("LLVMFuzzerRunDriver not found: build with -sanitize=fuzzer and -Xlinker --export-dynamic")
    }
    var count = argc, values = argv
    return unsafeBitCast(symbol, to: Driver.self)(&count, &values, fuzzOneInput)
}
#else
@main
struct ReplayMain {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let usage = "usage: ttur-fuzz seeds DIR | ttur-fuzz TARGET FILE… (targets: \(FuzzTarget.all.map(\.name).joined(separator: ", ")))"
        guard let first = arguments.first else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        if first == "seeds", arguments.count == 2 {
            try FuzzSeeds.write(into: URL(fileURLWithPath: arguments[1]))
            return
        }
        guard let target = FuzzTarget.named(first), arguments.count > 1 else {
            FileHandle.standardError.write(Data((usage + "\n").utf8))
            exit(2)
        }
        let runner = FuzzRunner(target: target)
        for path in arguments.dropFirst() {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = data.withUnsafeBytes { runner.run($0) }
            print("\(path): " + (error.map { "rejected: \($0)" } ?? "accepted"))
        }
    }
}
#endif
