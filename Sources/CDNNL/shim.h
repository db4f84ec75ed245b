// oneDNN's C API (Debian's libdnnl-dev 2.6.3, no pkg-config file): the bf16 matmul backend
// of the engine (Tensors/Kernels/GEMM+oneDNN.swift).
//
// Debian's oneDNN threads with OpenMP (libgomp, a dependency of libdnnl.so). The engine sets
// OpenMP's thread count through `omp_set_num_threads`, looked up at run time in the already
// loaded libgomp, so nothing links against libgomp directly (it has no unversioned .so in
// the default library path).
#include <oneapi/dnnl/dnnl.h>
