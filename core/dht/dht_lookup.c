/* core/dht/dht_lookup.c: the iterative Kademlia lookup (contract in dht.h). A lookup keeps a
 * shortlist (up to 3k entries, sorted by distance to the key) of contacts with a state
 * (unqueried, pending, answered, failed); it keeps at most alpha RPCs in flight to the
 * closest unqueried among the k closest not-failed entries and ends when those k have all
 * answered (or a FIND_VALUE got the value). One engine timer per lookup fires at the earliest
 * deadline of its pending RPCs (each RPC still times out exactly rpc_timeout after it was
 * sent). Pending entries are never dropped from the shortlist, so a finished or aborted lookup
 * drops all of its pending RPCs; later answers find no RPC and are ignored.
 *
 * Client operations (dht_find/put/get) are lookups of kinds LK_CFIND/LK_CPUT/LK_CGET: set up
 * at the call, begun by a zero-delay start timer, and closed by client_done, which releases
 * the slot before it calls the client back (so the callback may start new operations). A PUT
 * stays allocated after its lookup while its STOREs are pending (storing = 1). */
#include <stdlib.h>
#include <string.h>

#include "core/dht/dht_int.h"

static uint32_t lk_alloc(dht *d)
{
    if (d->free_lk != UINT32_MAX) {
        uint32_t i = d->free_lk;
        d->free_lk = d->lks[i].next_free;
        return i;
    }
    if (d->n_lks == d->cap_lks) {
        uint32_t nc = d->cap_lks ? d->cap_lks * 2 : 256;
        dht_lookup *p = realloc(d->lks, nc * sizeof *p);
        if (!p) return UINT32_MAX;
        d->lks = p;
        d->cap_lks = nc;
    }
    dht_lookup *l = &d->lks[d->n_lks];
    memset(l, 0, sizeof *l);
    l->e = malloc(3 * d->cfg.k * sizeof *l->e);
    if (!l->e) return UINT32_MAX;
    return d->n_lks++;
}

/* Stop a lookup's timer and drop its pending RPCs (their entries become failed). */
static void lk_quiesce(dht *d, cp_env *env, dht_lookup *l)
{
    if (l->timer) env_timer_cancel(env, l->timer);
    l->timer = 0;
    for (uint32_t j = 0; j < l->n; j++) {
        if (l->e[j].state != E_PEND) continue;
        dht_rpc_drop(d, l->e[j].rpc);
        l->e[j].state = E_FAIL;
    }
}

static void lk_release(dht *d, cp_env *env, uint32_t i)
{
    dht_lookup *l = &d->lks[i];
    lk_quiesce(d, env, l);
    free(l->store_val);
    l->store_val = NULL;
    l->serial = 0;
    l->next_free = d->free_lk;
    d->free_lk = i;
}

void dht_lks_free(dht *d)
{
    for (uint32_t i = 0; i < d->n_lks; i++) {
        free(d->lks[i].e);
        free(d->lks[i].store_val);
    }
    free(d->lks);
}

/* The farthest entry that is not pending, or UINT32_MAX. */
static uint32_t victim(const dht_lookup *l)
{
    for (uint32_t i = l->n; i-- > 0;)
        if (l->e[i].state != E_PEND) return i;
    return UINT32_MAX;
}

/* Rank of c in the shortlist by (dk, full distance): the first entry not closer than c.
 * Sets *dup if c is already there. */
static uint32_t rank(const dht *d, const dht_lookup *l, cp_node c, uint64_t dk, int *dup)
{
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const dht_entry *e = &l->e[mid];
        int closer = e->dk < dk || (e->dk == dk && e->node != c &&
                                    dht_cmp_dist(dht_idp(d, e->node), dht_idp(d, c), l->key) < 0);
        if (closer) lo = mid + 1;
        else hi = mid;
    }
    *dup = 0;
    for (uint32_t i = lo; i < l->n && l->e[i].dk == dk; i++) *dup |= l->e[i].node == c;
    return lo;
}

/* Insert node into the shortlist at its distance rank (no duplicates, never the owner). A
 * full list makes room by dropping its farthest entry that is not pending. */
static void merge(dht *d, dht_lookup *l, cp_node c, uint8_t depth)
{
    uint32_t cap = 3 * d->cfg.k;
    if (c == l->owner || !dht_is_member(d, c)) return;
    uint64_t dk = dht_pfx(d, c) ^ l->kp;
    if (l->n == cap && dk > l->e[l->n - 1].dk) return;
    int dup;
    uint32_t pos = rank(d, l, c, dk, &dup);
    if (dup || pos >= cap) return;
    if (l->n == cap) {
        uint32_t v = victim(l);
        if (v == UINT32_MAX || v < pos) return;
        memmove(l->e + v, l->e + v + 1, (l->n - v - 1) * sizeof *l->e);
        l->n--;
    }
    memmove(l->e + pos + 1, l->e + pos, (l->n - pos) * sizeof *l->e);
    l->e[pos] = (dht_entry){dk, c, 0, E_UNQ, depth};
    l->n++;
}

/* c's entry in the shortlist (found by its rank, not by a scan), or NULL. */
static dht_entry *entry_of(const dht *d, dht_lookup *l, cp_node c)
{
    int dup;
    uint64_t dk = dht_pfx(d, c) ^ l->kp;
    for (uint32_t i = rank(d, l, c, dk, &dup); i < l->n && l->e[i].dk == dk; i++)
        if (l->e[i].node == c) return &l->e[i];
    return NULL;
}

static uint64_t lk_tag(uint32_t idx, uint32_t serial)
{
    return DHT_TAG(T_LOOKUP, (uint64_t)(serial & 0xffffffu) << 32 | idx);
}

static void query(dht *d, cp_env *env, uint32_t idx, dht_entry *e)
{
    dht_lookup *l = &d->lks[idx];
    e->state = E_PEND;
    l->rpcs++;
    l->inflight++;
    dht_rpc t = {0};
    t.kind = RPC_LOOKUP;
    t.lookup = idx;
    t.lserial = l->serial;
    t.depth = e->depth;
    dht_msg m = {0};
    m.type = l->is_value ? DHT_FIND_VALUE : DHT_FIND_NODE;
    m.key = l->key;
    e->rpc = dht_send_req(d, env, e->node, &m, &t);
    if (e->rpc == UINT32_MAX) {
        e->state = E_FAIL;
        l->inflight--;
        return;
    }
    if (!l->timer) l->timer = env_timer(env, d->cfg.rpc_timeout, lk_tag(idx, l->serial));
}

/* Whether the found k equal the oracle's k closest. */
static int find_ok(dht *d, const dht_lookup *l)
{
    cp_node truth[DHT_MAX_CONTACTS];
    uint32_t nt = dht_true_closest(d, l->key, l->owner, d->cfg.k, truth), w = 0;
    for (uint32_t i = 0; i < l->n && w < nt; i++) {
        if (l->e[i].state == E_FAIL) continue;
        if (l->e[i].node != truth[w++]) return 0;
    }
    return w == nt;
}

/* STORE the value at the k closest that answered; returns how many were sent. A client
 * PUT's STOREs name their lookup, so that their answers come back to it. */
static uint32_t place_values(dht *d, cp_env *env, uint32_t idx)
{
    const dht_lookup *l = &d->lks[idx];
    uint32_t sent = 0;
    dht_msg m = {0};
    m.type = DHT_STORE;
    m.key = l->key;
    m.vlen = l->store_len;
    m.value = l->store_val;
    m.ttl_s = (uint32_t)(d->cfg.ttl / CP_S(1));
    dht_rpc t = {0};
    t.kind = RPC_STORE;
    t.lookup = l->kind == LK_CPUT ? idx : UINT32_MAX;
    t.lserial = l->serial;
    for (uint32_t i = 0, w = 0; i < l->n && w < d->cfg.k; i++) {
        if (l->e[i].state != E_DONE) continue;
        w++;
        sent += dht_send_req(d, env, l->e[i].node, &m, &t) != UINT32_MAX;
        l = &d->lks[idx];
    }
    return sent;
}

static void count_client(dht *d, uint8_t kind, int ok, int aborted)
{
    dht_counts *c = &d->cnt;
    if (kind == LK_CFIND) c->client_finds++, c->client_finds_ok += ok != 0;
    if (kind == LK_CPUT) c->client_puts++, c->client_puts_ok += ok != 0;
    if (kind == LK_CGET) c->client_gets++, c->client_gets_ok += ok != 0;
    c->client_aborted += aborted != 0;
}

/* Close client operation idx (aborted: its owner went offline) and call the client back. */
static void client_done(dht *d, cp_env *env, uint32_t idx, int aborted)
{
    const dht_lookup *l = &d->lks[idx];
    cp_node nodes[DHT_MAX_CONTACTS];
    dht_found f;
    memset(&f, 0, sizeof f);
    for (uint32_t i = 0; i < l->n && f.n < d->cfg.k; i++)
        if (l->e[i].state == E_DONE) nodes[f.n++] = l->e[i].node;
    f.nodes = nodes;
    f.hops = l->max_depth;
    f.rpcs = l->rpcs;
    f.latency = env_now(env) - l->start;
    f.acks = l->acks;
    if (l->kind == LK_CFIND) f.ok = f.n > 0;
    if (l->kind == LK_CPUT) f.ok = l->acks > 0;
    if (l->kind == LK_CGET && l->found) f.ok = 1, f.value = l->got, f.vlen = l->got_len;
    if (aborted) f.ok = 0, f.value = NULL, f.vlen = 0;
    count_client(d, l->kind, f.ok, aborted);
    uint64_t cookie = l->cookie;
    lk_release(d, env, idx);
    if (d->client) d->client(d->client_ctx, env, cookie, &f);
}

/* A client lookup converged: FIND and GET are done; PUT stores its value first. */
static void client_finish(dht *d, cp_env *env, uint32_t idx)
{
    dht_lookup *l = &d->lks[idx];
    if (l->kind != LK_CPUT) {
        client_done(d, env, idx, 0);
        return;
    }
    lk_quiesce(d, env, l);
    l->storing = 1;
    uint32_t sent = place_values(d, env, idx);
    d->lks[idx].stores_out = sent;
    if (!sent) client_done(d, env, idx, 0);
}

void dht_lk_store_done(dht *d, cp_env *env, const dht_rpc *r, int acked)
{
    if (r->lookup >= d->n_lks || d->lks[r->lookup].serial != r->lserial) return;
    dht_lookup *l = &d->lks[r->lookup];
    if (!l->storing || !l->stores_out) return;
    l->acks += acked != 0;
    if (--l->stores_out == 0) client_done(d, env, r->lookup, 0);
}

static void finish(dht *d, cp_env *env, uint32_t idx)
{
    dht_lookup *l = &d->lks[idx];
    if (dht_lk_client(l->kind)) {
        client_finish(d, env, idx);
        return;
    }
    int ok = l->found;
    if (l->kind == DHT_LK_FIND) ok = find_ok(d, l);
    if ((l->kind == DHT_LK_STORE || l->kind == LK_REPUB) && l->store_val) {
        ok = l->n > 0;
        place_values(d, env, idx);
        l = &d->lks[idx];
    }
    if (l->kind <= DHT_LK_GET) dht_record(d, env, l, ok);
    uint8_t kind = l->kind;
    lk_release(d, env, idx);
    if (kind == LK_JOIN) dht_joined(d, env);
}

static void pump(dht *d, cp_env *env, uint32_t idx)
{
    dht_lookup *l = &d->lks[idx];
    if (l->found) {
        finish(d, env, idx);
        return;
    }
    int busy = 0;
    for (uint32_t i = 0, count = 0; i < l->n && count < d->cfg.k; i++) {
        dht_entry *e = &l->e[i];
        if (e->state == E_FAIL) continue;
        count++;
        if (e->state == E_UNQ && l->inflight < d->cfg.alpha) query(d, env, idx, e);
        busy |= e->state == E_UNQ || e->state == E_PEND;
    }
    if (!busy) finish(d, env, idx);
}

/* A new lookup of kind for key (with a copy of val for a STORE), not begun; its index, or
 * UINT32_MAX when out of memory. */
static uint32_t lk_setup(dht *d, cp_env *env, uint8_t kind, const uint8_t *key, uint32_t arg,
                         const uint8_t *val, uint32_t vlen)
{
    uint32_t idx = lk_alloc(d);
    if (idx == UINT32_MAX) return idx;
    dht_lookup *l = &d->lks[idx];
    if (++d->lk_serial == 0) d->lk_serial = 1;
    l->serial = d->lk_serial;
    l->owner = env->self;
    l->kind = kind;
    l->is_value = kind == DHT_LK_GET || kind == LK_CGET;
    l->found = l->max_depth = l->storing = 0;
    l->stores_out = l->acks = 0;
    l->cookie = 0;
    l->got = NULL;
    l->got_len = 0;
    l->arg = arg;
    memcpy(l->key, key, DHT_ID_BYTES);
    l->kp = dht_prefix64(key);
    l->start = env_now(env);
    l->rpcs = l->inflight = l->n = 0;
    l->timer = 0;
    l->store_len = vlen;
    l->store_val = vlen ? malloc(vlen) : NULL;
    if (l->store_val) memcpy(l->store_val, val, vlen);
    return idx;
}

/* Seed the shortlist from the owner's table and send the first RPCs. */
static void lk_begin(dht *d, cp_env *env, uint32_t idx)
{
    cp_node c[DHT_MAX_CONTACTS];
    dht_lookup *l = &d->lks[idx];
    uint32_t n = dht_rt_closest(d, env->self, l->key, d->cfg.k, c);
    for (uint32_t i = 0; i < n; i++) merge(d, l, c[i], 1);
    pump(d, env, idx);
}

void dht_lk_start(dht *d, cp_env *env, uint8_t kind, const uint8_t *key, uint32_t arg,
                  const uint8_t *val, uint32_t vlen)
{
    if (!dht_nd(d, env->self)->online) return;
    uint32_t idx = lk_setup(d, env, kind, key, arg, val, vlen);
    if (idx != UINT32_MAX) lk_begin(d, env, idx);
}

static uint64_t cstart_tag(uint32_t idx, uint32_t serial)
{
    return DHT_TAG(T_CSTART, (uint64_t)(serial & 0xffffffu) << 32 | idx);
}

/* The live lookup a T_LOOKUP or T_CSTART tag names, or UINT32_MAX. */
static uint32_t lk_of_tag(const dht *d, uint64_t tag)
{
    uint32_t idx = (uint32_t)tag, ser = (uint32_t)(DHT_TAG_IDX(tag) >> 32);
    if (idx >= d->n_lks || !d->lks[idx].serial || (d->lks[idx].serial & 0xffffffu) != ser) return UINT32_MAX;
    return idx;
}

int dht_lk_client_start(dht *d, cp_env *env, uint8_t kind, const uint8_t *key, const uint8_t *val,
                        uint32_t vlen, uint64_t cookie)
{
    uint32_t idx = lk_setup(d, env, kind, key, 0, val, vlen);
    if (idx == UINT32_MAX) return DHT_ENOMEM;
    dht_lookup *l = &d->lks[idx];
    if (vlen && !l->store_val) {
        lk_release(d, env, idx);
        return DHT_ENOMEM;
    }
    l->cookie = cookie;
    l->timer = env_timer(env, 0, cstart_tag(idx, l->serial)); /* cancelled if abandoned first */
    return 0;
}

void dht_lk_client_timer(dht *d, cp_env *env, uint64_t tag)
{
    uint32_t idx = lk_of_tag(d, tag);
    if (idx == UINT32_MAX) return;
    dht_lookup *l = &d->lks[idx];
    l->timer = 0;
    const dht_val *v = l->kind == LK_CGET ? dht_store_get(d, env->self, l->key, env_now(env)) : NULL;
    if (v) { /* held here: found at once, 0 hops */
        l->found = 1;
        l->got = v->data;
        l->got_len = v->len;
        client_done(d, env, idx, 0);
        return;
    }
    lk_begin(d, env, idx);
}

static uint32_t contact_at(const dht_msg *m, uint32_t i)
{
    const uint8_t *p = m->contacts + (size_t)i * DHT_CONTACT_BYTES;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void merge_contacts(dht *d, dht_lookup *l, const dht_msg *m, uint8_t depth)
{
    for (uint32_t i = 0; i < m->n_contacts; i++) {
        uint32_t c = contact_at(m, i);
        if (dht_is_member(d, c)) __builtin_prefetch(&d->pfx[c - d->first]);
    }
    for (uint32_t i = 0; i < m->n_contacts; i++) {
        uint32_t c = contact_at(m, i);
        const uint8_t *id = m->contacts + (size_t)i * DHT_CONTACT_BYTES + 4;
        if (!dht_is_member(d, c) || dht_prefix64(id) != dht_pfx(d, c)) { /* by prefix */
            d->cnt.malformed++;
            continue;
        }
        merge(d, l, c, depth);
    }
}

/* A client GET takes any value stored under its key; a workload GET checks the bytes. */
static int value_ok(dht *d, const dht_lookup *l, const dht_msg *m)
{
    uint8_t want[DHT_MAX_VALUE];
    if (l->kind == LK_CGET) return memcmp(m->key, l->key, DHT_ID_BYTES) == 0;
    if (m->vlen != d->cfg.value_size || memcmp(m->key, l->key, DHT_ID_BYTES) != 0) return 0;
    dht_value_bytes(d, l->arg, want, m->vlen);
    return memcmp(want, m->value, m->vlen) == 0;
}

void dht_lk_response(dht *d, cp_env *env, const dht_rpc *r, const dht_msg *m)
{
    if (r->lookup >= d->n_lks || d->lks[r->lookup].serial != r->lserial) return;
    dht_lookup *l = &d->lks[r->lookup];
    l->inflight--;
    dht_entry *e = entry_of(d, l, r->to);
    if (e) e->state = E_DONE;
    if (r->depth > l->max_depth) l->max_depth = r->depth;
    if (m->type == DHT_VALUE && l->is_value) l->found = (uint8_t)value_ok(d, l, m);
    if (l->found) l->got = m->value, l->got_len = m->vlen; /* valid while this message is handled */
    if (m->type == DHT_NODES) merge_contacts(d, l, m, (uint8_t)(r->depth + 1));
    pump(d, env, r->lookup);
}

/* Fail entry e of lookup l: its RPC timed out. Returns its deadline if it has not. */
static cp_time expire(dht *d, dht_lookup *l, dht_entry *e, cp_time now)
{
    cp_time due = d->rpcs[e->rpc].timer;
    if (due > now) return due;
    dht_rpc_drop(d, e->rpc);
    dht_contact_failed(d, l->owner, e->node);
    d->cnt.rpc_timeouts++;
    e->state = E_FAIL;
    l->inflight--;
    return CP_TIME_NEVER;
}

void dht_lk_timer(dht *d, cp_env *env, uint64_t tag)
{
    uint32_t idx = lk_of_tag(d, tag);
    if (idx == UINT32_MAX) return;
    dht_lookup *l = &d->lks[idx];
    cp_time now = env_now(env), next = CP_TIME_NEVER;
    l->timer = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        if (l->e[i].state != E_PEND) continue;
        cp_time due = expire(d, l, &l->e[i], now);
        if (due < next) next = due;
    }
    if (next != CP_TIME_NEVER) l->timer = env_timer(env, next - now, tag);
    pump(d, env, idx);
}

void dht_lk_abort_node(dht *d, cp_env *env, cp_node v)
{
    for (uint32_t i = 0; i < d->n_lks; i++) {
        if (d->lks[i].serial == 0 || d->lks[i].owner != v) continue;
        if (dht_lk_client(d->lks[i].kind)) {
            client_done(d, env, i, 1);
            continue;
        }
        d->cnt.aborted++;
        lk_release(d, env, i);
    }
}
