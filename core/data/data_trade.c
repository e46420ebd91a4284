/* core/data/data_trade.c: data trades. Buyer: order -> (seller confirms) -> verify t cfrags
 * per epoch, open the epoch keys -> fetch, check and decrypt the records -> confirm; seller:
 * per-epoch kfrags to the order's proxies; proxy: verify the kfrag, re-encrypt, deliver.
 * Invariant: a buyer opens an epoch key only from pre_t cfrags that passed pre_cfrag_verify,
 * and only for the epochs of its order; a chunk is used only if its BLAKE2b matches the
 * record's address, and a record counts only if the AEAD opens. */
#include "core/data/data_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"

static void order_place(data *d, size_t t, cp_rng *r, const data_order *o)
{
    data_trade *tr = &d->tr[t];
    const data_cfg *c = &d->cfg;
    memset(tr, 0, sizeof *tr);
    tr->id = t, tr->ordered = tr->confirmed = tr->delivered = tr->plaintext = tr->settled = CP_TIME_NEVER;
    if (o) {
        tr->buyer = o->buyer, tr->seller = o->owner, tr->e0 = o->e0, tr->e1 = o->e1;
        tr->ordered = o->at; /* the planned time until the order is placed */
    } else {
        cp_time at = c->trade_start + rng_below(r, c->trade_end - c->trade_start + 1);
        tr->buyer = d->first[DATA_BUYER] + (cp_node)rng_below(r, c->buyers);
        tr->seller = d->first[DATA_DEVICE] + (cp_node)rng_below(r, c->devices);
        uint64_t avail = (at < c->data_end ? at : c->data_end) / c->enc_interval;
        avail = avail ? avail - 1 : 0; /* the last finished epoch may still be uploading */
        tr->ordered = at;
        if (avail < c->epochs_per_order) tr->state = DATA_T_SKIPPED;
        else tr->e0 = rng_below(r, avail - c->epochs_per_order + 1), tr->e1 = tr->e0 + c->epochs_per_order - 1;
    }
    uint32_t p0 = c->proxies ? (uint32_t)rng_below(r, c->proxies) : 0;
    for (uint32_t i = 0; i < c->pre_n; i++) d->os[t].proxy[i] = d->first[DATA_PROXY] + (p0 + i) % c->proxies;
}

static int order_alloc(data *d, size_t t)
{
    order_st *o = &d->os[t];
    const data_trade *tr = &d->tr[t];
    if (tr->state == DATA_T_SKIPPED) return 0;
    if (tr->e1 < tr->e0 || tr->e1 - tr->e0 >= 100000) return -1;
    o->n_ep = (uint32_t)(tr->e1 - tr->e0 + 1);
    o->ep = calloc(o->n_ep, sizeof *o->ep);
    if (!o->ep) return -1;
    for (uint32_t e = 0; e < o->n_ep; e++) {
        o->ep[e].epoch = tr->e0 + e;
        if (!(o->ep[e].cf = calloc(d->cfg.pre_n, sizeof *o->ep[e].cf))) return -1;
    }
    return 0;
}

int data_trades_make(data *d)
{
    const data_cfg *c = &d->cfg;
    d->n_tr = c->orders ? c->n_orders : c->trades;
    d->tr = calloc(d->n_tr ? d->n_tr : 1, sizeof *d->tr);
    d->os = calloc(d->n_tr ? d->n_tr : 1, sizeof *d->os);
    if (!d->tr || !d->os) return -1;
    cp_rng r;
    rng_seed(&r, d->seed, 0, 0x7AD3);
    uint32_t max_ep = 1;
    for (size_t t = 0; t < d->n_tr; t++) {
        order_place(d, t, &r, c->orders ? &c->orders[t] : NULL);
        if (d->tr[t].buyer < d->first[DATA_BUYER] || d->tr[t].buyer >= d->first[DATA_BUYER + 1] ||
            d->tr[t].seller >= d->first[DATA_DEVICE + 1] || order_alloc(d, t))
            return -1;
        if (d->os[t].n_ep > max_ep) max_ep = d->os[t].n_ep;
    }
    size_t batch = (size_t)data_batch_bytes(c) + DATA_AEAD_OVERHEAD;
    d->buf_cap = 2 * batch + 8 * (batch / c->chunk_size + 1) + CHAIN_TX_MAX + 2 * c->chunk_size + 4096 +
                 (size_t)max_ep * (8 + 32 + PRE_CAPSULE_BYTES + PRE_KFRAG_BYTES + PRE_CFRAG_BYTES);
    d->buf = malloc(d->buf_cap);
    return d->buf ? 0 : -1;
}

void data_trades_free(data *d)
{
    for (size_t t = 0; d->os && t < d->n_tr; t++) {
        order_st *o = &d->os[t];
        for (uint32_t e = 0; o->ep && e < o->n_ep; e++) free(o->ep[e].cf);
        for (uint32_t i = 0; o->ct && i < o->n_recs; i++) free(o->ct[i]);
        free(o->ep), free(o->recs), free(o->ct), free(o->left), free(o->chunks), free(o->attempt);
        free(o->dec), free(o->chunk_rec), free(o->found), free(o->n_found);
    }
    free(d->tr), free(d->os);
}

static const pre_keypair *buyer_kp(const data *d, cp_node b) { return &d->buyer_key[b - d->first[DATA_BUYER]]; }

void data_buyer_start(data *d, cp_env *env)
{
    for (size_t t = 0; t < d->n_tr; t++)
        if (d->tr[t].buyer == env->self && d->tr[t].state == DATA_T_PENDING)
            env_timer(env, d->tr[t].ordered, DTAG(T_ORDER, t));
}

/* After a crash, timers due while down were lost: they fire now (a late order, a timeout
 * noticed late, a refetch); timers due later are still pending and are left alone. */
void data_buyer_restart(data *d, cp_env *env)
{
    cp_time now = env_now(env);
    for (size_t t = 0; t < d->n_tr; t++) {
        const data_trade *tr = &d->tr[t];
        const order_st *o = &d->os[t];
        int st = tr->state;
        if (tr->buyer != env->self) continue;
        if (st == DATA_T_PENDING && tr->ordered < now) env_timer(env, 0, DTAG(T_ORDER, t));
        if (st == DATA_T_CREATED && o->seller_at < now) env_timer(env, 0, DTAG(T_SELLER_TO, t));
        if ((st == DATA_T_SELLER_CONFIRMED || st == DATA_T_PROXY_DELIVERED) && o->deliver_at < now)
            env_timer(env, 0, DTAG(T_DELIVER_TO, t));
        if (st == DATA_T_PROXY_DELIVERED && o->fetch_at < now) env_timer(env, 0, DTAG(T_FETCH, t));
    }
}

/* ---- buyer: order ------------------------------------------------------------------- */

/* Order t to its seller, from env->self: the buyer itself, or (on a chain) the node that saw
 * the order's transaction committed, pushing the event to the seller. */
void data_send_order(data *d, cp_env *env, size_t t)
{
    const data_trade *tr = &d->tr[t];
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_ORDER);
    wr_u64(&w, t);
    wr_u32(&w, tr->seller);
    wr_u32(&w, 0);
    wr_u64(&w, tr->e0);
    wr_u64(&w, tr->e1);
    wr_bytes(&w, buyer_kp(d, tr->buyer)->pk, 32);
    if (!w.bad) data_send(d, env, tr->seller, DATA_M_ORDER, w.p, w.n);
}

static void place(data *d, cp_env *env, size_t t)
{
    data_trade *tr = &d->tr[t];
    tr->state = DATA_T_CREATED, tr->ordered = env_now(env);
    d->cnt.orders++;
    data_trade_tx(d, env, CHAIN_TX_TRADE_ORDER, t);
    if (!d->cfg.chain.ctx) data_send_order(d, env, t); /* on a chain: once the order is in a block */
    env_timer(env, d->cfg.seller_timeout, DTAG(T_SELLER_TO, t));
    d->os[t].seller_at = env_now(env) + d->cfg.seller_timeout;
}

static void fetch_one(data *d, cp_env *env, size_t t, uint32_t idx)
{
    order_st *o = &d->os[t];
    const chunk *ch = &d->ch[o->chunks[idx]];
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_FETCH);
    wr_u64(&w, t);
    wr_u32(&w, idx);
    wr_bytes(&w, ch->hash, 32);
    cp_node to = ch->rep[o->attempt[idx] % d->cfg.replicas];
    if (d->cfg.dir.ctx) { /* the holders this buyer's lookup found */
        uint32_t nf = o->n_found[idx];
        to = nf ? o->found[(size_t)idx * d->cfg.replicas + o->attempt[idx] % nf] : CP_NODE_NONE;
    }
    if (!w.bad && to != CP_NODE_NONE) data_send(d, env, to, DATA_M_FETCH, w.p, w.n);
}

/* Chunk idx of trade t: fetch it, first looking its holders up (dir port). */
static void get_chunk(data *d, cp_env *env, size_t t, uint32_t idx)
{
    order_st *o = &d->os[t];
    if (!d->cfg.dir.ctx || o->n_found[idx]) {
        fetch_one(d, env, t, idx);
        return;
    }
    if (d->cfg.dir.find(d->cfg.dir.ctx, env, d->ch[o->chunks[idx]].hash, DATA_COOKIE(DATA_LK_FETCH, t, idx)))
        d->cnt.lookup_errors++; /* retried at the fetch timer */
}

void data_fetch_found(data *d, cp_env *env, size_t t, uint32_t idx, const cp_node *nodes, uint32_t n)
{
    order_st *o = &d->os[t];
    if (d->tr[t].buyer != env->self || !o->fetching || idx >= o->n_chunks || o->n_found[idx]) return;
    uint32_t k = n < d->cfg.replicas ? n : d->cfg.replicas;
    for (uint32_t i = 0; i < k; i++) o->found[(size_t)idx * d->cfg.replicas + i] = nodes[i];
    o->n_found[idx] = (uint8_t)k;
    if (k && o->attempt[idx] != 0xff) fetch_one(d, env, t, idx);
    if (!k) d->cnt.lookup_errors++;
}

/* The ready records of the order's epochs, from the chain view; 0 if some are not ready yet. */
static int collect(data *d, size_t t, cp_time now)
{
    const data_trade *tr = &d->tr[t];
    order_st *o = &d->os[t];
    const dev_st *s = &d->dev[tr->seller - d->first[DATA_DEVICE]];
    uint64_t per = d->cfg.enc_interval / d->cfg.upload_interval, want = (tr->e1 - tr->e0 + 1) * per, n = 0, nch = 0;
    for (uint32_t i = 0; i < s->n_recs; i++) {
        const data_record *r = &d->rec[s->recs[i]];
        if (r->epoch < tr->e0 || r->epoch > tr->e1) continue;
        if (!data_record_visible(d, r, now)) return 0;
        n++, nch += r->n_chunks;
    }
    if (n < want) return 0;
    o->recs = malloc(n * sizeof *o->recs), o->ct = calloc(n, sizeof *o->ct), o->left = malloc(n * 4);
    o->dec = calloc(n, 1), o->chunks = malloc(nch * 4), o->attempt = calloc(nch, 1), o->chunk_rec = malloc(nch * 4);
    if (!o->recs || !o->ct || !o->left || !o->dec || !o->chunks || !o->attempt || !o->chunk_rec) return 0;
    if (d->cfg.dir.ctx && (!(o->found = malloc((nch ? nch : 1) * d->cfg.replicas * sizeof *o->found)) ||
                           !(o->n_found = calloc(nch ? nch : 1, 1))))
        return 0;
    for (uint32_t i = 0; i < s->n_recs; i++) {
        uint32_t ri = s->recs[i];
        const data_record *r = &d->rec[ri];
        if (r->epoch < tr->e0 || r->epoch > tr->e1) continue;
        o->left[o->n_recs] = r->n_chunks;
        for (uint32_t c = 0; c < r->n_chunks; c++)
            o->chunk_rec[o->n_chunks] = o->n_recs, o->chunks[o->n_chunks++] = d->rm[ri].chunk0 + c;
        o->recs[o->n_recs++] = ri;
    }
    o->recs_left = o->n_recs;
    d->tr[t].records = o->n_recs;
    return 1;
}

static void start_fetch(data *d, cp_env *env, size_t t)
{
    order_st *o = &d->os[t];
    if (!o->fetching && collect(d, t, env_now(env))) {
        o->fetching = 1;
        uint32_t w = d->cfg.fetch_window && d->cfg.fetch_window < o->n_chunks ? d->cfg.fetch_window : o->n_chunks;
        for (o->next_fetch = 0; o->next_fetch < w; o->next_fetch++) get_chunk(d, env, t, o->next_fetch);
    }
    env_timer(env, d->cfg.fetch_timeout, DTAG(T_FETCH, t));
    o->fetch_at = env_now(env) + d->cfg.fetch_timeout;
}

static void refetch(data *d, cp_env *env, size_t t)
{
    order_st *o = &d->os[t];
    for (uint32_t i = 0; i < o->next_fetch; i++) /* the chunks requested so far */
        if (o->attempt[i] != 0xff) {
            o->attempt[i] = (uint8_t)((o->attempt[i] + 1) % 0xfe), d->tr[t].refetches++;
            if (d->cfg.dir.ctx) o->n_found[i] = 0; /* holders may be offline (churn): look them up again */
            get_chunk(d, env, t, i);
        }
    env_timer(env, d->cfg.fetch_timeout, DTAG(T_FETCH, t));
    o->fetch_at = env_now(env) + d->cfg.fetch_timeout;
}

void data_on_trade_timer(data *d, cp_env *env, int kind, uint32_t i)
{
    if (i >= d->n_tr) return;
    data_trade *tr = &d->tr[i];
    if (kind == T_ORDER) place(d, env, i);
    else if (kind == T_SELLER_TO && tr->state == DATA_T_CREATED) tr->state = DATA_T_WITHDRAWN, d->cnt.withdrawn++;
    else if (kind == T_DELIVER_TO && (tr->state == DATA_T_SELLER_CONFIRMED || tr->state == DATA_T_PROXY_DELIVERED)) {
        tr->state = DATA_T_DISPUTED, d->cnt.disputed++;
        data_trade_tx(d, env, CHAIN_TX_TRADE_DISPUTE, i);
    } else if (kind == T_FETCH && tr->state == DATA_T_PROXY_DELIVERED) {
        if (d->os[i].fetching) refetch(d, env, i);
        else start_fetch(d, env, i);
    }
}

/* ---- seller: kfrags to the proxies, capsules to the buyer --------------------------- */

static void send_capsules(data *d, cp_env *env, size_t t, const dev_st *s)
{
    const data_trade *tr = &d->tr[t];
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_SELLER_OK);
    wr_u64(&w, t);
    wr_u16(&w, (uint16_t)d->os[t].n_ep);
    for (uint64_t e = tr->e0; e <= tr->e1; e++) {
        pre_keypair kp;
        data_epoch_keypair(d, tr->seller, e, &kp);
        wr_u64(&w, e);
        wr_bytes(&w, kp.pk, 32);
        wr_bytes(&w, &s->caps[e], PRE_CAPSULE_BYTES);
    }
    if (!w.bad) data_send(d, env, tr->buyer, DATA_M_SELLER_OK, w.p, w.n);
}

static int send_kfrags(data *d, cp_env *env, size_t t, const dev_st *s, const uint8_t pk_b[32])
{
    const data_trade *tr = &d->tr[t];
    uint32_t n = d->cfg.pre_n, ne = d->os[t].n_ep;
    pre_kfrag *kf = malloc((size_t)n * ne * sizeof *kf);
    pre_keypair *kp = malloc(ne * sizeof *kp);
    int ok = kf && kp;
    for (uint32_t e = 0; ok && e < ne; e++) {
        data_epoch_keypair(d, tr->seller, tr->e0 + e, &kp[e]);
        ok = pre_kfrags(kf + (size_t)e * n, d->cfg.pre_t, n, &kp[e], pk_b, &d->sig[env->self], env->rng) == CR_OK;
        data_charge(d, env, COST_PRE_KFRAG, n);
    }
    for (uint32_t i = 0; ok && i < n; i++) {
        wr w;
        wr_init(&w, d);
        wr_u8(&w, DATA_M_KFRAG);
        wr_u64(&w, t);
        wr_u32(&w, tr->buyer);
        wr_bytes(&w, pk_b, 32);
        wr_u16(&w, (uint16_t)ne);
        for (uint32_t e = 0; e < ne; e++) {
            wr_u64(&w, tr->e0 + e);
            wr_bytes(&w, kp[e].pk, 32);
            wr_bytes(&w, &s->caps[tr->e0 + e], PRE_CAPSULE_BYTES);
            wr_bytes(&w, &kf[(size_t)e * n + i], PRE_KFRAG_BYTES);
        }
        if (!w.bad) data_send(d, env, d->os[t].proxy[i], DATA_M_KFRAG, w.p, w.n);
    }
    free(kf), free(kp);
    return ok ? 0 : -1;
}

void data_on_order(data *d, cp_env *env, cp_node from, rd *r)
{
    uint64_t t = rd_u64(r);
    uint32_t owner = rd_u32(r), stream = rd_u32(r);
    uint64_t e0 = rd_u64(r), e1 = rd_u64(r);
    const uint8_t *pk_b = rd_bytes(r, 32);
    if (!rd_done(r) || t >= d->n_tr || d->tr[t].seller != env->self || owner != env->self || stream != 0 ||
        (d->cfg.chain.ctx ? from != d->observer : d->tr[t].buyer != from) || d->tr[t].e0 != e0 || d->tr[t].e1 != e1 ||
        memcmp(pk_b, buyer_kp(d, d->tr[t].buyer)->pk, 32)) {
        d->cnt.malformed++;
        return;
    }
    const dev_st *s = &d->dev[env->self - d->first[DATA_DEVICE]];
    if (e1 >= s->n_caps) return; /* not produced (yet): the buyer withdraws at its timeout */
    if (send_kfrags(d, env, t, s, pk_b) == 0) {
        send_capsules(d, env, t, s);
        d->tr[t].confirmed = env_now(env);
        data_trade_tx(d, env, CHAIN_TX_TRADE_CONFIRM, t);
    }
}

/* ---- proxy: verify, re-encrypt, deliver --------------------------------------------- */

static int proxy_pos(const data *d, size_t t, cp_node p)
{
    for (uint32_t i = 0; i < d->cfg.pre_n; i++)
        if (d->os[t].proxy[i] == p) return (int)i;
    return -1;
}

/* The proxy env->self reports its delivery on chain once it delivered and (on a chain) knows
 * the seller's confirmation is committed. */
static void proxy_report(data *d, cp_env *env, size_t t)
{
    order_st *o = &d->os[t];
    uint64_t bit = 1ull << proxy_pos(d, t, env->self);
    if (!(o->px_ready & bit) || (o->px_sent & bit) || (d->cfg.chain.ctx && !(o->px_told & bit))) return;
    o->px_sent |= bit;
    data_trade_tx(d, env, CHAIN_TX_TRADE_PROXY_DELIVERED, t);
}

/* The buyer confirms on chain once it holds the plaintext and (on a chain) knows a delivery is
 * committed. */
static void buyer_report(data *d, cp_env *env, size_t t)
{
    order_st *o = &d->os[t];
    if (!o->b_ready || o->b_sent || (d->cfg.chain.ctx && !o->b_told)) return;
    o->b_sent = 1;
    data_trade_tx(d, env, CHAIN_TX_TRADE_BUYER_CONFIRM, t);
}

static void send_event(data *d, cp_env *env, cp_node to, size_t t, int kind)
{
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_EVENT);
    wr_u8(&w, (uint8_t)kind);
    wr_u64(&w, t);
    if (!w.bad) data_send(d, env, to, DATA_M_EVENT, w.p, w.n);
}

void data_trade_event(data *d, cp_env *env, size_t t, int kind)
{
    if (kind == CHAIN_TX_TRADE_CONFIRM)
        for (uint32_t i = 0; i < d->cfg.pre_n; i++) send_event(d, env, d->os[t].proxy[i], t, kind);
    else if (!d->os[t].pd_pushed) d->os[t].pd_pushed = 1, send_event(d, env, d->tr[t].buyer, t, kind);
}

void data_on_event(data *d, cp_env *env, cp_node from, rd *r)
{
    int kind = rd_u8(r);
    uint64_t t = rd_u64(r);
    int pos = t < d->n_tr ? proxy_pos(d, t, env->self) : -1;
    int ok = rd_done(r) && from == d->observer && t < d->n_tr &&
             ((kind == CHAIN_TX_TRADE_CONFIRM && pos >= 0) ||
              (kind == CHAIN_TX_TRADE_PROXY_DELIVERED && d->tr[t].buyer == env->self));
    if (!ok) {
        d->cnt.malformed++;
        return;
    }
    if (kind == CHAIN_TX_TRADE_CONFIRM) d->os[t].px_told |= 1ull << pos, proxy_report(d, env, t);
    else d->os[t].b_told = 1, buyer_report(d, env, t);
}

void data_on_kfrag(data *d, cp_env *env, cp_node from, rd *r)
{
    uint64_t t = rd_u64(r);
    uint32_t buyer = rd_u32(r);
    const uint8_t *pk_b = rd_bytes(r, 32);
    uint32_t ne = rd_u16(r);
    int ok = !r->bad && t < d->n_tr && d->tr[t].seller == from && d->tr[t].buyer == buyer &&
             ne == d->os[t].n_ep && proxy_pos(d, t, env->self) >= 0;
    uint32_t p = env->self - d->first[DATA_PROXY];
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_CFRAG);
    wr_u64(&w, t);
    wr_u16(&w, (uint16_t)ne);
    for (uint32_t e = 0; ok && e < ne; e++) {
        uint64_t ep = rd_u64(r);
        const uint8_t *pk_a = rd_bytes(r, 32), *cap = rd_bytes(r, PRE_CAPSULE_BYTES), *kb = rd_bytes(r, PRE_KFRAG_BYTES);
        pre_capsule c;
        pre_kfrag kf;
        pre_cfrag cf;
        if (r->bad) break;
        memcpy(&c, cap, sizeof c), memcpy(&kf, kb, sizeof kf);
        data_charge(d, env, COST_PRE_KFRAG_VERIFY, 1);
        ok = ep == d->tr[t].e0 + e && pre_kfrag_verify(&kf, d->sig[from].pk, pk_a, pk_b) == CR_OK;
        data_charge(d, env, COST_PRE_REENC, 1);
        ok = ok && pre_capsule_check(&c) == CR_OK && pre_reencrypt(&cf, &c, &kf, env->rng) == CR_OK;
        if (p < d->cfg.dishonest) cf.z[0] ^= 1; /* a dishonest proxy: the proof no longer holds */
        wr_u64(&w, ep);
        wr_bytes(&w, &cf, PRE_CFRAG_BYTES);
    }
    if (!ok || !rd_done(r) || w.bad) {
        d->cnt.malformed++;
        return;
    }
    data_send(d, env, buyer, DATA_M_CFRAG, w.p, w.n);
    d->proxy_load[p] += ne;
    d->cnt.cfrags += ne;
    d->os[t].px_ready |= 1ull << proxy_pos(d, t, env->self);
    proxy_report(d, env, t);
}

/* ---- buyer: verify cfrags, open keys ------------------------------------------------ */

static void dispute(data *d, cp_env *env, size_t t, uint32_t pos)
{
    order_st *o = &d->os[t];
    if (o->disputed >> pos & 1) return;
    o->disputed |= 1ull << pos;
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_DISPUTE);
    wr_u64(&w, t);
    wr_u32(&w, o->proxy[pos]);
    if (!w.bad) data_send(d, env, d->tr[t].seller, DATA_M_DISPUTE, w.p, w.n);
}

static void verify_ep(data *d, cp_env *env, size_t t, ep_st *ep)
{
    const data_trade *tr = &d->tr[t];
    const pre_keypair *b = buyer_kp(d, tr->buyer);
    for (uint32_t i = 0; i < d->cfg.pre_n; i++) {
        if (!(ep->got >> i & 1) || (ep->checked >> i & 1)) continue;
        ep->checked |= 1ull << i;
        data_charge(d, env, COST_PRE_CFRAG_VERIFY, 1);
        if (pre_cfrag_verify(&ep->cf[i], &ep->cap, d->sig[tr->seller].pk, ep->pk_a, b->pk) == CR_OK) {
            ep->good |= 1ull << i;
            continue;
        }
        d->tr[t].bad_cfrags++, d->cnt.bad_cfrags++;
        dispute(d, env, t, i);
    }
    uint32_t t_need = d->cfg.pre_t, k = 0;
    pre_cfrag use[DATA_MAX_PROXIES];
    for (uint32_t i = 0; i < d->cfg.pre_n && k < t_need; i++)
        if (ep->good >> i & 1) use[k++] = ep->cf[i];
    if (ep->have_key || k < t_need) return;
    data_charge(d, env, COST_PRE_DECRYPT_BASE, 1);
    data_charge(d, env, COST_PRE_DECRYPT_PER_FRAG, t_need);
    ep->have_key = pre_decrypt_frags(ep->key, b, ep->pk_a, &ep->cap, use, t_need) == CR_OK;
}

static void try_keys(data *d, cp_env *env, size_t t)
{
    order_st *o = &d->os[t];
    uint32_t keys = 0;
    for (uint32_t e = 0; e < o->n_ep; e++) {
        if (o->ep[e].have_cap) verify_ep(d, env, t, &o->ep[e]);
        keys += o->ep[e].have_key;
    }
    if (keys == o->n_ep && d->tr[t].state == DATA_T_SELLER_CONFIRMED) {
        d->tr[t].state = DATA_T_PROXY_DELIVERED, d->tr[t].delivered = env_now(env);
        start_fetch(d, env, t);
    }
}

void data_on_seller_ok(data *d, cp_env *env, rd *r)
{
    uint64_t t = rd_u64(r);
    uint32_t ne = rd_u16(r);
    int ok = !r->bad && t < d->n_tr && d->tr[t].buyer == env->self && ne == d->os[t].n_ep;
    for (uint32_t e = 0; ok && e < ne; e++) {
        ep_st *ep = &d->os[t].ep[e];
        uint64_t en = rd_u64(r);
        const uint8_t *pk = rd_bytes(r, 32), *cap = rd_bytes(r, PRE_CAPSULE_BYTES);
        if (r->bad || en != ep->epoch) break;
        memcpy(ep->pk_a, pk, 32), memcpy(&ep->cap, cap, sizeof ep->cap);
    }
    if (!ok || !rd_done(r)) {
        d->cnt.malformed++;
        return;
    }
    for (uint32_t e = 0; e < ne; e++) d->os[t].ep[e].have_cap = 1;
    if (d->tr[t].state != DATA_T_CREATED) return;
    d->tr[t].state = DATA_T_SELLER_CONFIRMED;
    env_timer(env, d->cfg.deliver_timeout, DTAG(T_DELIVER_TO, t));
    d->os[t].deliver_at = env_now(env) + d->cfg.deliver_timeout;
    try_keys(d, env, t);
}

void data_on_cfrag(data *d, cp_env *env, cp_node from, rd *r)
{
    uint64_t t = rd_u64(r);
    uint32_t ne = rd_u16(r);
    int pos = !r->bad && t < d->n_tr && d->tr[t].buyer == env->self && ne == d->os[t].n_ep ? proxy_pos(d, t, from) : -1;
    for (uint32_t e = 0; pos >= 0 && e < ne; e++) {
        ep_st *ep = &d->os[t].ep[e];
        uint64_t en = rd_u64(r);
        const uint8_t *cf = rd_bytes(r, PRE_CFRAG_BYTES);
        if (r->bad || en != ep->epoch) pos = -1;
        else memcpy(&ep->cf[pos], cf, PRE_CFRAG_BYTES);
    }
    if (pos < 0 || !rd_done(r) || (d->os[t].ep[0].got >> pos & 1)) {
        d->cnt.malformed++;
        return;
    }
    for (uint32_t e = 0; e < ne; e++) d->os[t].ep[e].got |= 1ull << pos;
    if (d->tr[t].state == DATA_T_SELLER_CONFIRMED) try_keys(d, env, t);
}

/* ---- buyer: chunks, decryption, confirmation ---------------------------------------- */

static void finish(data *d, cp_env *env, size_t t)
{
    data_trade *tr = &d->tr[t];
    tr->state = DATA_T_FINISHED, tr->plaintext = env_now(env);
    d->cnt.finished++;
    d->os[t].b_ready = 1;
    buyer_report(d, env, t);
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_CONFIRM);
    wr_u64(&w, t);
    if (!w.bad) data_send(d, env, tr->seller, DATA_M_CONFIRM, w.p, w.n);
}

static void open_record(data *d, cp_env *env, size_t t, uint32_t pos)
{
    order_st *o = &d->os[t];
    uint32_t ri = o->recs[pos];
    const data_record *rec = &d->rec[ri];
    size_t len = (size_t)rec->bytes + DATA_AEAD_OVERHEAD;
    uint8_t *pt = malloc(rec->bytes ? rec->bytes : 1), h[32];
    const ep_st *ep = &o->ep[rec->epoch - d->tr[t].e0];
    data_charge(d, env, COST_AEAD_KIB, (double)len / 1024.0);
    size_t n;
    if (d->rm[ri].lazy && !o->ct[pos]) data_record_ciphertext(d, ri, &o->ct[pos], &n); /* what the chunks hashed to */
    if (pt && o->ct[pos] && data_open(pt, o->ct[pos], len, ep->key, rec->owner, 0, rec->interval, (const uint8_t *)&ep->cap) == CR_OK) {
        cr_hash(h, pt, rec->bytes);
        o->dec[pos] = 1;
        d->tr[t].records_ok++;
        if (memcmp(h, d->rm[ri].pt_hash, 32)) d->cnt.plaintext_mismatch++;
    } else {
        d->cnt.aead_failures++;
    }
    free(pt);
    free(o->ct[pos]), o->ct[pos] = NULL; /* decided: its ciphertext is not needed any more */
    if (--o->recs_left == 0) finish(d, env, t);
}

void data_on_chunk(data *d, cp_env *env, cp_node from, rd *r)
{
    (void)from;
    uint64_t t = rd_u64(r);
    uint32_t idx = rd_u32(r);
    const uint8_t *hash = rd_bytes(r, 32);
    uint32_t len = rd_u32(r);
    const uint8_t *b = rd_bytes(r, len);
    if (!rd_done(r) || t >= d->n_tr || d->tr[t].buyer != env->self || !d->os[t].fetching ||
        idx >= d->os[t].n_chunks) {
        d->cnt.malformed++;
        return;
    }
    order_st *o = &d->os[t];
    const chunk *ch = &d->ch[o->chunks[idx]];
    if (o->attempt[idx] == 0xff || d->tr[t].state != DATA_T_PROXY_DELIVERED || memcmp(hash, ch->hash, 32)) return;
    uint8_t h[32];
    cr_hash(h, b, len);
    data_charge(d, env, COST_HASH_KIB, (double)len / 1024.0);
    if (!len || memcmp(h, ch->hash, 32)) { /* missing or corrupted: the next replica */
        d->tr[t].bad_chunks += len != 0, d->cnt.bad_chunks += len != 0, d->tr[t].refetches++;
        o->attempt[idx] = (uint8_t)((o->attempt[idx] + 1) % 0xfe);
        uint32_t m = d->cfg.dir.ctx ? o->n_found[idx] : d->cfg.replicas;
        if (m && o->attempt[idx] % m) fetch_one(d, env, t, idx); /* else: the fetch timer */
        return;
    }
    uint32_t pos = o->chunk_rec[idx];
    int keep = !d->rm[o->recs[pos]].lazy; /* a lazy record's verified chunks are regenerated at opening */
    if (keep && !o->ct[pos] && !(o->ct[pos] = malloc((size_t)d->rec[o->recs[pos]].bytes + DATA_AEAD_OVERHEAD))) return;
    if (o->next_fetch < o->n_chunks) get_chunk(d, env, t, o->next_fetch++); /* the window slides */
    if (keep) memcpy(o->ct[pos] + (size_t)(o->chunks[idx] - d->rm[o->recs[pos]].chunk0) * d->cfg.chunk_size, b, len);
    o->attempt[idx] = 0xff;
    if (--o->left[pos] == 0) open_record(d, env, t, pos);
}

void data_on_confirm(data *d, cp_env *env, rd *r)
{
    uint64_t t = rd_u64(r);
    if (!rd_done(r) || t >= d->n_tr || d->tr[t].seller != env->self) d->cnt.malformed++;
}

void data_on_dispute(data *d, cp_env *env, rd *r)
{
    uint64_t t = rd_u64(r);
    rd_u32(r);
    if (!rd_done(r) || t >= d->n_tr || d->tr[t].seller != env->self) d->cnt.malformed++;
    else d->cnt.disputes_received++;
}
