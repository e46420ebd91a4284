/* bench/bench.c: helpers shared by the benchmarks: a monotonic wall clock, the process's
 * peak resident memory, and number parsing for options. Benchmarks may read the wall clock;
 * simulation code never does. */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

uint64_t bench_peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    uint64_t kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kb = strtoull(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

void bench_reset_peak_rss(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

int bench_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s) return -1;
    double v = strtod(s, &end);
    if (*end == 'k' || *end == 'K') v *= 1e3, end++;
    else if (*end == 'M') v *= 1e6, end++;
    if (*end || v < 0) return -1;
    *out = (uint64_t)v;
    return 0;
}

void bench_in_child(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size, uint64_t *rss_kb)
{
    int fd[2];
    memset(out, 0, size);
    *rss_kb = 0;
    if (pipe(fd) != 0) return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        fn(arg, out);
        _exit(write(fd[1], out, size) == (ssize_t)size ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    ssize_t k;
    while (pid > 0 && got < size && (k = read(fd[0], (char *)out + got, size - got)) > 0) got += (size_t)k;
    close(fd[0]);
    if (got != size) memset(out, 0, size);
    int st;
    struct rusage ru;
    if (pid > 0 && wait4(pid, &st, 0, &ru) == pid) *rss_kb = (uint64_t)ru.ru_maxrss;
}
