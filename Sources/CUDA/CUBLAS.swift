import Basics
import Foundation

/// cuBLAS, bound at run time: single-precision GEMM on device memory, column-major as BLAS is.
public final class CUBLAS: @unchecked Sendable {
    private typealias Create = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    private typealias GetVersion = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> Int32
    private typealias SetMathMode = @convention(c) (OpaquePointer?, Int32) -> Int32
    private typealias Sgemm = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32,
                                              UnsafePointer<Float>, UnsafeRawPointer?, Int32, UnsafeRawPointer?, Int32,
                                              UnsafePointer<Float>, UnsafeMutableRawPointer?, Int32) -> Int32

    /// `cublasMath_t`: pedantic is plain IEEE fp32 (the parity mode); TF32 lets tensor cores
    /// round the operands to 10-bit mantissas.
    public enum MathMode: Int32, Sendable { case `default` = 0, pedantic = 2, tf32 = 3 }
    /// `cublasOperation_t`.
    public enum Operation: Int32, Sendable { case none = 0, transpose = 1 }

    public let library: CUDALibraries.Handle
    private let handle: OpaquePointer?
    private let sgemm: Sgemm, setMathMode: SetMathMode
    /// cuBLAS's version, e.g. 130100 for 13.1.0.
    public let version: Int

    /// A handle on the current context's device.
    /// - throws: `LocatedError` when cuBLAS is missing or cannot start.
    public init() throws {
        library = try CUDALibraries.open(.cublas)
        let create = try library.function("cublasCreate_v2", as: Create.self)
        let getVersion = try library.function("cublasGetVersion_v2", as: GetVersion.self)
        sgemm = try library.function("cublasSgemm_v2")
        setMathMode = try library.function("cublasSetMathMode")
        var handle: OpaquePointer?
        let status = create(&handle)
        guard status == 0 else { throw LocatedError(file: library.location, "cublasCreate failed: status \(status)") }
        self.handle = handle
        var value: Int32 = 0
        _ = getVersion(handle, &value)
        version = Int(value)
    }

    deinit {
        if let destroy = try? library.function("cublasDestroy_v2", as: (@convention(c) (OpaquePointer?) -> Int32).self) { _ = destroy(handle) }
    }

    public func setMath(_ mode: MathMode) throws {
        let status = setMathMode(handle, mode.rawValue)
        guard status == 0 else { throw LocatedError(file: library.location, "cublasSetMathMode failed: status \(status)") }
    }

    /// C ← α·op(A)·op(B) + β·C, column-major, on device pointers.
    public func gemm(_ transA: Operation, _ transB: Operation, m: Int, n: Int, k: Int, alpha: Float,
                     a: CUDADriver.DevicePointer, lda: Int, b: CUDADriver.DevicePointer, ldb: Int,
                     beta: Float, c: CUDADriver.DevicePointer, ldc: Int) throws {
        var alpha = alpha, beta = beta
        let status = sgemm(handle, transA.rawValue, transB.rawValue, Int32(m), Int32(n), Int32(k), &alpha,
                           UnsafeRawPointer(bitPattern: UInt(a)), Int32(lda), UnsafeRawPointer(bitPattern: UInt(b)), Int32(ldb),
                           &beta, UnsafeMutableRawPointer(bitPattern: UInt(c)), Int32(ldc))
        guard status == 0 else { throw LocatedError(file: library.location, "cublasSgemm failed: status \(status)") }
    }
}
