/* Unit tests for core/crypto/cost: defaults, scaling by the CPU factor, per-class overrides,
 * the file format's round trip and its located errors. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/crypto/cost.h"
#include "tests/harness.h"

static void t_scaling_and_overrides(void)
{
    cost_table *t = cost_table_new();
    REQUIRE(t);
    CHECK_EQ_U64(cost_of(t, COST_VERIFY, 3, 1.0, 1), 47070);
    CHECK_EQ_U64(cost_of(t, COST_VERIFY, 0, 200.0, 1), 47070 * 200);
    CHECK_EQ_U64(cost_of(t, COST_HASH_KIB, 3, 1.0, 1000), 990000);
    cost_set_class(t, 0, COST_VERIFY, 12000000);
    CHECK_EQ_U64(cost_of(t, COST_VERIFY, 0, 200.0, 2), 24000000);
    cost_table_free(t);
}

static void t_file_round_trip_and_errors(void)
{
    char path[] = "/tmp/cpsim-cost-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w");
    cost_table *t = cost_table_new();
    cost_set_reference(t, COST_SIGN, 11111);
    REQUIRE(cost_table_save(t, f) == 0);
    fprintf(f, "sensor verify 9000000  # measured on a board\n");
    fclose(f);
    cost_table *u = cost_table_new();
    static const char *const names[] = {"sensor", "vehicle", "gateway", "server"};
    char err[256];
    REQUIRE(cost_table_load(u, path, names, 4, err, sizeof err) == 0);
    CHECK_EQ_U64(cost_reference(u, COST_SIGN), 11111);
    CHECK_EQ_U64(cost_of(u, COST_VERIFY, 0, 200.0, 1), 9000000);
    f = fopen(path, "w");
    fprintf(f, "server sign 10\nserver teleport 5\n");
    fclose(f);
    CHECK(cost_table_load(u, path, names, 4, err, sizeof err) != 0 && strstr(err, ":2: unknown operation"));
    f = fopen(path, "w");
    fprintf(f, "toaster sign 10\n");
    fclose(f);
    CHECK(cost_table_load(u, path, names, 4, err, sizeof err) != 0 && strstr(err, ":1: unknown device class"));
    f = fopen(path, "w");
    fprintf(f, "server sign -3\n");
    fclose(f);
    CHECK(cost_table_load(u, path, names, 4, err, sizeof err) != 0 && strstr(err, ":1: expected a positive"));
    unlink(path);
    cost_table_free(t);
    cost_table_free(u);
}

TEST_MAIN(TEST(t_scaling_and_overrides), TEST(t_file_round_trip_and_errors))
