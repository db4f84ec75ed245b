// OpenMPI (Debian: libopenmpi-dev): only for the compile and link flags of CMPIShim, which
// wraps the calls ttur-text makes (MPI's handles are macros Swift cannot import).
#include <mpi.h>
