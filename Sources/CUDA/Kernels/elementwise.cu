// ttur-text's CUDA kernels: element-wise operations. Compiled at run time by NVRTC for the
// device's architecture (NVRTC defines __CUDACC_RTC__ and the CUDA built-ins); the block
// below lets clang's CUDA front end check the same file offline, without CUDA headers
// (CUDALoaderTests), and NVRTC itself compiles it in the tests (NVRTCCompileTests).
#ifndef __CUDACC_RTC__
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
struct ttur_dim3 { int x, y, z; };
#define threadIdx (ttur_dim3{__nvvm_read_ptx_sreg_tid_x(), __nvvm_read_ptx_sreg_tid_y(), __nvvm_read_ptx_sreg_tid_z()})
#define blockIdx (ttur_dim3{__nvvm_read_ptx_sreg_ctaid_x(), __nvvm_read_ptx_sreg_ctaid_y(), __nvvm_read_ptx_sreg_ctaid_z()})
#define blockDim (ttur_dim3{__nvvm_read_ptx_sreg_ntid_x(), __nvvm_read_ptx_sreg_ntid_y(), __nvvm_read_ptx_sreg_ntid_z()})
#define gridDim (ttur_dim3{__nvvm_read_ptx_sreg_nctaid_x(), __nvvm_read_ptx_sreg_nctaid_y(), __nvvm_read_ptx_sreg_nctaid_z()})
#define sqrtf __builtin_sqrtf
#endif

// y ← a·x + y over n elements, one thread per element in a grid-stride loop.
extern "C" __global__ void ttur_saxpy(long long n, float a, const float* __restrict__ x, float* __restrict__ y) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        y[i] = a * x[i] + y[i];
    }
}

// PyTorch's Adam step (bias-corrected, ε outside the square root), fused: parameters, first
// and second moments updated in place from the gradient, in float32 as on the CPU.
extern "C" __global__ void ttur_adam(long long n, float* __restrict__ p, float* __restrict__ m, float* __restrict__ v,
                                     const float* __restrict__ g, float lr, float beta1, float beta2, float eps,
                                     float correction1, float correction2) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        float mi = beta1 * m[i] + (1.0f - beta1) * g[i];
        float vi = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
        m[i] = mi;
        v[i] = vi;
        p[i] -= lr * (mi / correction1) / (sqrtf(vi / correction2) + eps);
    }
}
