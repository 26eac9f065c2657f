/* mpi-hello - the MPI program of tests/integration/slurm.t: each rank
 * prints its rank, the world's size and the Slurm node it runs on, after a
 * barrier and an allreduce that needs every rank (so a rank that could not
 * wire up fails the job). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	int rank, size, sum = 0, one = 1;
	const char *node = getenv("SLURMD_NODENAME");

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Barrier(MPI_COMM_WORLD);
	MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	printf("rank %d of %d on %s sum %d\n", rank, size, node ? node : "?", sum);
	fflush(stdout);
	MPI_Finalize();
	return sum == size ? 0 : 1;
}
