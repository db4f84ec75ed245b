// The MPI calls of ttur-text's `Distributed` module, as plain C functions: MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM) are macros that Swift cannot import.
#ifndef TTUR_MPI_SHIM_H
#define TTUR_MPI_SHIM_H

/// MPI_Init_thread (funneled); returns 0 on success.
int ttur_mpi_init(void);
int ttur_mpi_rank(void);
int ttur_mpi_size(void);
/// Sums in place over MPI_COMM_WORLD; returns 0 on success.
int ttur_mpi_allreduce_sum_float(float *values, long count);
int ttur_mpi_allreduce_sum_double(double *values, long count);
int ttur_mpi_allreduce_max_double(double *values, long count);
/// Gathers `count` floats from every rank into `all` (size × count) on every rank.
int ttur_mpi_allgather_float(const float *values, long count, float *all);
int ttur_mpi_barrier(void);
int ttur_mpi_finalize(void);
/// Ends every rank of the job with `status`.
void ttur_mpi_abort(int status);

#endif
