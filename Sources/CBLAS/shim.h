// OpenBLAS's CBLAS interface plus the few Fortran LAPACK routines ttur-text calls.
// libopenblas exports LAPACK's Fortran symbols itself, so we declare them here
// instead of depending on liblapacke-dev (see README, "Native dependencies").
#include <cblas.h>

// Symmetric eigen-decomposition (divide and conquer), double precision.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info);
// Symmetric eigen-decomposition, double precision.
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
// Cholesky factorisation of a symmetric positive definite matrix, double precision.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);

// OpenBLAS's kernel selection (DYNAMIC_ARCH builds). Debian 12's OpenBLAS 0.3.21 does not
// recognise CPUs newer than it (e.g. Emerald Rapids, family 6 model 207) and falls back
// to its generic "Prescott" kernels, ten times slower than its AVX-512 ones. The engine
// re-runs the selection with OPENBLAS_CORETYPE set (see Tensors/Kernels/KernelSelection.swift).
char *openblas_get_corename(void);
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);
