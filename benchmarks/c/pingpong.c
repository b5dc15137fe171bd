/*
 * The physical limit beside the mpi transport: MPI_Send/MPI_Recv ping-pong and bursts between
 * ranks 0 and 1, in C, on the same MPI (built by benchmarks/run.sh with mpicc.openmpi and
 * mpicc.mpich). Measured as the Java benchmarks measure: one-way latency = median round trip / 2;
 * bandwidth = 4 messages one way, then a one-byte acknowledgement, MB/s = 4 x size / median burst.
 *   mpirun.X -np 2 pingpong OUT.json [ITERATIONS]
 * Writes {"mpi": "...", "sizes": [{"bytes": N, "oneWayMicros": .., "p99OneWayMicros": .., "burstMBps": ..}, ...]}.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp(const void *a, const void *b) {
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static double pct(double *t, int n, double p) {
    qsort(t, n, sizeof(double), cmp);
    return t[(int) (p * (n - 1))];
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2 || argc < 2) {
        if (rank == 0) fprintf(stderr, "usage: mpirun -np 2 %s OUT.json [ITERATIONS]\n", argv[0]);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    int iterations = argc > 2 ? atoi(argv[2]) : 20000;
    const int sizes[] = {8, 1024, 65536, 1048576};
    const int nsizes = sizeof sizes / sizeof sizes[0];
    const int window = 4, tag = 99;
    char *buf = malloc(sizes[nsizes - 1]);
    char ack = 0;
    memset(buf, 1, sizes[nsizes - 1]);
    double *t = malloc(sizeof(double) * iterations);
    FILE *out = NULL;
    if (rank == 0) {
        char version[MPI_MAX_LIBRARY_VERSION_STRING];
        int len;
        MPI_Get_library_version(version, &len);
        for (char *c = version; *c; c++) if (*c == '\n' || *c == '"' || *c == '\t') *c = *c == '\n' ? '\0' : ' ';
        out = fopen(argv[1], "w");
        if (!out) { perror(argv[1]); MPI_Abort(MPI_COMM_WORLD, 1); }
        fprintf(out, "{\"mpi\": \"%s\", \"iterations\": %d, \"sizes\": [", version, iterations);
    }
    for (int s = 0; s < nsizes; s++) {
        int n = sizes[s];
        int iters = n >= 65536 ? iterations / 20 : iterations; /* large messages: fewer, still hundreds */
        int warm = iters / 10;
        for (int i = -warm; i < iters; i++) { /* ping-pong */
            double t0 = MPI_Wtime();
            if (rank == 0) {
                MPI_Send(buf, n, MPI_BYTE, 1, tag, MPI_COMM_WORLD);
                MPI_Recv(buf, n, MPI_BYTE, 1, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (i >= 0) t[i] = (MPI_Wtime() - t0) / 2;
            } else if (rank == 1) {
                MPI_Recv(buf, n, MPI_BYTE, 0, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(buf, n, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
            }
        }
        double median = 0, p99 = 0;
        if (rank == 0) { median = pct(t, iters, 0.5); p99 = pct(t, iters, 0.99); }
        for (int i = -warm; i < iters; i++) { /* bursts */
            double t0 = MPI_Wtime();
            if (rank == 0) {
                for (int w = 0; w < window; w++) MPI_Send(buf, n, MPI_BYTE, 1, tag, MPI_COMM_WORLD);
                MPI_Recv(&ack, 1, MPI_BYTE, 1, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                if (i >= 0) t[i] = MPI_Wtime() - t0;
            } else if (rank == 1) {
                for (int w = 0; w < window; w++) MPI_Recv(buf, n, MPI_BYTE, 0, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(&ack, 1, MPI_BYTE, 0, tag, MPI_COMM_WORLD);
            }
        }
        if (rank == 0) {
            double burst = pct(t, iters, 0.5);
            fprintf(out, "%s{\"bytes\": %d, \"oneWayMicros\": %.4f, \"p99OneWayMicros\": %.4f, \"burstMBps\": %.1f}",
                    s ? ", " : "", n, median * 1e6, p99 * 1e6, window * (double) n / burst / 1e6);
        }
    }
    if (rank == 0) { fprintf(out, "]}\n"); fclose(out); }
    free(buf);
    free(t);
    MPI_Finalize();
    return 0;
}
