/* core/iot/iot_log.c: logistics tracing (contract in iot.h). Hub scanners sign a TRACE
 * transaction at each scan and ship the parcel on; indexers keep the committed traces the
 * observer forwards; clients ask an indexer for a parcel's history and check every record.
 * Invariant: a parcel is at one hub at a time and its scans follow its route in order, each
 * hash chaining the previous one; an indexer holds only traces that were committed, and a
 * query's completeness is judged against the scans committed before it was sent. */
#include "core/iot/iot_int.h"

#include <stdlib.h>
#include <string.h>

static int is_hub(const iot *a, cp_node v) { return v >= a->first[0] && v < a->first[1]; }
static int is_indexer(const iot *a, cp_node v) { return v >= a->first[1] && v < a->first[2]; }
static int is_client(const iot *a, cp_node v) { return v >= a->first[2] && v < a->first[3]; }
static cp_node indexer_of(const iot *a, uint32_t parcel) { return a->first[1] + parcel % a->cfg.log.indexers; }

void iot_log_start(iot *a, cp_env *env)
{
    cp_time now = env_now(env);
    if (is_hub(a, env->self)) {
        uint32_t h = env->self - a->first[0];
        for (size_t i = 0; i < a->n_parcel; i++)
            if (a->parcel[i].route[0] == h)
                env_timer(env, a->parcel[i].created > now ? a->parcel[i].created - now : 0, ITAG(T_PARCEL, i));
    }
    for (size_t q = 0; is_client(a, env->self) && q < a->n_q; q++)
        if (a->q[q].client == env->self) env_timer(env, a->q[q].sent > now ? a->q[q].sent - now : 0, ITAG(T_QUERY, q));
}

/* hash = BLAKE2b-256("cpsim-trace" || previous hash || le64 parcel || le32 hub || event || le64 t). */
static void trace_hash(iot *a, cp_env *env, uint8_t out[32], const uint8_t prev[32], uint32_t parcel, uint32_t hub,
                       uint8_t event, uint64_t t)
{
    uint8_t b[11 + 32 + 8 + 4 + 1 + 8];
    memcpy(b, "cpsim-trace", 11), memcpy(b + 11, prev, 32);
    for (int k = 0; k < 8; k++) b[43 + k] = (uint8_t)((uint64_t)parcel >> (8 * k)), b[56 + k] = (uint8_t)(t >> (8 * k));
    for (int k = 0; k < 4; k++) b[51 + k] = (uint8_t)(hub >> (8 * k));
    b[55] = event;
    cr_hash(out, b, sizeof b);
    iot_charge(a, env, COST_HASH_KIB, sizeof b / 1024.0);
}

static int scan_add(iot *a, parcel_st *p, uint32_t parcel, uint32_t pos, uint8_t event, cp_time t)
{
    if (vec_reserve((void **)&a->scan, &a->cap_scan, a->n_scan + 1, sizeof *a->scan)) return -1;
    size_t cap = p->cap_scans;
    if (vec_reserve((void **)&p->scans, &cap, p->n_scans + 1, sizeof *p->scans)) return -1;
    p->cap_scans = (uint32_t)cap;
    p->scans[p->n_scans++] = (uint32_t)a->n_scan;
    a->scan[a->n_scan] = (iot_scan){parcel, p->route[pos], pos, event, t, CP_TIME_NEVER, CP_TIME_NEVER, 0, 0};
    return (int)a->n_scan++;
}

static void scan(iot *a, cp_env *env, uint32_t i, uint32_t pos)
{
    parcel_st *p = &a->parcel[i];
    uint8_t event = pos == 0 ? IOT_EV_PICKUP : pos + 1 == p->n ? IOT_EV_DELIVERED : IOT_EV_TRANSIT;
    cp_time t = env_now(env);
    uint8_t h[32], tx[CHAIN_TX_MAX];
    if (pos == 0) memset(p->hash, 0, 32), a->cnt.parcels++;
    trace_hash(a, env, h, p->hash, i, p->route[pos], event, t);
    memcpy(p->hash, h, 32);
    int s = scan_add(a, p, i, pos, event, t);
    if (s < 0) return;
    a->cnt.scans++;
    size_t n = iot_tx_trace(a, env, i, p->route[pos], event, t, h, tx);
    iot_submit(a, env, tx, n, CHAIN_TX_TRACE, (uint32_t)s, indexer_of(a, i));
    if (pos + 1 == p->n) return;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_SHIP), iw_u32(&w, i), iw_u8(&w, (uint8_t)(pos + 1));
    iw_u64(&w, t + (cp_time)rng_exp(env->rng, (double)a->cfg.log.hop_time)), iw_bytes(&w, h, 32);
    iot_send_signed(a, env, a->first[0] + p->route[pos + 1], &w);
}

static void on_ship(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t i = ir_u32(r);
    uint8_t pos = ir_u8(r);
    uint64_t eta = ir_u64(r);
    const uint8_t *h = ir_bytes(r, 32);
    parcel_st *p = i < a->n_parcel ? &a->parcel[i] : NULL;
    if (!ir_done(r) || !p || pos == 0 || pos >= p->n || a->first[0] + p->route[pos] != env->self ||
        a->first[0] + p->route[pos - 1] != from) {
        a->cnt.malformed++;
        return;
    }
    memcpy(p->hash, h, 32);
    p->pos = pos;
    cp_time now = env_now(env);
    env_timer(env, eta > now ? eta - now : 0, ITAG(T_SCAN, i));
}

/* ---- indexer ------------------------------------------------------------------------------- */

void iot_log_note(iot *a, cp_env *env, const chain_tx *tx, uint64_t height, const uint8_t *b, size_t len)
{
    uint64_t parcel = iot_get64(tx->payload);
    uint32_t hub = iot_get32(tx->payload + 8);
    uint64_t t = iot_get64(tx->payload + 13);
    if (tx->kind != CHAIN_TX_TRACE || parcel >= a->n_parcel || indexer_of(a, (uint32_t)parcel) != env->self ||
        tx->sender != a->first[0] + hub)
        return;
    const parcel_st *p = &a->parcel[parcel];
    uint32_t s = NONE32;
    for (uint32_t k = 0; k < p->n_scans; k++)
        if (a->scan[p->scans[k]].hub == hub && a->scan[p->scans[k]].at == t) s = p->scans[k];
    idx_list *l = &a->index[parcel];
    size_t cap = l->cap;
    uint8_t *copy = malloc(len);
    if (s == NONE32 || !copy || vec_reserve((void **)&l->e, &cap, l->n + 1, sizeof *l->e)) {
        free(copy);
        return;
    }
    l->cap = (uint32_t)cap;
    memcpy(copy, b, len);
    l->e[l->n++] = (idx_ent){height, s, (uint16_t)len, copy};
    a->scan[s].indexed = env_now(env);
}

static void on_query(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t q = ir_u32(r), parcel = ir_u32(r);
    if (!ir_done(r) || !is_client(a, from) || parcel >= a->n_parcel || indexer_of(a, parcel) != env->self) {
        a->cnt.malformed++;
        return;
    }
    const idx_list *l = &a->index[parcel];
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_HISTORY), iw_u32(&w, q), iw_u32(&w, parcel), iw_u16(&w, (uint16_t)l->n);
    for (uint32_t k = 0; k < l->n; k++) iw_u64(&w, l->e[k].height), iw_u16(&w, l->e[k].len), iw_bytes(&w, l->e[k].tx, l->e[k].len);
    iot_send_signed(a, env, from, &w);
}

/* ---- client -------------------------------------------------------------------------------- */

static void query(iot *a, cp_env *env, uint32_t qi)
{
    iot_query *q = &a->q[qi];
    cp_time now = env_now(env);
    size_t lo = 0, hi = a->n_parcel; /* parcels created by now: [0, lo) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (a->parcel[mid].created <= now) lo = mid + 1;
        else hi = mid;
    }
    if (!lo) return;
    q->parcel = (uint32_t)rng_below(env->rng, lo), q->sent = now;
    const parcel_st *p = &a->parcel[q->parcel];
    for (uint32_t k = 0; k < p->n_scans; k++) {
        const iot_scan *s = &a->scan[p->scans[k]];
        q->made += s->at <= now;
        q->expected += s->committed <= now && s->valid;
    }
    a->cnt.queries++;
    iw w;
    iw_init(&w, a);
    iw_u8(&w, M_QUERY), iw_u32(&w, qi), iw_u32(&w, q->parcel);
    iot_send_signed(a, env, indexer_of(a, q->parcel), &w);
}

/* One record of a history: a valid trace of this parcel by the hub it names, committed
 * before the query was sent? 1 counted, 0 not expected, -1 bad. */
static int check_record(iot *a, cp_env *env, const iot_query *q, const uint8_t *b, size_t len)
{
    chain_tx tx;
    if (iot_tx_read(a, env, b, len, &tx) != 0 || tx.kind != CHAIN_TX_TRACE || iot_get64(tx.payload) != q->parcel ||
        tx.sender != a->first[0] + iot_get32(tx.payload + 8))
        return -1;
    const parcel_st *p = &a->parcel[q->parcel];
    for (uint32_t k = 0; k < p->n_scans; k++) {
        const iot_scan *s = &a->scan[p->scans[k]];
        if (s->hub == iot_get32(tx.payload + 8) && s->at == iot_get64(tx.payload + 13))
            return s->committed <= q->sent && s->valid;
    }
    return -1;
}

static void on_history(iot *a, cp_env *env, cp_node from, ir *r)
{
    uint32_t qi = ir_u32(r), parcel = ir_u32(r);
    uint16_t n = ir_u16(r);
    iot_query *q = qi < a->n_q ? &a->q[qi] : NULL;
    if (!q || q->client != env->self || q->parcel != parcel || from != indexer_of(a, parcel) ||
        q->answered != CP_TIME_NEVER) {
        a->cnt.malformed++;
        return;
    }
    uint32_t found = 0, good = 1;
    for (uint16_t k = 0; k < n && !r->bad; k++) {
        ir_u64(r);
        uint16_t len = ir_u16(r);
        const uint8_t *b = ir_bytes(r, len);
        int c = b ? check_record(a, env, q, b, len) : -1;
        if (c < 0) good = 0;
        else found += (uint32_t)c;
    }
    if (!ir_done(r)) {
        a->cnt.malformed++;
        return;
    }
    q->answered = env_now(env), q->returned = n, q->verified = (uint8_t)good;
    q->complete = (uint8_t)(good && found == q->expected);
    a->cnt.answered++;
}

void iot_log_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m)
{
    ir r;
    int ok = (is_hub(a, env->self) && kind == M_SHIP && is_hub(a, from)) ||
             (is_indexer(a, env->self) && kind == M_QUERY) || (is_client(a, env->self) && kind == M_HISTORY);
    if (!iot_open_signed(a, env, from, m, ok, &r)) return;
    if (kind == M_SHIP) on_ship(a, env, from, &r);
    else if (kind == M_QUERY) on_query(a, env, from, &r);
    else on_history(a, env, from, &r);
}

void iot_log_timer(iot *a, cp_env *env, int kind, uint32_t i)
{
    if (kind == T_PARCEL && i < a->n_parcel) scan(a, env, i, 0);
    else if (kind == T_SCAN && i < a->n_parcel) scan(a, env, i, a->parcel[i].pos);
    else if (kind == T_QUERY && i < a->n_q) query(a, env, i);
}
