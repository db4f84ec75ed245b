import CDNNL
import Foundation

/// The bf16 backend of `sgemm`: C = alpha · op(A) · op(B) + beta · C with the operands
/// rounded to bfloat16 and the products accumulated and returned in fp32, as PyTorch's CPU
/// autocast runs its GEMMs.
///
/// Each call runs three oneDNN primitives: two reorders converting A and B from fp32 to bf16
/// (round to nearest even; on AVX512-BF16 the `vcvtneps2bf16` instruction, which also
/// flushes fp32 denormals below 2⁻¹²⁶ to zero) into reused scratch buffers, keeping each
/// operand's orientation, then a matmul with fp32 output whose output scale is alpha and
/// whose "sum" post-op adds beta · C. Creating primitives is slow and a training step repeats
/// the same few dozen shapes, so each shape's primitives are made once and kept in `plans`.
/// oneDNN threads with OpenMP (Debian's build); its thread count follows `Engine.threads`.
struct OneDNNGEMM: GEMMBackend {
    func multiply(_ call: GEMMCall) {
        Self.multiply(transposeA: call.transposeA, transposeB: call.transposeB, m: call.m, n: call.n, k: call.k,
                      alpha: call.alpha, a: call.a, lda: call.lda, b: call.b, ldb: call.ldb, beta: call.beta, c: call.c,
                      ldc: call.ldc)
    }

    /// What a plan depends on: every argument of `sgemm` but the pointers, and the threads.
    struct Key: Hashable {
        let transposeA: Bool, transposeB: Bool
        let m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
        let alpha: UInt32, beta: UInt32, threads: Int
    }

    /// One shape's primitives, the memory objects they run on (data handles set per call) and
    /// their argument lists, made once so that a call allocates nothing.
    final class Plan {
        let convertA: OpaquePointer, convertB: OpaquePointer, matmul: OpaquePointer
        let sourceA: OpaquePointer, sourceB: OpaquePointer, bf16A: OpaquePointer, bf16B: OpaquePointer
        let destination: OpaquePointer
        let implementation: String
        let convertAArguments: UnsafeMutablePointer<dnnl_exec_arg_t>
        let convertBArguments: UnsafeMutablePointer<dnnl_exec_arg_t>
        let matmulArguments: UnsafeMutablePointer<dnnl_exec_arg_t>

        init(convertA: OpaquePointer, convertB: OpaquePointer, matmul: OpaquePointer,
             sourceA: OpaquePointer, sourceB: OpaquePointer, bf16A: OpaquePointer, bf16B: OpaquePointer,
             destination: OpaquePointer, implementation: String) {
            self.convertA = convertA; self.convertB = convertB; self.matmul = matmul
            self.sourceA = sourceA; self.sourceB = sourceB; self.bf16A = bf16A; self.bf16B = bf16B
            self.destination = destination; self.implementation = implementation
            func arguments(_ list: [(Int32, OpaquePointer)]) -> UnsafeMutablePointer<dnnl_exec_arg_t> {
                let pointer = UnsafeMutablePointer<dnnl_exec_arg_t>.allocate(capacity: list.count)
                for (index, argument) in list.enumerated() {
                    (pointer + index).initialize(to: dnnl_exec_arg_t(arg: argument.0, memory: argument.1))
                }
                return pointer
            }
            convertAArguments = arguments([(argFrom, sourceA), (argTo, bf16A)])
            convertBArguments = arguments([(argFrom, sourceB), (argTo, bf16B)])
            matmulArguments = arguments([(argSource, bf16A), (argWeights, bf16B), (argDestination, destination)])
        }

        /// Runs the two conversions and the matmul on `stream`.
        func execute(on stream: OpaquePointer, convert: Bool = true) {
            if convert {
                check(dnnl_primitive_execute(convertA, stream, 2, convertAArguments), "convert A")
                check(dnnl_primitive_execute(convertB, stream, 2, convertBArguments), "convert B")
            }
            check(dnnl_primitive_execute(matmul, stream, 3, matmulArguments), "matmul")
            check(dnnl_stream_wait(stream), "wait")
        }
    }

    /// The CPU engine and its stream, made on first use.
    struct Context {
        let engine: OpaquePointer, stream: OpaquePointer
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans: [Key: Plan] = [:]
    /// The probe's plan, kept apart so that `implementationsInUse` counts real shapes only.
    nonisolated(unsafe) private static var probe: Plan?
    nonisolated(unsafe) private static var scratchA = ScratchBuffer(), scratchB = ScratchBuffer()

    nonisolated(unsafe) private static var context: Result<Context, OneDNNFailure> = {
        var engine: OpaquePointer?, stream: OpaquePointer?
        var status = dnnl_engine_create(&engine, dnnl_cpu, 0)
        guard status == dnnl_success, let engine else {
            return .failure(OneDNNFailure(message: "oneDNN found no CPU engine (status \(status.rawValue))"))
        }
        status = dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue)
        guard status == dnnl_success, let stream else {
            return .failure(OneDNNFailure(message: "oneDNN could not create a stream (status \(status.rawValue))"))
        }
        return .success(Context(engine: engine, stream: stream))
    }()

    /// oneDNN's implementation names of the plans made so far (e.g. "brg:avx512_core_bf16"),
    /// with how many shapes each runs.
    static func implementationsInUse() -> [String: Int] {
        lock.lock(); defer { lock.unlock() }
        return plans.values.reduce(into: [:]) { $0[$1.implementation, default: 0] += 1 }
    }

    /// The implementation oneDNN picks for a 256×256×256 bf16 matmul, or why there is none.
    static func probeImplementation() -> Result<String, OneDNNFailure> {
        lock.lock(); defer { lock.unlock() }
        return context.flatMap { context in
            Result {
                let key = Key(transposeA: false, transposeB: false, m: 256, n: 256, k: 256, lda: 256, ldb: 256,
                              ldc: 256, alpha: Float(1).bitPattern, beta: 0, threads: Engine.threads)
                let plan = try probe ?? makePlan(key, context)
                probe = plan
                return plan.implementation
            }.mapError { $0 as? OneDNNFailure ?? OneDNNFailure(message: "\($0)") }
        }
    }

    /// C = alpha · op(A) · op(B) + beta · C with bf16 operands (arguments as `sgemm`'s).
    static func multiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                         alpha: Float, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        lock.lock(); defer { lock.unlock() }
        guard case .success(let context) = context else {
            preconditionFailure("bf16 GEMM without oneDNN: Engine.setPrecision checks availability first")
        }
        let key = Key(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb,
                      ldc: ldc, alpha: alpha.bitPattern, beta: beta.bitPattern, threads: Engine.threads)
        let plan: Plan
        if let cached = plans[key] {
            plan = cached
        } else {
            do { plan = try makePlan(key, context) } catch {
                preconditionFailure("oneDNN bf16 matmul \(m)×\(n)×\(k): \((error as? OneDNNFailure)?.message ?? "\(error)")")
            }
            plans[key] = plan
        }
        OpenMP.setThreads(Engine.threads)
        let bf16A = scratchA.pointer(bytes: m * k * 2), bf16B = scratchB.pointer(bytes: k * n * 2)
        check(dnnl_memory_set_data_handle(plan.sourceA, UnsafeMutableRawPointer(mutating: a)), "set A")
        check(dnnl_memory_set_data_handle(plan.sourceB, UnsafeMutableRawPointer(mutating: b)), "set B")
        check(dnnl_memory_set_data_handle(plan.bf16A, bf16A), "set bf16 A")
        check(dnnl_memory_set_data_handle(plan.bf16B, bf16B), "set bf16 B")
        check(dnnl_memory_set_data_handle(plan.destination, c), "set C")
        plan.execute(on: context.stream)
    }

    /// The best time in seconds of the bf16 matmul alone (operands already bf16, no
    /// conversion) for m×n×k over `repeats` runs: the in-process bf16 GEMM peak.
    static func matmulSeconds(m: Int, n: Int, k: Int, repeats: Int) -> Double? {
        lock.lock(); defer { lock.unlock() }
        guard case .success(let context) = context else { return nil }
        let key = Key(transposeA: false, transposeB: false, m: m, n: n, k: k, lda: k, ldb: n, ldc: n,
                      alpha: Float(1).bitPattern, beta: 0, threads: Engine.threads)
        guard let plan = try? plans[key] ?? makePlan(key, context) else { return nil }
        plans[key] = plan
        OpenMP.setThreads(Engine.threads)
        let bf16A = scratchA.pointer(bytes: m * k * 2), bf16B = scratchB.pointer(bytes: k * n * 2)
        // 0x3F00 is bf16 0.5, 0x3E80 is 0.25: finite, normal operands.
        bf16A.initializeMemory(as: UInt16.self, repeating: 0x3F00, count: m * k)
        bf16B.initializeMemory(as: UInt16.self, repeating: 0x3E80, count: k * n)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
        defer { c.deallocate() }
        check(dnnl_memory_set_data_handle(plan.bf16A, bf16A), "set bf16 A")
        check(dnnl_memory_set_data_handle(plan.bf16B, bf16B), "set bf16 B")
        check(dnnl_memory_set_data_handle(plan.destination, c), "set C")
        var best = Double.infinity
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            plan.execute(on: context.stream, convert: false)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    // oneDNN's argument indices (macros aliasing macros, which Swift does not import).
    fileprivate static let argSource: Int32 = 1, argDestination: Int32 = 17, argWeights: Int32 = 33
    fileprivate static let argFrom: Int32 = 1, argTo: Int32 = 17

    fileprivate static func check(_ status: dnnl_status_t, _ what: String) {
        precondition(status == dnnl_success, "oneDNN \(what) failed (status \(status.rawValue))")
    }

    /// A row-major 2-D descriptor of `rows × columns` with the given strides.
    private static func descriptor(_ rows: Int, _ columns: Int, strides: (Int, Int),
                                   _ type: dnnl_data_type_t) throws -> dnnl_memory_desc_t {
        var md = dnnl_memory_desc_t()
        let dims = [Int64(rows), Int64(columns)], steps = [Int64(strides.0), Int64(strides.1)]
        let status = dnnl_memory_desc_init_by_strides(&md, 2, dims, type, steps)
        guard status == dnnl_success else {
            throw OneDNNFailure(message: "memory descriptor \(rows)×\(columns) (status \(status.rawValue))")
        }
        return md
    }

    /// `TTUR_ONEDNN_MATMUL=<prefix>` picks the first matmul implementation whose name starts
    /// with it (e.g. "gemm:jit"), for measurements; unset, oneDNN's own first choice runs.
    private static let preferredImplementation = ProcessInfo.processInfo.environment["TTUR_ONEDNN_MATMUL"]

    /// The first implementation of `desc` whose name starts with `prefix`, or nil.
    private static func matmulDescriptor(startingWith prefix: String, _ desc: inout dnnl_matmul_desc_t,
                                       _ attributes: OpaquePointer?, _ context: Context) -> OpaquePointer? {
        var iterator: OpaquePointer?
        guard dnnl_primitive_desc_iterator_create(&iterator, &desc, attributes, context.engine, nil) == dnnl_success,
              let iterator else { return nil }
        defer { dnnl_primitive_desc_iterator_destroy(iterator) }
        repeat {
            guard let candidate = dnnl_primitive_desc_iterator_fetch(iterator) else { return nil }
            var name: UnsafePointer<CChar>?
            _ = dnnl_primitive_desc_query(candidate, dnnl_query_impl_info_str, 0, &name)
            if let name, String(cString: name).hasPrefix(prefix) { return candidate }
            dnnl_primitive_desc_destroy(candidate)
        } while dnnl_primitive_desc_iterator_next(iterator) == dnnl_success
        return nil
    }

    /// The primitives and memory objects for one shape.
    private static func makePlan(_ key: Key, _ context: Context) throws -> Plan {
        let (m, n, k) = (key.m, key.n, key.k)
        OpenMP.setThreads(key.threads)
        // op(A) is m×k: stored row-major with stride lda, or transposed (k×m, stride lda).
        // The bf16 copies keep the orientation, packed.
        let aSource = try descriptor(m, k, strides: key.transposeA ? (1, key.lda) : (key.lda, 1), dnnl_f32)
        var aBF16 = try descriptor(m, k, strides: key.transposeA ? (1, m) : (k, 1), dnnl_bf16)
        let bSource = try descriptor(k, n, strides: key.transposeB ? (1, key.ldb) : (key.ldb, 1), dnnl_f32)
        var bBF16 = try descriptor(k, n, strides: key.transposeB ? (1, k) : (n, 1), dnnl_bf16)
        var cDesc = try descriptor(m, n, strides: (key.ldc, 1), dnnl_f32)

        func primitive(_ pd: OpaquePointer) throws -> (OpaquePointer, String) {
            defer { dnnl_primitive_desc_destroy(pd) }
            var name: UnsafePointer<CChar>?
            _ = dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name)
            var p: OpaquePointer?
            let status = dnnl_primitive_create(&p, pd)
            guard status == dnnl_success, let p else { throw OneDNNFailure(message: "primitive creation (status \(status.rawValue))") }
            return (p, name.map { String(cString: $0) } ?? "unknown")
        }
        func reorder(_ from: dnnl_memory_desc_t, _ to: dnnl_memory_desc_t) throws -> OpaquePointer {
            var from = from, to = to, pd: OpaquePointer?
            let status = dnnl_reorder_primitive_desc_create(&pd, &from, context.engine, &to, context.engine, nil)
            guard status == dnnl_success, let pd else {
                throw OneDNNFailure(message: "oneDNN has no fp32→bf16 reorder (status \(status.rawValue))")
            }
            return try primitive(pd).0
        }
        func memory(_ md: dnnl_memory_desc_t) throws -> OpaquePointer {
            var md = md, memory: OpaquePointer?
            let status = dnnl_memory_create(&memory, &md, context.engine, nil)
            guard status == dnnl_success, let memory else { throw OneDNNFailure(message: "memory object (status \(status.rawValue))") }
            return memory
        }

        var desc = dnnl_matmul_desc_t()
        var status = dnnl_matmul_desc_init(&desc, &aBF16, &bBF16, nil, &cDesc)
        guard status == dnnl_success else { throw OneDNNFailure(message: "oneDNN rejects a bf16 matmul (status \(status.rawValue))") }
        var attributes: OpaquePointer?, postOps: OpaquePointer?
        check(dnnl_primitive_attr_create(&attributes), "attributes")
        defer { dnnl_primitive_attr_destroy(attributes) }
        let alpha = Float(bitPattern: key.alpha), beta = Float(bitPattern: key.beta)
        if alpha != 1 {
            var scale = alpha
            check(dnnl_primitive_attr_set_output_scales(attributes, 1, 0, &scale), "output scale")
        }
        if beta != 0 {
            check(dnnl_post_ops_create(&postOps), "post-ops")
            check(dnnl_post_ops_append_sum(postOps, beta), "sum post-op")
            check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "set post-ops")
            dnnl_post_ops_destroy(postOps)
        }
        var pd = preferredImplementation.flatMap { matmulDescriptor(startingWith: $0, &desc, attributes, context) }
        if pd == nil { status = dnnl_primitive_desc_create(&pd, &desc, attributes, context.engine, nil) }
        guard status == dnnl_success, let pd else {
            throw OneDNNFailure(message: "oneDNN has no bf16 matmul implementation here (status \(status.rawValue))")
        }
        let (matmul, implementation) = try primitive(pd)
        return Plan(convertA: try reorder(aSource, aBF16), convertB: try reorder(bSource, bBF16), matmul: matmul,
                    sourceA: try memory(aSource), sourceB: try memory(bSource), bf16A: try memory(aBF16),
                    bf16B: try memory(bBF16), destination: try memory(cDesc), implementation: implementation)
    }
}

/// A grow-only, 64-byte-aligned buffer: the bf16 copies of the operands reuse it, so the
/// steady state allocates nothing.
struct ScratchBuffer {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0

    mutating func pointer(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes > capacity || base == nil {
            base?.deallocate()
            capacity = max(bytes, capacity * 3 / 2, 4096)
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        }
        return base!
    }
}

/// OpenMP's thread count (Debian's oneDNN runs its kernels in OpenMP parallel regions).
/// `omp_set_num_threads` is found at run time in the libgomp that libdnnl already loaded.
enum OpenMP {
    nonisolated(unsafe) private static let setNumThreads: (@convention(c) (Int32) -> Void)? = {
        guard let library = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD) ?? dlopen("libgomp.so.1", RTLD_NOW),
              let symbol = dlsym(library, "omp_set_num_threads") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
    }()

    /// Sets the calling thread's OpenMP team size (a per-thread setting, so set before each use).
    static func setThreads(_ count: Int) { setNumThreads?(Int32(count)) }

    nonisolated(unsafe) private static let getMaxThreads: (@convention(c) () -> Int32)? = {
        guard let library = dlopen("libgomp.so.1", RTLD_NOW | RTLD_NOLOAD),
              let symbol = dlsym(library, "omp_get_max_threads") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) () -> Int32).self)
    }()

    /// The calling thread's OpenMP team size, or nil where libgomp is not loaded.
    static func maxThreads() -> Int? { getMaxThreads.map { Int($0()) } }
}
