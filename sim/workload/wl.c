/* sim/workload/wl.c: the subscription that feeds the IoT applications, and the view of what a
 * buyer holds: records it decrypted, each with the time its trade delivered the plaintext, and
 * their readings reopened with the buyer's own epoch keys. Invariant: an analysis sees a record
 * only if data_buyer_has says the buyer decrypted it, and only from its delivery time on. */
#include "sim/workload/wl.h"

#include <stdlib.h>

int wl_subscribed(uint64_t seed, uint32_t v, double fraction)
{
    if (fraction >= 1) return 1;
    uint64_t x = (seed ^ 0x5EED5AB5C81BE5ull) * 0x9E3779B97F4A7C15ull + (uint64_t)v * 0xD1B54A32D192ED03ull;
    x ^= x >> 31, x *= 0xBF58476D1CE4E5B9ull, x ^= x >> 29, x *= 0x94D049BB133111EBull, x ^= x >> 32;
    return (double)(x >> 11) * 0x1p-53 < fraction;
}

data_order *wl_subscribe(const data_cfg *c, cp_time lag, double fraction, uint64_t seed, uint32_t *n)
{
    uint64_t epochs = c->data_end < c->upload_interval ? 0 : (c->data_end - c->upload_interval) / c->enc_interval;
    uint64_t total = epochs * c->devices;
    cp_node buyer0 = c->first + c->devices + c->gateways + c->proxies;
    *n = 0;
    if (!total || !c->buyers || total > UINT32_MAX) return NULL;
    data_order *o = malloc(total * sizeof *o);
    for (uint64_t e = 0; o && e < epochs; e++)
        for (uint32_t v = 0; v < c->devices; v++)
            if (wl_subscribed(seed, v, fraction))
                o[(*n)++] = (data_order){(e + 1) * c->enc_interval + c->upload_interval + lag, buyer0 + v % c->buyers,
                                         c->first + v, e, e};
    if (o && !*n) free(o), o = NULL;
    return o;
}

static int item_cmp(const void *a, const void *b)
{
    const wl_item *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return (x->record > y->record) - (x->record < y->record);
}

/* For each owner, the trades selling its data (indices into the trade array), in order. */
static uint32_t *trades_by_owner(const data_trade *t, size_t nt, cp_node first, uint32_t owners, uint32_t **start)
{
    uint32_t *idx = malloc((nt + 1) * sizeof *idx), *st = calloc((size_t)owners + 2, sizeof *st);
    if (!idx || !st) return free(idx), free(st), NULL;
    for (size_t i = 0; i < nt; i++)
        if (t[i].seller - first < owners) st[t[i].seller - first + 2]++;
    for (uint32_t v = 0; v < owners; v++) st[v + 2] += st[v + 1];
    for (size_t i = 0; i < nt; i++)
        if (t[i].seller - first < owners) idx[st[t[i].seller - first + 1]++] = (uint32_t)i;
    *start = st; /* owner v: idx[st[v] .. st[v+1]) */
    return idx;
}

wl_item *wl_delivered(const data *d, size_t *n)
{
    size_t nr, nt;
    const data_record *r = data_records(d, &nr);
    const data_trade *t = data_trades(d, &nt);
    uint32_t owners = data_get_cfg(d)->devices, *st = NULL;
    cp_node first = data_get_cfg(d)->first;
    uint32_t *idx = trades_by_owner(t, nt, first, owners, &st);
    wl_item *it = malloc((nr + 1) * sizeof *it);
    *n = 0;
    for (size_t i = 0; it && idx && i < nr; i++) {
        wl_item best = {CP_TIME_NEVER, (uint32_t)i, CP_NODE_NONE, 0};
        uint32_t v = r[i].owner - first; /* device index (wraps above owners if not a device) */
        for (uint32_t k = v < owners ? st[v] : 0; v < owners && k < st[v + 1]; k++) {
            const data_trade *x = &t[idx[k]];
            if (r[i].epoch < x->e0 || r[i].epoch > x->e1 || x->plaintext == CP_TIME_NEVER || x->plaintext >= best.at)
                continue;
            if (data_trade_has(d, idx[k], (uint32_t)i)) best.at = x->plaintext, best.buyer = x->buyer, best.trade = idx[k];
        }
        if (best.at != CP_TIME_NEVER) it[(*n)++] = best;
    }
    free(idx), free(st);
    if (it) qsort(it, *n, sizeof *it, item_cmp);
    return it;
}

uint8_t *wl_open(const data *d, const wl_item *it, size_t *len)
{
    uint32_t r = it->record;
    size_t nr;
    const data_record *rec = data_records(d, &nr);
    uint8_t key[32], *ct = NULL;
    size_t ctlen;
    const uint8_t *cap = r < nr ? data_record_capsule(d, r) : NULL;
    if (!cap || !data_trade_key(d, it->trade, rec[r].epoch, key) || data_record_ciphertext(d, r, &ct, &ctlen))
        return NULL;
    uint8_t *pt = malloc(rec[r].bytes + 1);
    if (pt && data_open(pt, ct, ctlen, key, rec[r].owner, rec[r].stream, rec[r].interval, cap) != CR_OK)
        free(pt), pt = NULL;
    free(ct);
    *len = pt ? rec[r].bytes : 0;
    return pt;
}

int wl_open_prefix(const data *d, const wl_item *it, uint8_t *pt, size_t len)
{
    size_t nr;
    const data_record *rec = data_records(d, &nr);
    uint8_t key[32];
    if (it->record >= nr || !data_trade_has(d, it->trade, it->record) ||
        !data_trade_key(d, it->trade, rec[it->record].epoch, key))
        return -1;
    return data_record_prefix(d, it->record, key, pt, len);
}
