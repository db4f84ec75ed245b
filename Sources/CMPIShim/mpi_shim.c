#include "mpi_shim.h"
#include <limits.h>
#include <mpi.h>

int ttur_mpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) == MPI_SUCCESS ? 0 : 1;
}

int ttur_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int ttur_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

// MPI counts are ints: longer buffers go in pieces (the same pieces on every rank).
#define PIECE (INT_MAX / 2)

int ttur_mpi_allreduce_sum_float(float *values, long count) {
    for (long start = 0; start < count; start += PIECE) {
        int n = (int)(count - start < PIECE ? count - start : PIECE);
        if (MPI_Allreduce(MPI_IN_PLACE, values + start, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS) return 1;
    }
    return 0;
}

int ttur_mpi_allreduce_sum_double(double *values, long count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : 1;
}

int ttur_mpi_allreduce_max_double(double *values, long count) {
    return MPI_Allreduce(MPI_IN_PLACE, values, (int)count, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : 1;
}

int ttur_mpi_allgather_float(const float *values, long count, float *all) {
    return MPI_Allgather(values, (int)count, MPI_FLOAT, all, (int)count, MPI_FLOAT, MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : 1;
}

int ttur_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD) == MPI_SUCCESS ? 0 : 1; }

int ttur_mpi_finalize(void) { return MPI_Finalize() == MPI_SUCCESS ? 0 : 1; }

void ttur_mpi_abort(int status) { MPI_Abort(MPI_COMM_WORLD, status); }
