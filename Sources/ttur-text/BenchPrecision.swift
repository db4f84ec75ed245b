import ArgumentParser
import Distributed
import Foundation
import Tensors

extension PrecisionRequest: ExpressibleByArgument {}

/// `--precision auto|fp32|bf16` for the step benches, resolved once.
struct BenchPrecisionOptions: ParsableArguments {
    @Option(help: "GEMM precision of the measured steps: auto (bf16 where oneDNN runs it on AMX, fp32 elsewhere), fp32 or bf16. TTUR_DISABLE_BF16=1 forces fp32.")
    var precision: PrecisionRequest = .auto
}

