/* tests/harness.h: the one small unit-test harness (TAP output for automake's tap-driver).
 *
 * A test file defines functions `static void t_name(void)` and lists them with
 * TEST_MAIN(TEST(t_name), ...). Each check that fails prints a diagnostic with file:line and
 * marks the current test failed; every test prints "ok N - name" or "not ok N - name".
 * The process exits 0 when all passed, 1 otherwise; a test may call test_skip(reason). */
#ifndef TEST_HARNESS_H
#define TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

static int test_failed_;
static const char *test_skip_;

#define CHECK(c)                                                                       \
    do {                                                                               \
        if (!(c)) {                                                                    \
            printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #c);             \
            test_failed_ = 1;                                                          \
        }                                                                              \
    } while (0)
#define CHECK_EQ_U64(a, b)                                                             \
    do {                                                                               \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                               \
        if (a_ != b_) {                                                                \
            printf("# %s:%d: %s == %s failed: %" PRIu64 " != %" PRIu64 "\n", __FILE__,  \
                   __LINE__, #a, #b, a_, b_);                                          \
            test_failed_ = 1;                                                          \
        }                                                                              \
    } while (0)
#define CHECK_NEAR(a, b, tol)                                                          \
    do {                                                                               \
        double a_ = (a), b_ = (b);                                                     \
        if (!(a_ - b_ <= (tol) && b_ - a_ <= (tol))) {                                 \
            printf("# %s:%d: %s ~ %s failed: %.9g vs %.9g (tol %g)\n", __FILE__,        \
                   __LINE__, #a, #b, a_, b_, (double)(tol));                           \
            test_failed_ = 1;                                                          \
        }                                                                              \
    } while (0)
#define REQUIRE(c)                                                                     \
    do {                                                                               \
        if (!(c)) {                                                                    \
            printf("# %s:%d: required: %s\n", __FILE__, __LINE__, #c);                 \
            test_failed_ = 1;                                                          \
            return;                                                                    \
        }                                                                              \
    } while (0)

static inline void test_skip(const char *why) { test_skip_ = why; }

/* A whole file in a malloc'd, NUL-terminated buffer (NULL if unreadable); *len its size. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = b ? fread(b, 1, (size_t)n, f) : 0;
    if (b) b[*len] = 0;
    fclose(f);
    return b;
}

/* Decode a hex string into out (strlen(hex)/2 bytes). */
static inline void test_hex(unsigned char *out, const char *hex)
{
    for (size_t i = 0; hex[2 * i] && hex[2 * i + 1]; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

#define TEST(f) {#f, f}
#define TEST_MAIN(...)                                                                 \
    int main(void)                                                                     \
    {                                                                                  \
        static const test_case cases[] = {__VA_ARGS__};                                \
        size_t n = sizeof cases / sizeof cases[0];                                     \
        int bad = 0;                                                                   \
        printf("1..%zu\n", n);                                                         \
        for (size_t i = 0; i < n; i++) {                                               \
            test_failed_ = 0;                                                          \
            test_skip_ = NULL;                                                         \
            cases[i].fn();                                                             \
            if (test_skip_)                                                            \
                printf("ok %zu - %s # SKIP %s\n", i + 1, cases[i].name, test_skip_);   \
            else                                                                       \
                printf("%sok %zu - %s\n", test_failed_ ? "not " : "", i + 1,           \
                       cases[i].name);                                                 \
            fflush(stdout);                                                            \
            bad |= test_failed_;                                                       \
        }                                                                              \
        return bad;                                                                    \
    }

#endif
