/* core/chain/contract.c: the ledger's contract book: data trades (CPChain PDash's order flow),
 * escrows settled by the payer's countersigned reading, and per-parcel logistics traces
 * (rules in chain.h, "Contracts"). The book decides and records; ledger.c moves the value it
 * reports in chain_ct_fx. Invariants: a transaction either applies whole or changes nothing
 * (every allocation is made before the first write); ids map to exactly one entry and entries
 * are only appended; each parcel's events are linked in application order; the running hash
 * covers exactly the applied transactions, in order. */
#include "core/chain/chain_int.h"

#include <stdlib.h>
#include <string.h>

/* A 64-bit key -> entry index map (open addressing, linear probing, load <= 1/2). */
typedef struct kmap {
    uint64_t *key, *val; /* val: entry index + 1, 0 empty */
    uint64_t cap, n;
} kmap;

typedef struct trade {
    uint64_t order, price, deliveries, deadline;
    uint64_t h[4]; /* created, confirmed, delivered, closed */
    uint64_t first_proxy;
    uint32_t buyer, seller;
    uint16_t nproxies;
    uint8_t state;
} trade;

typedef struct escrow {
    uint64_t id, amount, expiry, paid, h_open, h_close;
    uint32_t payer, payee;
    uint8_t payer_pk[CR_PK_BYTES];
    uint8_t state;
} escrow;

typedef struct tevent {
    chain_trace_event ev;
    uint64_t next; /* index + 1 of the parcel's next event, 0 last */
} tevent;

typedef struct parcel {
    uint64_t first, last, count;
} parcel;

struct chain_ct {
    kmap tmap, emap, pmap;
    trade *t;
    uint64_t nt, capt;
    uint32_t *proxies;
    uint64_t nprox, capprox;
    escrow *e;
    uint64_t ne, cape;
    tevent *ev;
    uint64_t nev, capev;
    parcel *p;
    uint64_t np, capp;
    uint8_t x[CR_HASH_BYTES]; /* running hash of applied transactions */
    uint64_t applied;
};

/* ---- storage ------------------------------------------------------------------------ */

static int reserve(void **arr, uint64_t *cap, uint64_t need, size_t size)
{
    if (need <= *cap) return 0;
    uint64_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *a = realloc(*arr, c * size);
    if (!a) return -1;
    *arr = a, *cap = c;
    return 0;
}

static uint64_t kmap_slot(const kmap *m, uint64_t key)
{
    uint64_t mask = m->cap - 1, i = chain_mix64(key) & mask;
    while (m->val[i] && m->key[i] != key) i = (i + 1) & mask;
    return i;
}

/* Entry index + 1 for key, 0 if absent. */
static uint64_t kmap_get(const kmap *m, uint64_t key) { return m->cap ? m->val[kmap_slot(m, key)] : 0; }

/* Room for one more key, so that kmap_put cannot fail. */
static int kmap_reserve(kmap *m)
{
    if (2 * (m->n + 1) <= m->cap) return 0;
    kmap g = {NULL, NULL, m->cap ? 2 * m->cap : 64, m->n};
    g.key = calloc(g.cap, sizeof *g.key), g.val = calloc(g.cap, sizeof *g.val);
    if (!g.key || !g.val) return free(g.key), free(g.val), -1;
    for (uint64_t i = 0; i < m->cap; i++)
        if (m->val[i]) {
            uint64_t s = kmap_slot(&g, m->key[i]);
            g.key[s] = m->key[i], g.val[s] = m->val[i];
        }
    free(m->key), free(m->val);
    *m = g;
    return 0;
}

static void kmap_put(kmap *m, uint64_t key, uint64_t index)
{
    uint64_t s = kmap_slot(m, key);
    m->key[s] = key, m->val[s] = index + 1, m->n++;
}

chain_ct *chain_ct_new(void) { return calloc(1, sizeof(chain_ct)); }

void chain_ct_free(chain_ct *c)
{
    if (!c) return;
    kmap *maps[3] = {&c->tmap, &c->emap, &c->pmap};
    for (int i = 0; i < 3; i++) free(maps[i]->key), free(maps[i]->val);
    free(c->t), free(c->proxies), free(c->e), free(c->ev), free(c->p);
    free(c);
}

int chain_ct_kind(uint8_t kind) { return kind >= CHAIN_TX_TRADE_ORDER && kind <= CHAIN_TX_TRACE; }

/* ---- trades ------------------------------------------------------------------------- */

static trade *find_trade(chain_ct *c, const chain_tx *tx)
{
    uint64_t i = kmap_get(&c->tmap, chain_get64(tx->payload));
    return i ? &c->t[i - 1] : NULL;
}

static void release(chain_ct_fx *fx, uint32_t to, uint64_t amount)
{
    if (amount) fx->to[fx->npay] = to, fx->pay[fx->npay++] = amount;
}

static chain_reason order(chain_ct *c, const chain_tx *tx, uint64_t h, uint64_t timeout, chain_ct_fx *fx)
{
    uint64_t id = chain_get64(tx->payload);
    if (kmap_get(&c->tmap, id) || kmap_reserve(&c->tmap) ||
        reserve((void **)&c->t, &c->capt, c->nt + 1, sizeof *c->t))
        return CHAIN_R_STATE;
    trade *t = &c->t[c->nt];
    memset(t, 0, sizeof *t);
    t->order = id, t->price = tx->amount, t->buyer = tx->sender, t->seller = tx->recipient;
    t->deadline = timeout > UINT64_MAX - h ? UINT64_MAX : h + timeout;
    t->h[0] = h, t->state = CHAIN_TRADE_CREATED;
    kmap_put(&c->tmap, id, c->nt++);
    fx->lock = tx->amount;
    return CHAIN_R_APPLIED;
}

static chain_reason confirm(chain_ct *c, const chain_tx *tx, uint64_t h)
{
    trade *t = find_trade(c, tx);
    uint16_t k = (uint16_t)((tx->payload_len - 8) / 4);
    if (!t || t->state != CHAIN_TRADE_CREATED || tx->sender != t->seller ||
        reserve((void **)&c->proxies, &c->capprox, c->nprox + k, sizeof *c->proxies))
        return CHAIN_R_STATE;
    for (uint16_t i = 0; i < k; i++) c->proxies[c->nprox + i] = chain_get32(tx->payload + 8 + 4 * i);
    t->first_proxy = c->nprox, t->nproxies = k;
    c->nprox += k;
    t->state = CHAIN_TRADE_SELLER_CONFIRMED, t->h[1] = h;
    return CHAIN_R_APPLIED;
}

static int may_deliver(const chain_ct *c, const trade *t, uint32_t node)
{
    for (uint16_t i = 0; i < t->nproxies; i++)
        if (c->proxies[t->first_proxy + i] == node) return 1;
    return t->nproxies == 0;
}

static chain_reason delivered(chain_ct *c, const chain_tx *tx, uint64_t h)
{
    trade *t = find_trade(c, tx);
    if (!t || (t->state != CHAIN_TRADE_SELLER_CONFIRMED && t->state != CHAIN_TRADE_PROXY_DELIVERED) ||
        !may_deliver(c, t, tx->sender))
        return CHAIN_R_STATE;
    if (t->state == CHAIN_TRADE_SELLER_CONFIRMED) t->state = CHAIN_TRADE_PROXY_DELIVERED, t->h[2] = h;
    t->deliveries++;
    return CHAIN_R_APPLIED;
}

/* Buyer confirm, dispute and withdraw: the buyer closes the order from an allowed state. */
static chain_reason close_trade(chain_ct *c, const chain_tx *tx, uint64_t h, chain_ct_fx *fx)
{
    trade *t = find_trade(c, tx);
    if (!t || tx->sender != t->buyer) return CHAIN_R_STATE;
    uint8_t s = t->state, to;
    if (tx->kind == CHAIN_TX_TRADE_BUYER_CONFIRM && s == CHAIN_TRADE_PROXY_DELIVERED) to = CHAIN_TRADE_FINISHED;
    else if (tx->kind == CHAIN_TX_TRADE_DISPUTE &&
             (s == CHAIN_TRADE_SELLER_CONFIRMED || s == CHAIN_TRADE_PROXY_DELIVERED))
        to = CHAIN_TRADE_DISPUTED;
    else if (tx->kind == CHAIN_TX_TRADE_WITHDRAW && s == CHAIN_TRADE_CREATED && h > t->deadline)
        to = CHAIN_TRADE_WITHDRAWN;
    else
        return CHAIN_R_STATE;
    t->state = to, t->h[3] = h;
    release(fx, to == CHAIN_TRADE_FINISHED ? t->seller : t->buyer, t->price);
    return CHAIN_R_APPLIED;
}

/* ---- escrows ------------------------------------------------------------------------ */

static escrow *find_escrow(chain_ct *c, const chain_tx *tx)
{
    uint64_t i = kmap_get(&c->emap, chain_get64(tx->payload));
    return i ? &c->e[i - 1] : NULL;
}

static chain_reason escrow_open(chain_ct *c, const chain_tx *tx, uint64_t h, chain_ct_fx *fx)
{
    uint64_t id = chain_get64(tx->payload);
    if (kmap_get(&c->emap, id) || kmap_reserve(&c->emap) ||
        reserve((void **)&c->e, &c->cape, c->ne + 1, sizeof *c->e))
        return CHAIN_R_STATE;
    escrow *e = &c->e[c->ne];
    memset(e, 0, sizeof *e);
    e->id = id, e->amount = tx->amount, e->expiry = chain_get64(tx->payload + 12), e->h_open = h;
    e->payer = tx->sender, e->payee = tx->recipient, e->state = CHAIN_ESCROW_OPEN;
    memcpy(e->payer_pk, tx->sender_pk, CR_PK_BYTES);
    kmap_put(&c->emap, id, c->ne++);
    fx->lock = tx->amount;
    return CHAIN_R_APPLIED;
}

static int countersigned(cr_memo *memo, const escrow *e, uint64_t pay, const uint8_t *sig)
{
    uint8_t d[CR_HASH_BYTES];
    chain_settle_digest(d, e->id, pay);
    int r = memo ? cr_verify(memo, sig, d, sizeof d, e->payer_pk) : cr_verify_raw(sig, d, sizeof d, e->payer_pk);
    return r == CR_OK;
}

static chain_reason escrow_settle(chain_ct *c, cr_memo *memo, const chain_tx *tx, uint64_t h, chain_ct_fx *fx)
{
    escrow *e = find_escrow(c, tx);
    uint64_t pay = chain_get64(tx->payload + 8);
    if (!e || e->state != CHAIN_ESCROW_OPEN || tx->sender != e->payee || pay > e->amount) return CHAIN_R_STATE;
    fx->sigchecks++;
    if (!countersigned(memo, e, pay, tx->payload + 16)) return CHAIN_R_STATE;
    e->state = CHAIN_ESCROW_SETTLED, e->paid = pay, e->h_close = h;
    release(fx, e->payee, pay);
    release(fx, e->payer, e->amount - pay);
    return CHAIN_R_APPLIED;
}

static chain_reason escrow_refund(chain_ct *c, const chain_tx *tx, uint64_t h, chain_ct_fx *fx)
{
    escrow *e = find_escrow(c, tx);
    if (!e || e->state != CHAIN_ESCROW_OPEN || tx->sender != e->payer || h <= e->expiry) return CHAIN_R_STATE;
    e->state = CHAIN_ESCROW_REFUNDED, e->h_close = h;
    release(fx, e->payer, e->amount);
    return CHAIN_R_APPLIED;
}

/* ---- traces ------------------------------------------------------------------------- */

static chain_reason trace(chain_ct *c, const chain_tx *tx, uint64_t h)
{
    const uint8_t *p = tx->payload;
    uint64_t id = chain_get64(p), pi = kmap_get(&c->pmap, id);
    if ((!pi && (kmap_reserve(&c->pmap) || reserve((void **)&c->p, &c->capp, c->np + 1, sizeof *c->p))) ||
        reserve((void **)&c->ev, &c->capev, c->nev + 1, sizeof *c->ev))
        return CHAIN_R_STATE;
    tevent *t = &c->ev[c->nev];
    memset(t, 0, sizeof *t);
    t->ev.hub = chain_get32(p + 8), t->ev.sender = tx->sender, t->ev.event = p[12];
    t->ev.time = chain_get64(p + 13), t->ev.height = h;
    memcpy(t->ev.hash, p + 21, CR_HASH_BYTES);
    parcel *q = pi ? &c->p[pi - 1] : &c->p[c->np];
    if (!pi) {
        *q = (parcel){c->nev, c->nev, 0};
        kmap_put(&c->pmap, id, c->np++);
    } else {
        c->ev[q->last].next = c->nev + 1, q->last = c->nev;
    }
    q->count++;
    c->nev++;
    return CHAIN_R_APPLIED;
}

/* ---- dispatch, running hash, queries ------------------------------------------------ */

static void extend(chain_ct *c, const chain_tx *tx, uint64_t h)
{
    uint8_t buf[CR_HASH_BYTES + 8 + 1 + 4 + 4 + 8 + 2 + CHAIN_PAYLOAD_MAX], *p = buf;
    memcpy(p, c->x, CR_HASH_BYTES), p += CR_HASH_BYTES;
    chain_put64(p, h), p[8] = tx->kind, p += 9;
    chain_put32(p, tx->sender), chain_put32(p + 4, tx->recipient), p += 8;
    chain_put64(p, tx->amount), chain_put16(p + 8, tx->payload_len), p += 10;
    memcpy(p, tx->payload, tx->payload_len), p += tx->payload_len;
    cr_hash(c->x, buf, (size_t)(p - buf));
    c->applied++;
}

chain_reason chain_ct_apply(chain_ct *c, cr_memo *memo, const chain_tx *tx, uint64_t h, uint64_t timeout,
                            chain_ct_fx *fx)
{
    chain_reason r = CHAIN_R_STATE;
    memset(fx, 0, sizeof *fx);
    switch (tx->kind) {
    case CHAIN_TX_TRADE_ORDER: r = order(c, tx, h, timeout, fx); break;
    case CHAIN_TX_TRADE_CONFIRM: r = confirm(c, tx, h); break;
    case CHAIN_TX_TRADE_PROXY_DELIVERED: r = delivered(c, tx, h); break;
    case CHAIN_TX_TRADE_BUYER_CONFIRM:
    case CHAIN_TX_TRADE_DISPUTE:
    case CHAIN_TX_TRADE_WITHDRAW: r = close_trade(c, tx, h, fx); break;
    case CHAIN_TX_ESCROW_OPEN: r = escrow_open(c, tx, h, fx); break;
    case CHAIN_TX_ESCROW_SETTLE: r = escrow_settle(c, memo, tx, h, fx); break;
    case CHAIN_TX_ESCROW_REFUND: r = escrow_refund(c, tx, h, fx); break;
    case CHAIN_TX_TRACE: r = trace(c, tx, h); break;
    default: break;
    }
    if (r == CHAIN_R_APPLIED) extend(c, tx, h);
    return r;
}

const uint8_t *chain_ct_digest(const chain_ct *c, uint64_t *count)
{
    *count = c->applied;
    return c->x;
}

int chain_ct_trade(const chain_ct *c, uint64_t order, chain_trade *out)
{
    uint64_t i = kmap_get(&c->tmap, order);
    if (!i) return CHAIN_EPARAM;
    const trade *t = &c->t[i - 1];
    out->order = t->order, out->price = t->price, out->deliveries = t->deliveries;
    out->buyer = t->buyer, out->seller = t->seller, out->state = t->state, out->deadline = t->deadline;
    out->h_created = t->h[0], out->h_confirmed = t->h[1], out->h_delivered = t->h[2], out->h_closed = t->h[3];
    out->nproxies = t->nproxies;
    out->proxies = t->nproxies ? c->proxies + t->first_proxy : NULL;
    return CHAIN_OK;
}

int chain_ct_escrow(const chain_ct *c, uint64_t id, chain_escrow *out)
{
    uint64_t i = kmap_get(&c->emap, id);
    if (!i) return CHAIN_EPARAM;
    const escrow *e = &c->e[i - 1];
    out->id = e->id, out->amount = e->amount, out->expiry = e->expiry, out->paid = e->paid;
    out->payer = e->payer, out->payee = e->payee, out->state = e->state;
    out->h_opened = e->h_open, out->h_closed = e->h_close;
    return CHAIN_OK;
}

size_t chain_ct_trace(const chain_ct *c, uint64_t parcel_id, chain_trace_event *out, size_t max)
{
    uint64_t pi = kmap_get(&c->pmap, parcel_id);
    if (!pi) return 0;
    const parcel *q = &c->p[pi - 1];
    size_t k = 0;
    for (uint64_t i = q->first + 1; i && k < max; i = c->ev[i - 1].next) out[k++] = c->ev[i - 1].ev;
    return (size_t)q->count;
}

void chain_ct_counts(const chain_ct *c, uint64_t *trades, uint64_t *escrows, uint64_t *traces)
{
    *trades = c->nt, *escrows = c->ne, *traces = c->nev;
}
