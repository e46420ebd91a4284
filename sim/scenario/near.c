/* sim/scenario/near.c: "did you mean" for names a person mistyped (keys, regions, classes,
 * group names, roles). The nearest candidate by edit distance (Levenshtein, adjacent swaps
 * counting one), if it is near enough to be the likely intent: at most 1 edit for names up to
 * 4 characters, 2 up to 8, 3 beyond. Ties go to the first candidate (the caller's order). */
#include <string.h>

#include "sim/scenario/scn.h"

#define NEAR_MAX 64

static size_t min3(size_t a, size_t b, size_t c) { return a < b ? (a < c ? a : c) : (b < c ? b : c); }

/* Optimal string alignment distance of a[0..la) and b[0..lb), both at most NEAR_MAX long. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t d[NEAR_MAX + 1][NEAR_MAX + 1];
    for (size_t i = 0; i <= la; i++) d[i][0] = i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

const char *scn_nearest(const char *word, size_t wlen, const char *const *names, size_t n)
{
    if (!word || wlen == 0 || wlen > NEAR_MAX) return NULL;
    size_t limit = wlen <= 4 ? 1 : wlen <= 8 ? 2 : 3, best = limit + 1;
    const char *pick = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t l = names[i] ? strlen(names[i]) : 0;
        if (l == 0 || l > NEAR_MAX || (l == wlen && !strncmp(word, names[i], l))) continue;
        size_t d = distance(word, wlen, names[i], l);
        if (d < best) best = d, pick = names[i];
    }
    return pick;
}
