/* core/dht/dht_rt.c: ids, the XOR metric, the sorted-id oracle, and the compact per-node
 * routing table (contract in dht.h, layout in dht_int.h). A table is one array of uint32
 * contacts grouped by bucket plus a short list of (bucket, count) pairs, so a node of a
 * 10^6-node network costs about 4 bytes per contact (~350 contacts) plus two small blocks. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht_int.h"
#include "core/vec.h"

void dht_make_id(uint8_t out[DHT_ID_BYTES], uint64_t seed, uint64_t node)
{
    uint8_t in[9 + 16] = "cpsim-dht";
    for (int i = 0; i < 8; i++) {
        in[9 + i] = (uint8_t)(seed >> (8 * i));
        in[17 + i] = (uint8_t)(node >> (8 * i));
    }
    crypto_generichash(out, DHT_ID_BYTES, in, sizeof in, NULL, 0);
}

const uint8_t *dht_id(const dht *d, cp_node v) { return dht_is_member(d, v) ? dht_idp(d, v) : NULL; }

int dht_cmp_dist(const uint8_t *a, const uint8_t *b, const uint8_t *t)
{
    for (int i = 0; i < DHT_ID_BYTES; i++) {
        uint8_t x = a[i] ^ t[i], y = b[i] ^ t[i];
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

int dht_bucket_index(const uint8_t *a, const uint8_t *b)
{
    for (int i = 0; i < DHT_ID_BYTES; i++) {
        unsigned x = (unsigned)(a[i] ^ b[i]);
        if (x) return 255 - (i * 8 + (__builtin_clz(x) - 24));
    }
    return -1;
}

/* Insertion sort of v[0..n) by distance to key. */
void dht_sort_nodes(const dht *d, const uint8_t *key, cp_node *v, uint32_t n)
{
    uint64_t kp = dht_prefix64(key);
    for (uint32_t i = 1; i < n; i++) {
        cp_node x = v[i];
        uint32_t j = i;
        while (j > 0 && dht_cmp_nodes(d, v[j - 1], x, key, kp) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

static int bit_at(const uint8_t *id, uint32_t p) { return (id[p >> 3] >> (7 - (p & 7))) & 1; }

/* First index in [lo, hi) of the sorted array whose id has bit p set (all share bits < p). */
static uint32_t split(const dht *d, uint32_t lo, uint32_t hi, uint32_t p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int bit = p < 64 ? (int)(d->spfx[mid] >> (63 - p)) & 1 : bit_at(dht_idp(d, d->sorted[mid]), p);
        if (bit) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static uint32_t oracle(const dht *d, const uint8_t *key, uint32_t need, cp_node *out)
{
    uint32_t lo = 0, hi = d->n, got = 0;
    for (uint32_t p = 0; need > 0 && lo < hi; p++) {
        if (hi - lo <= need || p == 256) {
            for (uint32_t i = lo; i < hi && need; i++, need--) out[got++] = d->sorted[i];
            break;
        }
        uint32_t m = split(d, lo, hi, p);
        int kb = bit_at(key, p);
        uint32_t nlo = kb ? m : lo, nhi = kb ? hi : m;
        if (nhi - nlo < need) {
            for (uint32_t i = nlo; i < nhi; i++) out[got++] = d->sorted[i];
            need -= nhi - nlo;
            nlo = kb ? lo : m;
            nhi = kb ? m : hi;
        }
        lo = nlo;
        hi = nhi;
    }
    return got;
}

uint32_t dht_true_closest(const dht *d, const uint8_t *key, cp_node exclude, uint32_t k, cp_node *out)
{
    cp_node tmp[DHT_MAX_CONTACTS + 1];
    if (k > DHT_MAX_CONTACTS) k = DHT_MAX_CONTACTS;
    uint32_t got = oracle(d, key, k + 1, tmp), w = 0;
    dht_sort_nodes(d, key, tmp, got);
    for (uint32_t i = 0; i < got && w < k; i++)
        if (tmp[i] != exclude) out[w++] = tmp[i];
    return w;
}

/* ---- per-node table ---- */

static int find_bucket(const dht_rt *rt, int b, uint32_t *off)
{
    uint32_t o = 0;
    for (int j = 0; j < rt->nb; j++) {
        if (rt->bk[2 * j] == b) {
            *off = o;
            return j;
        }
        if (rt->bk[2 * j] < b) {
            *off = o;
            return -1 - j;
        }
        o += rt->bk[2 * j + 1];
    }
    *off = o;
    return -1 - rt->nb;
}

/* Make room for one more contact and one more bucket: a new block with the grown parts
 * (contacts by 1/8 + 4, since tables are near their final size; bucket pairs doubled). A
 * block in the prefill arena is copied out, never freed. */
static int grow(dht_rt *rt)
{
    if (rt->n < rt->cap && rt->nb < rt->bcap) return 0;
    uint32_t cap = rt->n < rt->cap ? rt->cap : rt->cap + rt->cap / 8u + 4u;
    uint32_t bcap = rt->nb < rt->bcap ? rt->bcap : (rt->bcap ? rt->bcap * 2u : 4u);
    if (bcap > 255) bcap = 255;
    if (rt->nb == bcap || cap > UINT16_MAX) return -1;
    uint8_t *blk = malloc(dht_rt_bk_bytes(bcap) + (size_t)cap * sizeof *rt->c);
    if (!blk) return -1;
    uint32_t *c = (uint32_t *)(void *)(blk + dht_rt_bk_bytes(bcap));
    if (rt->nb) memcpy(blk, rt->bk, 2u * rt->nb);
    if (rt->n) memcpy(c, rt->c, rt->n * sizeof *c);
    if (!rt->arena) free(rt->bk);
    rt->bk = blk;
    rt->c = c;
    rt->cap = (uint16_t)cap;
    rt->bcap = (uint8_t)bcap;
    rt->arena = 0;
    return 0;
}

static void insert_at(dht_rt *rt, uint32_t pos, uint32_t c)
{
    memmove(rt->c + pos + 1, rt->c + pos, (rt->n - pos) * sizeof *rt->c);
    rt->c[pos] = c;
    rt->n++;
}

static int new_bucket(dht_rt *rt, int j, uint32_t off, int b, cp_node c)
{
    memmove(rt->bk + 2 * (j + 1), rt->bk + 2 * j, 2 * (size_t)(rt->nb - j));
    rt->bk[2 * j] = (uint8_t)b;
    rt->bk[2 * j + 1] = 1;
    rt->nb++;
    insert_at(rt, off, c);
    return 1;
}

int dht_rt_add(dht *d, cp_node v, cp_node c)
{
    int b = dht_bucket_of(d, v, c);
    dht_rt *rt = &dht_nd(d, v)->rt;
    if (b < 0 || c == v) return 0;
    if (grow(rt)) return -1;
    uint32_t off;
    int j = find_bucket(rt, b, &off);
    if (j < 0) return new_bucket(rt, -1 - j, off, b, c);
    uint32_t cnt = rt->bk[2 * j + 1];
    for (uint32_t i = 0; i < cnt; i++) {
        if (rt->c[off + i] != c) continue;
        memmove(rt->c + off + i, rt->c + off + i + 1, (cnt - 1 - i) * sizeof *rt->c);
        rt->c[off + cnt - 1] = c;
        return 1;
    }
    if (cnt >= d->cfg.k) return 0;
    insert_at(rt, off + cnt, c);
    rt->bk[2 * j + 1]++;
    return 1;
}

int dht_rt_remove(dht *d, cp_node v, cp_node c)
{
    int b = dht_bucket_of(d, v, c);
    dht_rt *rt = &dht_nd(d, v)->rt;
    uint32_t off;
    int j = b < 0 ? -1 : find_bucket(rt, b, &off);
    if (j < 0) return 0;
    uint32_t cnt = rt->bk[2 * j + 1];
    for (uint32_t i = 0; i < cnt; i++) {
        if (rt->c[off + i] != c) continue;
        memmove(rt->c + off + i, rt->c + off + i + 1, (rt->n - off - i - 1) * sizeof *rt->c);
        rt->n--;
        if (--rt->bk[2 * j + 1] == 0) {
            memmove(rt->bk + 2 * j, rt->bk + 2 * (j + 1), 2 * (size_t)(rt->nb - j - 1));
            rt->nb--;
        }
        return 1;
    }
    return 0;
}

/* ---- replacement cache (eviction = cache) ---- */

void dht_repl_note(dht *d, cp_node v, cp_node c)
{
    uint32_t r = d->cfg.replacements;
    cp_node *q = d->repl + (size_t)(v - d->first) * r;
    for (uint32_t i = 0; i < r; i++)
        if (q[i] == c) return;
    dht_node *nd = dht_nd(d, v);
    q[nd->repl_next] = c;
    nd->repl_next = (uint8_t)((nd->repl_next + 1) % r);
}

int dht_repl_refill(dht *d, cp_node v, int b)
{
    uint32_t r = d->cfg.replacements;
    cp_node *q = d->repl + (size_t)(v - d->first) * r;
    uint32_t next = dht_nd(d, v)->repl_next;
    for (uint32_t k = 1; k <= r; k++) { /* most recent first */
        cp_node *c = &q[(next + r - k) % r];
        if (*c == CP_NODE_NONE || dht_bucket_of(d, v, *c) != b) continue;
        cp_node cand = *c;
        *c = CP_NODE_NONE;
        if (dht_rt_add(d, v, cand) == 1) return 1;
    }
    return 0;
}

cp_node dht_rt_head(dht *d, cp_node v, int b)
{
    uint32_t n;
    const uint32_t *c = dht_rt_bucket(d, v, b, &n);
    return n ? c[0] : CP_NODE_NONE;
}

const uint32_t *dht_rt_bucket(const dht *d, cp_node v, int b, uint32_t *n)
{
    *n = 0;
    if (!dht_is_member(d, v)) return NULL;
    const dht_rt *rt = &dht_ndc(d, v)->rt;
    uint32_t off;
    int j = find_bucket(rt, b, &off);
    *n = j < 0 ? 0 : rt->bk[2 * j + 1];
    return j < 0 ? NULL : rt->c + off;
}

uint32_t dht_rt_size(const dht *d, cp_node v) { return dht_is_member(d, v) ? dht_ndc(d, v)->rt.n : 0; }

void dht_rt_free(dht_rt *rt)
{
    if (!rt->arena) free(rt->bk);
    memset(rt, 0, sizeof *rt);
}

/* Append bucket j's contacts to out. */
static uint32_t take(const dht_rt *rt, int j, uint32_t off, cp_node *out, uint32_t w)
{
    uint32_t cnt = rt->bk[2 * j + 1];
    memcpy(out + w, rt->c + off, cnt * sizeof *out);
    return w + cnt;
}

/* Candidates in groups of increasing distance from key: bucket b (all closer than 2^b);
 * then, if fewer than k, all buckets below b (in [2^b, 2^(b+1))); then each bucket above b in
 * ascending order until at least k are gathered. */
static uint32_t gather(const dht_rt *rt, int b, uint32_t k, cp_node *out)
{
    uint32_t offs[256], o = 0, w = 0;
    int jb = -1;
    for (int j = 0; j < rt->nb; j++) {
        offs[j] = o;
        o += rt->bk[2 * j + 1];
        if (rt->bk[2 * j] == b) jb = j;
    }
    if (jb >= 0) w = take(rt, jb, offs[jb], out, w);
    if (w < k) /* all of them: they share one distance range, any may be the closest */
        for (int j = 0; j < rt->nb; j++)
            if (rt->bk[2 * j] < b) w = take(rt, j, offs[j], out, w);
    for (int j = rt->nb - 1; j >= 0 && w < k; j--)
        if (rt->bk[2 * j] > b) w = take(rt, j, offs[j], out, w);
    return w;
}

typedef struct dht_cand {
    uint64_t dist;
    cp_node node;
} dht_cand;

static int cand_before(const dht *d, const uint8_t *key, const dht_cand *a, const dht_cand *b)
{
    return a->dist < b->dist ||
           (a->dist == b->dist && dht_cmp_dist(dht_idp(d, a->node), dht_idp(d, b->node), key) < 0);
}

/* Keep the k closest of the n candidates produced by gather, sorted, in best[0..return). */
static uint32_t top_k(const dht *d, const uint8_t *key, uint64_t kp, const cp_node *in, uint32_t n,
                      uint32_t k, dht_cand *best)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < n; i++) {
        dht_cand x = {dht_pfx(d, in[i]) ^ kp, in[i]};
        if (w == k && !cand_before(d, key, &x, &best[w - 1])) continue;
        uint32_t j = w < k ? w++ : w - 1;
        while (j > 0 && cand_before(d, key, &x, &best[j - 1])) {
            best[j] = best[j - 1];
            j--;
        }
        best[j] = x;
    }
    return w;
}

uint32_t dht_rt_closest(dht *d, cp_node v, const uint8_t *key, uint32_t k, cp_node *out)
{
    const dht_rt *rt = &dht_nd(d, v)->rt;
    if (d->cap_scratch < rt->n) {
        dht_cand *p = realloc(d->scratch, (size_t)rt->n * (sizeof *p + sizeof(cp_node)));
        if (!p) return 0;
        d->scratch = p;
        d->cap_scratch = rt->n;
    }
    dht_cand *cs = d->scratch;
    cp_node *tmp = (cp_node *)(void *)(cs + d->cap_scratch); /* after the candidates */
    uint64_t kp = dht_prefix64(key), x = dht_pfx(d, v) ^ kp;
    int b = x ? 255 - __builtin_clzll(x) : dht_bucket_index(dht_idp(d, v), key);
    uint32_t g = gather(rt, b, k, tmp);
    for (uint32_t i = 0; i < g; i++) __builtin_prefetch(&d->pfx[tmp[i] - d->first]); /* overlap the misses */
    uint32_t w = top_k(d, key, kp, tmp, g, k, cs);
    for (uint32_t i = 0; i < w; i++) out[i] = cs[i].node;
    return w;
}

static int check_bucket(const dht *d, cp_node v, int b, const uint32_t *c, uint32_t cnt)
{
    if (cnt == 0 || cnt > d->cfg.k) return -1;
    for (uint32_t i = 0; i < cnt; i++) {
        if (c[i] == v || !dht_is_member(d, c[i])) return -1;
        if (dht_bucket_index(dht_idp(d, v), dht_idp(d, c[i])) != b) return -1;
        for (uint32_t j = 0; j < i; j++)
            if (c[j] == c[i]) return -1;
    }
    return 0;
}

int dht_rt_check(const dht *d, cp_node v)
{
    if (!dht_is_member(d, v)) return 0; /* no table */
    const dht_rt *rt = &dht_ndc(d, v)->rt;
    uint32_t off = 0;
    for (int j = 0; j < rt->nb; j++) {
        int b = rt->bk[2 * j];
        if (j > 0 && b >= rt->bk[2 * (j - 1)]) return -1;
        if (check_bucket(d, v, b, rt->c + off, rt->bk[2 * j + 1])) return -1;
        off += rt->bk[2 * j + 1];
    }
    return off == rt->n ? 0 : -1;
}

int dht_rt_lowest_bucket(const dht *d, cp_node v)
{
    const dht_rt *rt = &dht_ndc(d, v)->rt;
    return rt->nb ? rt->bk[2 * (rt->nb - 1)] : -1;
}

int dht_rt_random_bucket(const dht *d, cp_node v, cp_rng *r)
{
    const dht_rt *rt = &dht_ndc(d, v)->rt;
    return rt->nb ? rt->bk[2 * rng_below(r, rt->nb)] : -1;
}

void dht_random_id_in_bucket(const uint8_t *self, int b, cp_rng *r, uint8_t out[DHT_ID_BYTES])
{
    uint32_t p = (uint32_t)(255 - b), byte = p >> 3;
    rng_bytes(r, out, DHT_ID_BYTES);
    memcpy(out, self, byte);
    uint8_t keep = (uint8_t)(0xff00u >> (p & 7)), bit = (uint8_t)(0x80u >> (p & 7));
    out[byte] = (uint8_t)((self[byte] & keep) | ((self[byte] ^ bit) & bit) | (out[byte] & ~(keep | bit)));
}

/* ---- prefill ---- */

/* Up to k of sorted[lo, hi) spread evenly with a random offset: entry j is
 * lo + (j * m + off) / k, stepped without dividing. Returns how many. */
static uint32_t pick(const dht *d, uint32_t lo, uint32_t hi, cp_rng *r, uint32_t *out)
{
    uint64_t m = hi - lo, k = d->cfg.k;
    if (m <= k) {
        memcpy(out, d->sorted + lo, m * sizeof *out);
        return (uint32_t)m;
    }
    uint64_t off = rng_below(r, m), q = off / k, rem = off % k, dq = m / k, dr = m % k;
    for (uint64_t j = 0; j < k; j++) {
        out[j] = d->sorted[lo + q];
        q += dq;
        rem += dr;
        if (rem >= k) {
            q++;
            rem -= k;
        }
    }
    return (uint32_t)k;
}

/* Splits of the sorted array shared by consecutive nodes: level p's range and split point. */
typedef struct split_cache {
    uint32_t lo[257], hi[257], m[257];
    uint32_t valid;
} split_cache;

static uint32_t cached_split(const dht *d, split_cache *sc, uint32_t lo, uint32_t hi, uint32_t p)
{
    if (p < sc->valid && sc->lo[p] == lo && sc->hi[p] == hi) return sc->m[p];
    sc->lo[p] = lo;
    sc->hi[p] = hi;
    sc->m[p] = split(d, lo, hi, p);
    sc->valid = p + 1;
    return sc->m[p];
}

/* Free room left in each prefilled table for contacts learned later (avoids copying the
 * table out of the arena on the first addition). */
#define RT_SLACK_C(k) ((k) / 4 + 2)
#define RT_SLACK_BK 2

/* Walk node v's buckets over the sorted array: with out == NULL only count contacts and
 * buckets; else write them (contacts to out, (bucket, count) pairs to bk). */
static void walk_node(const dht *d, cp_node v, split_cache *sc, uint32_t *out, uint8_t *bk,
                      uint32_t *nc, uint32_t *nb)
{
    cp_rng r;
    if (out) rng_seed(&r, d->seed, v, 0xd47);
    uint32_t lo = 0, hi = d->n, w = 0, b = 0;
    const uint8_t *id = dht_idp(d, v);
    for (uint32_t p = 0; p < 256 && hi - lo > 1; p++) {
        uint32_t m = cached_split(d, sc, lo, hi, p);
        int mine = bit_at(id, p);
        uint32_t olo = mine ? lo : m, ohi = mine ? m : hi;
        if (ohi > olo) {
            uint32_t got = ohi - olo < d->cfg.k ? ohi - olo : d->cfg.k;
            if (out) {
                pick(d, olo, ohi, &r, out + w);
                bk[2 * b] = (uint8_t)(255 - p);
                bk[2 * b + 1] = (uint8_t)got;
            }
            b++;
            w += got;
        }
        lo = mine ? m : lo;
        hi = mine ? hi : m;
    }
    *nc = w;
    *nb = b;
}

/* Place node v's block at arena word offset *off and fill it. */
static void fill_node(dht *d, cp_node v, split_cache *sc, uint32_t nc, uint32_t nb, uint64_t *off)
{
    dht_rt *rt = &dht_nd(d, v)->rt;
    rt->cap = (uint16_t)(nc + RT_SLACK_C(d->cfg.k));
    rt->bcap = (uint8_t)(nb + RT_SLACK_BK);
    rt->bk = (uint8_t *)(void *)(d->arena + *off);
    rt->c = d->arena + *off + dht_rt_bk_bytes(rt->bcap) / 4;
    walk_node(d, v, sc, rt->c, rt->bk, &nc, &nb);
    rt->n = (uint16_t)nc;
    rt->nb = (uint8_t)nb;
    rt->arena = 1;
    *off += dht_rt_bk_bytes(rt->bcap) / 4 + rt->cap;
}

/* Every table's block in one arena sized by a counting pass, filled in sorted-id order so
 * that the splits of the sorted array are computed once per trie node. */
int dht_rt_prefill(dht *d)
{
    split_cache *sc = calloc(1, sizeof *sc);
    uint16_t *cnt = malloc((size_t)d->n * sizeof *cnt);
    uint8_t *nbs = malloc(d->n);
    uint64_t words = 0, off = 0;
    int rc = !sc || !cnt || !nbs;
    for (uint32_t i = 0; i < d->n && !rc; i++) {
        uint32_t nc, nb;
        walk_node(d, d->sorted[i], sc, NULL, NULL, &nc, &nb);
        cnt[i] = (uint16_t)nc;
        nbs[i] = (uint8_t)nb;
        words += dht_rt_bk_bytes(nb + RT_SLACK_BK) / 4 + nc + RT_SLACK_C(d->cfg.k);
    }
    if (!rc) d->arena = vec_big(words * sizeof *d->arena, 0);
    rc = rc || !d->arena;
    if (!rc) sc->valid = 0;
    for (uint32_t i = 0; i < d->n && !rc; i++) fill_node(d, d->sorted[i], sc, cnt[i], nbs[i], &off);
    free(sc);
    free(cnt);
    free(nbs);
    return rc ? -1 : 0;
}
