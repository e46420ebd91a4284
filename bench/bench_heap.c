/* bench/bench_heap.c: `cpsim bench heap`: the classic hold model (pop the minimum, push it
 * back at now + Exp(1 ms)) on the engine's 32-byte event with a binary and a 4-ary heap, at
 * several pending-set sizes, in one process. This is the measurement behind EVQ_ARITY. */
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "core/env.h"
#include "sim/des/evq.h"
#include "sim/metrics/js.h"

static double hold(unsigned arity, size_t pending, uint64_t ops)
{
    evq q = {0};
    cp_rng r;
    rng_seed(&r, 1, 0, 0);
    uint64_t seq = 0;
    for (size_t i = 0; i < pending; i++) {
        des_ev e = {(uint64_t)rng_exp(&r, 1e6), ++seq << 8, (uint32_t)i, 0, NULL};
        evq_push_d(&q, &e, arity);
    }
    double t0 = bench_wall();
    des_ev e;
    for (uint64_t i = 0; i < ops; i++) {
        evq_pop_d(&q, &e, arity);
        e.time += 1 + (uint64_t)rng_exp(&r, 1e6);
        e.key = ++seq << 8;
        evq_push_d(&q, &e, arity);
    }
    double dt = bench_wall() - t0;
    evq_free(&q);
    return (double)ops / dt;
}

int bench_heap_main(int argc, char **argv)
{
    int json = 0;
    uint64_t ops = 5000000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--ops") && i + 1 < argc && !bench_parse_u64(argv[++i], &ops)) ;
        else {
            fprintf(stderr, "usage: cpsim bench heap [--ops N] [--json]\n");
            return 2;
        }
    }
    static const size_t sizes[] = {1000, 10000, 100000, 1000000};
    js *j = json ? js_open_stream(stdout) : NULL;
    if (j) js_obj_begin(j, NULL), js_str(j, "bench", "heap"), js_arr_begin(j, "results");
    for (size_t k = 0; k < 4; k++) {
        double b2 = hold(2, sizes[k], ops), b4 = hold(4, sizes[k], ops);
        if (j) {
            js_obj_begin(j, NULL);
            js_u64(j, "pending", sizes[k]);
            js_num(j, "binary_ops_per_s", b2);
            js_num(j, "quad_ops_per_s", b4);
            js_num(j, "quad_over_binary", b4 / b2);
            js_obj_end(j);
        } else {
            printf("pending %8zu  binary %6.2f M/s  4-ary %6.2f M/s  4-ary/binary %.2f\n",
                   sizes[k], b2 / 1e6, b4 / 1e6, b4 / b2);
        }
    }
    if (j) js_arr_end(j), js_obj_end(j), js_close(j), putchar('\n');
    return 0;
}
