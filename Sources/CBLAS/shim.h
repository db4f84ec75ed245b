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
