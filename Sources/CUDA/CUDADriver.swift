import Basics
import Foundation

/// The CUDA driver API, the few calls ttur-text uses, declared here (no CUDA header at build
/// time) and bound from `libcuda.so.1` at run time. Signatures follow `cuda.h` of CUDA 12/13
/// (the `_v2` entry points are the ones the header maps the plain names to).
public final class CUDADriver: @unchecked Sendable {
    public typealias Result = Int32
    /// A device allocation's address.
    public typealias DevicePointer = UInt64

    private typealias Init = @convention(c) (UInt32) -> Result
    private typealias GetInt = @convention(c) (UnsafeMutablePointer<Int32>) -> Result
    private typealias DeviceGet = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Result
    private typealias DeviceGetName = @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> Result
    private typealias DeviceGetAttribute = @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Result
    private typealias DeviceTotalMem = @convention(c) (UnsafeMutablePointer<Int>, Int32) -> Result
    private typealias PrimaryCtxRetain = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, Int32) -> Result
    private typealias CtxSetCurrent = @convention(c) (OpaquePointer?) -> Result
    private typealias CtxSynchronize = @convention(c) () -> Result
    private typealias MemAlloc = @convention(c) (UnsafeMutablePointer<DevicePointer>, Int) -> Result
    private typealias MemFree = @convention(c) (DevicePointer) -> Result
    private typealias MemGetInfo = @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> Result
    private typealias CopyToDevice = @convention(c) (DevicePointer, UnsafeRawPointer, Int) -> Result
    private typealias CopyToHost = @convention(c) (UnsafeMutableRawPointer, DevicePointer, Int) -> Result
    private typealias ModuleLoadData = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer) -> Result
    private typealias ModuleGetFunction = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> Result
    private typealias LaunchKernel = @convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                                                     OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                                     UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Result
    private typealias GetErrorString = @convention(c) (Result, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Result

    /// `CUdevice_attribute` values used.
    public enum Attribute: Int32 {
        case multiprocessorCount = 16, computeCapabilityMajor = 75, computeCapabilityMinor = 76
    }

    public let library: CUDALibraries.Handle
    private let cuDriverGetVersion: GetInt, cuDeviceGetCount: GetInt
    private let cuDeviceGet: DeviceGet, cuDeviceGetName: DeviceGetName, cuDeviceGetAttribute: DeviceGetAttribute
    private let cuDeviceTotalMem: DeviceTotalMem, cuDevicePrimaryCtxRetain: PrimaryCtxRetain
    private let cuCtxSetCurrent: CtxSetCurrent, cuCtxSynchronize: CtxSynchronize
    private let cuMemAlloc: MemAlloc, cuMemFree: MemFree, cuMemGetInfo: MemGetInfo
    private let cuMemcpyHtoD: CopyToDevice, cuMemcpyDtoH: CopyToHost
    private let cuModuleLoadData: ModuleLoadData, cuModuleGetFunction: ModuleGetFunction
    private let cuLaunchKernel: LaunchKernel, cuGetErrorString: GetErrorString

    /// Opens the driver and initialises it.
    /// - throws: `LocatedError` when the driver library is missing, too old, or finds no GPU.
    public init() throws {
        let library = try CUDALibraries.open(.driver)
        self.library = library
        let cuInit = try library.function("cuInit", as: Init.self)
        cuDriverGetVersion = try library.function("cuDriverGetVersion")
        cuDeviceGetCount = try library.function("cuDeviceGetCount")
        cuDeviceGet = try library.function("cuDeviceGet")
        cuDeviceGetName = try library.function("cuDeviceGetName")
        cuDeviceGetAttribute = try library.function("cuDeviceGetAttribute")
        cuDeviceTotalMem = try library.function("cuDeviceTotalMem_v2")
        cuDevicePrimaryCtxRetain = try library.function("cuDevicePrimaryCtxRetain")
        cuCtxSetCurrent = try library.function("cuCtxSetCurrent")
        cuCtxSynchronize = try library.function("cuCtxSynchronize")
        cuMemAlloc = try library.function("cuMemAlloc_v2")
        cuMemFree = try library.function("cuMemFree_v2")
        cuMemGetInfo = try library.function("cuMemGetInfo_v2")
        cuMemcpyHtoD = try library.function("cuMemcpyHtoD_v2")
        cuMemcpyDtoH = try library.function("cuMemcpyDtoH_v2")
        cuModuleLoadData = try library.function("cuModuleLoadData")
        cuModuleGetFunction = try library.function("cuModuleGetFunction")
        cuLaunchKernel = try library.function("cuLaunchKernel")
        cuGetErrorString = try library.function("cuGetErrorString")
        try check(cuInit(0), "cuInit")
    }

    /// Throws the driver's own words for a failed call.
    func check(_ result: Result, _ call: String) throws {
        guard result != 0 else { return }
        var text: UnsafePointer<CChar>?
        _ = cuGetErrorString(result, &text)
        throw LocatedError(file: library.location, "\(call) failed: \(text.map { String(cString: $0) } ?? "error \(result)")")
    }

    /// The driver's CUDA version as major.minor.
    public func version() throws -> String {
        var value: Int32 = 0
        try check(cuDriverGetVersion(&value), "cuDriverGetVersion")
        return "\(value / 1000).\(value % 1000 / 10)"
    }

    public func deviceCount() throws -> Int {
        var count: Int32 = 0
        try check(cuDeviceGetCount(&count), "cuDeviceGetCount")
        return Int(count)
    }

    /// What a device is.
    public struct DeviceInfo: Sendable {
        public let ordinal: Int
        public let name: String
        public let computeCapability: (major: Int, minor: Int)
        public let multiprocessors: Int
        public let memoryBytes: Int
        /// NVRTC's architecture name for it (`sm_90`).
        public var architecture: String { "sm_\(computeCapability.major)\(computeCapability.minor)" }
    }

    public func device(_ ordinal: Int) throws -> DeviceInfo {
        var device: Int32 = 0
        try check(cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        var name = [CChar](repeating: 0, count: 256)
        try check(cuDeviceGetName(&name, Int32(name.count), device), "cuDeviceGetName")
        func attribute(_ attribute: Attribute) throws -> Int {
            var value: Int32 = 0
            try check(cuDeviceGetAttribute(&value, attribute.rawValue, device), "cuDeviceGetAttribute")
            return Int(value)
        }
        var memory = 0
        try check(cuDeviceTotalMem(&memory, device), "cuDeviceTotalMem")
        return DeviceInfo(ordinal: ordinal, name: String(cString: name),
                          computeCapability: (try attribute(.computeCapabilityMajor), try attribute(.computeCapabilityMinor)),
                          multiprocessors: try attribute(.multiprocessorCount), memoryBytes: memory)
    }

    /// Makes the device's primary context current on this thread.
    public func use(_ ordinal: Int) throws {
        var device: Int32 = 0
        try check(cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        var context: OpaquePointer?
        try check(cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain")
        try check(cuCtxSetCurrent(context), "cuCtxSetCurrent")
    }

    /// Free and total device memory of the current context's device.
    public func memoryInfo() throws -> (free: Int, total: Int) {
        var free = 0, total = 0
        try check(cuMemGetInfo(&free, &total), "cuMemGetInfo")
        return (free, total)
    }

    /// `bytes` of device memory.
    /// - throws: `LocatedError` naming the request and the free memory when it does not fit.
    public func allocate(_ bytes: Int) throws -> DevicePointer {
        var pointer: DevicePointer = 0
        let result = cuMemAlloc(&pointer, max(bytes, 1))
        if result == 2 /* CUDA_ERROR_OUT_OF_MEMORY */ {
            let free = (try? memoryInfo().free).map { "\($0 >> 20) MiB free" } ?? "free memory unknown"
            throw LocatedError("out of GPU memory: \(bytes >> 20) MiB requested, \(free)")
        }
        try check(result, "cuMemAlloc(\(bytes))")
        return pointer
    }

    public func free(_ pointer: DevicePointer) { _ = cuMemFree(pointer) }

    public func copy(_ bytes: UnsafeRawBufferPointer, to device: DevicePointer) throws {
        try check(cuMemcpyHtoD(device, bytes.baseAddress!, bytes.count), "cuMemcpyHtoD")
    }

    public func copy(_ device: DevicePointer, to bytes: UnsafeMutableRawBufferPointer) throws {
        try check(cuMemcpyDtoH(bytes.baseAddress!, device, bytes.count), "cuMemcpyDtoH")
    }

    public func synchronize() throws { try check(cuCtxSynchronize(), "cuCtxSynchronize") }

    /// Loads compiled code (a cubin or PTX image) into the current context.
    public func loadModule(_ image: Data) throws -> OpaquePointer? {
        var module: OpaquePointer?
        var terminated = image
        terminated.append(0)  // PTX is read as a C string; a cubin ignores the extra byte
        try terminated.withUnsafeBytes { try check(cuModuleLoadData(&module, $0.baseAddress!), "cuModuleLoadData") }
        return module
    }

    public func function(_ name: String, in module: OpaquePointer?) throws -> OpaquePointer? {
        var function: OpaquePointer?
        try check(cuModuleGetFunction(&function, module, name), "cuModuleGetFunction(\(name))")
        return function
    }

    /// Launches `function` on the default stream with `arguments` (its parameters in order).
    public func launch(_ function: OpaquePointer?, grid: (UInt32, UInt32, UInt32), block: (UInt32, UInt32, UInt32),
                       sharedBytes: UInt32 = 0, arguments: KernelArguments) throws {
        var pointers = arguments.pointers
        try check(pointers.withUnsafeMutableBufferPointer { parameters in
            cuLaunchKernel(function, grid.0, grid.1, grid.2, block.0, block.1, block.2, sharedBytes, nil, parameters.baseAddress, nil)
        }, "cuLaunchKernel")
    }
}

/// A kernel's parameter values, each copied into memory of its own (what `cuLaunchKernel`
/// takes: an array of pointers to the values), freed with the object.
public final class KernelArguments {
    private var storage: [UnsafeMutableRawPointer] = []

    public init() {}

    /// Appends a parameter (a scalar of the kernel's C type, or a `DevicePointer`).
    @discardableResult
    public func add<T>(_ value: T) -> KernelArguments {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        pointer.storeBytes(of: value, as: T.self)
        storage.append(pointer)
        return self
    }

    var pointers: [UnsafeMutableRawPointer?] { storage }

    deinit { storage.forEach { $0.deallocate() } }
}
