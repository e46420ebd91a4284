/* tests/unit/test_vec.c: core/vec: vec_reserve doubles from 16, keeps the old elements and
 * refuses a size that overflows (leaving the array as it was); vec_big aligns small arrays to a
 * cache line and large ones to 2 MiB, clears when asked, and refuses an overflowing size. */
#include "core/vec.h"
#include "tests/harness.h"

#include <stdint.h>
#include <stdlib.h>

static void t_reserve_doubles_and_keeps(void)
{
    uint32_t *a = NULL;
    size_t cap = 0;
    CHECK(vec_reserve((void **)&a, &cap, 1, sizeof *a) == 0 && cap == 16);
    for (uint32_t i = 0; i < 16; i++) a[i] = i * 7;
    CHECK(vec_reserve((void **)&a, &cap, 17, sizeof *a) == 0 && cap == 32);
    CHECK(vec_reserve((void **)&a, &cap, 100, sizeof *a) == 0 && cap == 128);
    int same = 1;
    for (uint32_t i = 0; i < 16; i++) same &= a[i] == i * 7;
    CHECK(same);
    uint32_t *keep = a;
    CHECK(vec_reserve((void **)&a, &cap, SIZE_MAX / 2, sizeof *a) == -1);
    CHECK(a == keep && cap == 128);
    free(a);
}

static void t_big_alignment_and_zero(void)
{
    uint8_t *s = vec_big(100, 1), *b = vec_big((size_t)3 << 20, 1);
    CHECK(s && b);
    CHECK((uintptr_t)s % 64 == 0);
    CHECK((uintptr_t)b % ((size_t)2 << 20) == 0);
    int zero = 1;
    for (size_t i = 0; i < 128; i++) zero &= s[i] == 0; /* rounded up to 128 bytes */
    for (size_t i = 0; i < ((size_t)4 << 20); i += 4093) zero &= b[i] == 0;
    CHECK(zero);
    b[((size_t)4 << 20) - 1] = 1; /* the rounded-up length is usable */
    free(s), free(b);
    CHECK(vec_big(SIZE_MAX - 10, 0) == NULL);
}

TEST_MAIN(TEST(t_reserve_doubles_and_keeps), TEST(t_big_alignment_and_zero))
