/* sim/scenario/units.c: parsers for durations, sizes and rates with units (contract in
 * scn.h). Invariant: a value parses only if the whole text is one non-negative number followed
 * by one known unit (optionally separated by spaces), and the result is an exact integer of the
 * base unit after rounding to the nearest; anything else is rejected, never guessed. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/scenario/scn.h"

typedef struct unit {
    const char *name;
    double factor;
} unit;

static const unit duration_units[] = {
    {"ns", 1}, {"us", 1e3}, {"µs", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"min", 60e9}, {"h", 3600e9}, {NULL, 0},
};

static const unit size_units[] = {
    {"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}, {NULL, 0},
};

static const unit rate_units[] = {
    {"bps", 1}, {"kbps", 1e3}, {"Kbps", 1e3}, {"Mbps", 1e6}, {"Gbps", 1e9}, {"Tbps", 1e12}, {NULL, 0},
};

/* Leading non-negative decimal number (digits, optional fraction, optional exponent). */
static int lead_number(const char *s, double *v, const char **rest)
{
    while (*s == ' ') s++;
    if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1]))) return -1;
    char *end;
    *v = strtod(s, &end);
    if (end == s || !isfinite(*v) || *v < 0) return -1;
    while (*end == ' ') end++;
    *rest = end;
    return 0;
}

static int to_u64(double x, uint64_t *out)
{
    double r = nearbyint(x);
    if (!(r >= 0 && r < 18446744073709551616.0) || fabs(x - r) > 1e-6 * (x > 1 ? x : 1)) return -1;
    *out = (uint64_t)r;
    return 0;
}

/* bare: the factor for a number without a unit, or 0 if a unit is required (but 0 is ok). */
static int parse_with(const char *s, const unit *u, double bare, uint64_t *out)
{
    double v;
    const char *rest;
    if (!s || lead_number(s, &v, &rest) != 0) return -1;
    if (*rest == 0) {
        if (bare == 0 && v != 0) return -1;
        return to_u64(v * (bare ? bare : 1), out);
    }
    size_t len = strlen(rest);
    while (len && rest[len - 1] == ' ') len--;
    for (; u->name; u++)
        if (strlen(u->name) == len && strncmp(rest, u->name, len) == 0) return to_u64(v * u->factor, out);
    return -1;
}

int scn_parse_duration(const char *s, uint64_t *ns) { return parse_with(s, duration_units, 0, ns); }
int scn_parse_size(const char *s, uint64_t *bytes) { return parse_with(s, size_units, 1, bytes); }
int scn_parse_rate(const char *s, uint64_t *bps) { return parse_with(s, rate_units, 0, bps); }
