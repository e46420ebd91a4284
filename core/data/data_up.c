/* core/data/data_up.c: the upload path. A device seals each batch of readings under its epoch
 * key, chunks it, signs the data-record transaction and hands both to its gateway; the gateway
 * checks every chunk's content address and the signature, stores each chunk at its replicas
 * (the XOR-closest gateways) and, once every replica acknowledged, marks the record ready and
 * logs its transaction. Replicas serve chunks to buyers. Invariant: a record is ready only
 * when all its chunks are held by all their replicas. */
#include "core/data/data_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"

void data_epoch_keypair(const data *d, cp_node dev, uint64_t epoch, pre_keypair *out)
{
    uint8_t label[12] = {0};
    for (int k = 0; k < 8; k++) label[4 + k] = (uint8_t)(epoch >> (8 * k)); /* stream 0, epoch */
    pre_stream_key(out, d->dev[dev - d->first[DATA_DEVICE]].master, label, sizeof label);
}

static cp_time upload_at(const data *d, const dev_st *s, uint64_t u)
{
    return s->offset + (u + 1) * d->cfg.upload_interval;
}

void data_dev_start(data *d, cp_env *env)
{
    dev_st *s = &d->dev[env->self - d->first[DATA_DEVICE]];
    s->offset = rng_below(env->rng, d->cfg.upload_interval);
    if (upload_at(d, s, 0) <= d->cfg.data_end) env_timer(env, upload_at(d, s, 0), DTAG(T_UPLOAD, 0));
}

/* After a crash: if the pending upload timer was lost (due while down), the batches due
 * while down are lost too; produce from the next one. A timer due later is still pending. */
void data_dev_restart(data *d, cp_env *env)
{
    dev_st *s = &d->dev[env->self - d->first[DATA_DEVICE]];
    cp_time now = env_now(env);
    if (upload_at(d, s, s->next_upload) >= now) return;
    while (upload_at(d, s, s->next_upload) < now) s->next_upload++;
    if (upload_at(d, s, s->next_upload) <= d->cfg.data_end)
        env_timer(env, upload_at(d, s, s->next_upload) - now, DTAG(T_UPLOAD, 0));
}

/* A fresh key for a new epoch: encapsulate to the epoch's delegating key (charged). */
static int epoch_key(data *d, cp_env *env, dev_st *s, uint64_t epoch)
{
    if (epoch >= s->n_caps) {
        pre_capsule *c = realloc(s->caps, (epoch + 1) * sizeof *c);
        if (!c) return -1;
        memset(c + s->n_caps, 0, (epoch + 1 - s->n_caps) * sizeof *c);
        s->caps = c, s->n_caps = epoch + 1;
    }
    pre_keypair kp;
    data_epoch_keypair(d, env->self, epoch, &kp);
    if (pre_encapsulate(&s->caps[epoch], s->key, kp.pk, env->rng) != CR_OK) return -1;
    data_charge(d, env, COST_PRE_ENCAP, 1);
    s->epoch = epoch;
    return 0;
}

static uint8_t *batch(const data *d, cp_node v, uint64_t u, cp_time t0, size_t *len)
{
    uint64_t ns = d->cfg.upload_interval / d->cfg.sample_interval, rs = d->cfg.reading_size;
    if (d->cfg.model.kind == DATA_MODEL_CAMERA) { /* one segment */
        *len = data_batch_bytes(&d->cfg);
        uint8_t *seg = malloc(*len);
        if (seg) data_model_segment(&d->cfg.model, d->seed, v - d->first[DATA_DEVICE], u * ns, data_sample_s(d), t0, 0, seg, *len);
        return seg;
    }
    uint8_t *pt = calloc(ns, rs);
    for (uint64_t j = 0; pt && j < ns; j++) {
        uint8_t *p = pt + j * rs;
        uint64_t t = t0 + j * d->cfg.sample_interval;
        data_model_reading(&d->cfg.model, d->seed, v - d->first[DATA_DEVICE], u * ns + j, data_sample_s(d), t, p, (uint32_t)rs);
    }
    *len = ns * rs;
    return pt;
}

static uint32_t add_record(data *d, cp_env *env, dev_st *s, uint64_t u, uint64_t epoch, size_t ptlen)
{
    if (vec_reserve((void **)&d->rec, &d->cap_rec, d->n_rec + 1, sizeof *d->rec)) return UINT32_MAX;
    if (vec_reserve((void **)&d->rm, &d->cap_rm, d->n_rec + 1, sizeof *d->rm)) return UINT32_MAX;
    size_t nr = s->cap_recs;
    if (vec_reserve((void **)&s->recs, &nr, s->n_recs + 1, sizeof *s->recs)) return UINT32_MAX;
    s->cap_recs = (uint32_t)nr;
    uint32_t r = (uint32_t)d->n_rec++;
    d->rec[r] = (data_record){env->self, data_upload_gateway(d, env->self, u),
                              0, 0, (uint32_t)ptlen, u, epoch, s->offset + u * d->cfg.upload_interval, 0,
                              CP_TIME_NEVER, CP_TIME_NEVER, UINT32_MAX};
    memset(&d->rm[r], 0, sizeof d->rm[r]);
    d->rm[r].chunk0 = (uint32_t)d->n_ch;
    d->rm[r].cap = s->caps[epoch];
    s->recs[s->n_recs++] = r;
    return r;
}

/* Seal, chunk and address the batch; returns the record or UINT32_MAX. */
static uint32_t seal_batch(data *d, cp_env *env, dev_st *s, uint64_t u, uint64_t epoch, uint8_t (*hs)[32])
{
    size_t ptlen;
    uint8_t *pt = batch(d, env->self, u, s->offset + u * d->cfg.upload_interval, &ptlen);
    uint8_t *ct = malloc(ptlen + DATA_AEAD_OVERHEAD);
    uint32_t r = pt && ct ? add_record(d, env, s, u, epoch, ptlen) : UINT32_MAX;
    if (r != UINT32_MAX) {
        size_t ctlen = ptlen + DATA_AEAD_OVERHEAD, cs = d->cfg.chunk_size;
        cr_hash(d->rm[r].pt_hash, pt, ptlen);
        data_seal(ct, pt, ptlen, s->key, env->self, 0, u, (const uint8_t *)&s->caps[epoch], env->rng);
        rec_meta *m = &d->rm[r];
        if ((m->lazy = (uint8_t)data_lazy_model(&d->cfg))) /* what regenerates the chunks */
            memcpy(m->nonce, ct, 24), memcpy(m->tag, ct + ctlen - 16, 16), memcpy(m->key, s->key, 32);
        data_charge(d, env, COST_AEAD_KIB, (double)ctlen / 1024.0);
        data_charge(d, env, COST_HASH_KIB, (double)ctlen / 1024.0);
        uint32_t nch = (uint32_t)((ctlen + cs - 1) / cs);
        d->rec[r].n_chunks = nch;
        for (uint32_t c = 0; c < nch; c++) {
            size_t len = c + 1 < nch ? cs : ctlen - c * cs;
            cr_hash(hs[c], ct + c * cs, len);
            if (data_chunk_add(d, hs[c], d->rm[r].lazy ? NULL : ct + c * cs, (uint32_t)len, r)) r = UINT32_MAX;
            if (r == UINT32_MAX) break;
        }
    }
    free(pt), free(ct);
    return r;
}

static void send_upload(data *d, cp_env *env, uint32_t r, const uint8_t *tx, size_t txlen)
{
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_UPLOAD);
    wr_u32(&w, r);
    wr_u64(&w, d->rec[r].interval);
    wr_u16(&w, (uint16_t)d->rec[r].n_chunks);
    for (uint32_t c = 0; c < d->rec[r].n_chunks; c++) {
        wr_u32(&w, d->ch[d->rm[r].chunk0 + c].len);
        wr_chunk(&w, d, d->rm[r].chunk0 + c);
    }
    wr_u16(&w, (uint16_t)txlen);
    wr_bytes(&w, tx, txlen);
    d->rec[r].sent = env_now(env);
    if (!w.bad) data_send(d, env, d->rec[r].gateway, DATA_M_UPLOAD, w.p, w.n);
}

void data_on_upload_timer(data *d, cp_env *env)
{
    dev_st *s = &d->dev[env->self - d->first[DATA_DEVICE]];
    uint64_t u = s->next_upload++;
    uint64_t epoch = u * d->cfg.upload_interval / d->cfg.enc_interval;
    if (upload_at(d, s, u + 1) <= d->cfg.data_end)
        env_timer(env, upload_at(d, s, u + 1) - env_now(env), DTAG(T_UPLOAD, 0));
    if (epoch != s->epoch && epoch_key(d, env, s, epoch)) return;
    uint8_t hs[CHAIN_RECORD_CHUNKS_MAX][32], tx[CHAIN_TX_MAX];
    uint32_t r = seal_batch(d, env, s, u, epoch, hs);
    if (r == UINT32_MAX) return;
    size_t txlen = data_tx_make(d, env, CHAIN_TX_DATA_RECORD, 0, NULL, 0, (const uint8_t(*)[32])hs,
                                (uint16_t)d->rec[r].n_chunks, u, tx);
    d->cnt.uploads++;
    if (txlen) send_upload(d, env, r, tx, txlen);
}

/* ---- gateway: check, store at the replicas ---------------------------------------- */

static int check_tx(data *d, cp_env *env, uint32_t r, const uint8_t *b, size_t len)
{
    chain_tx *tx = malloc(sizeof *tx);
    int ok = tx && chain_tx_decode(b, len, tx) == CHAIN_OK && tx->kind == CHAIN_TX_DATA_RECORD &&
             tx->sender == d->rec[r].owner && !memcmp(tx->sender_pk, d->sig[tx->sender].pk, 32);
    data_charge(d, env, COST_VERIFY, 1);
    ok = ok && chain_tx_verify(tx, NULL) == CHAIN_OK;
    for (uint32_t c = 0; ok && c < d->rec[r].n_chunks; c++)
        ok = !memcmp(tx->payload + CHAIN_RECORD_HDR + 32 * c, d->ch[d->rm[r].chunk0 + c].hash, 32);
    free(tx);
    return ok;
}

int data_offline(const data *d, const cp_env *env)
{
    return d->cfg.dir.online && !d->cfg.dir.online(d->cfg.dir.ctx, env->self);
}

/* Send chunk ci to each of its holders that has not acknowledged it yet. */
static void store_chunk(data *d, cp_env *env, uint32_t r, uint32_t ci)
{
    chunk *ch = &d->ch[ci];
    for (uint32_t k = 0; k < d->cfg.replicas; k++) {
        if (ch->acked >> k & 1) continue;
        if (ch->rep[k] == env->self) {
            ch->held |= (uint8_t)(1u << k), ch->acked |= (uint8_t)(1u << k);
            d->rm[r].acks_left--;
            continue;
        }
        wr w;
        wr_init(&w, d);
        wr_u8(&w, DATA_M_STORE);
        wr_u32(&w, r);
        wr_bytes(&w, ch->hash, 32);
        wr_u32(&w, ch->len);
        wr_chunk(&w, d, ci);
        if (!w.bad) data_send(d, env, ch->rep[k], DATA_M_STORE, w.p, w.n);
    }
}

static void record_ready(data *d, cp_env *env, uint32_t r)
{
    data_record *rec = &d->rec[r];
    rec->ready = env_now(env);
    rec->tx = data_tx_append(d, env, CHAIN_TX_DATA_RECORD, rec->owner, r, d->rm[r].txe, d->rm[r].txlen);
    if (!d->cfg.chain.ctx) rec->onchain = rec->ready;
    free(d->rm[r].txe);
    d->rm[r].txe = NULL;
    d->cnt.records_ready++;
}

void data_on_upload(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t ri = rd_u32(r);
    uint64_t interval = rd_u64(r);
    uint32_t nch = rd_u16(r);
    int ok = !r->bad && ri < d->n_rec && d->rec[ri].owner == from && d->rec[ri].interval == interval &&
             d->rec[ri].n_chunks == nch && d->rec[ri].gateway == env->self && !d->rm[ri].txe &&
             d->rec[ri].ready == CP_TIME_NEVER; /* a replayed upload is refused */
    for (uint32_t c = 0; ok && c < nch; c++) {
        uint32_t len = rd_u32(r);
        const uint8_t *b = rd_bytes(r, len);
        uint8_t h[32];
        if (!b) break;
        cr_hash(h, b, len);
        data_charge(d, env, COST_HASH_KIB, (double)len / 1024.0);
        ok = !memcmp(h, d->ch[d->rm[ri].chunk0 + c].hash, 32);
    }
    uint32_t txlen = rd_u16(r);
    const uint8_t *tx = rd_bytes(r, txlen);
    if (!ok || !rd_done(r) || !check_tx(d, env, ri, tx, txlen) || !(d->rm[ri].txe = malloc(txlen))) {
        d->cnt.malformed++;
        return;
    }
    memcpy(d->rm[ri].txe, tx, txlen);
    d->rm[ri].txlen = txlen;
    d->rm[ri].acks_left = nch * d->cfg.replicas;
    for (uint32_t c = 0; c < nch; c++) {
        uint32_t ci = d->rm[ri].chunk0 + c;
        if (!d->cfg.dir.ctx) store_chunk(d, env, ri, ci);
        else if (d->cfg.dir.find(d->cfg.dir.ctx, env, d->ch[ci].hash, DATA_COOKIE(DATA_LK_STORE, 0, ci)) != 0)
            d->cnt.lookup_errors++; /* again at the storage timer */
    }
    if (d->cfg.dir.ctx) env_timer(env, d->cfg.fetch_timeout, DTAG(T_STORE, ri));
    if (d->rm[ri].acks_left == 0) record_ready(d, env, ri);
}

void data_on_store_timer(data *d, cp_env *env, uint32_t r)
{
    if (r >= d->n_rec || d->rec[r].gateway != env->self || d->rec[r].ready != CP_TIME_NEVER || !d->rm[r].txe ||
        ++d->rm[r].store_tries >= DATA_STORE_TRIES)
        return;
    uint32_t full = (1u << d->cfg.replicas) - 1;
    for (uint32_t c = 0; c < d->rec[r].n_chunks; c++) {
        uint32_t ci = d->rm[r].chunk0 + c;
        if (d->ch[ci].acked == full) continue;
        d->cnt.store_retries++;
        if (d->cfg.dir.find(d->cfg.dir.ctx, env, d->ch[ci].hash, DATA_COOKIE(DATA_LK_STORE, 0, ci)) != 0)
            d->cnt.lookup_errors++; /* e.g. this gateway's own DHT node is offline */
    }
    env_timer(env, d->cfg.fetch_timeout << d->rm[r].store_tries, DTAG(T_STORE, r)); /* backing off */
}

/* 1 if node v is one of chunk ch's holders that acknowledged it. */
static int acked_by(const chunk *ch, uint32_t replicas, cp_node v)
{
    for (uint32_t k = 0; k < replicas; k++)
        if ((ch->acked >> k & 1) && ch->rep[k] == v) return 1;
    return 0;
}

/* The holders of chunk ci: the nodes found, closest first, in the slots not yet acknowledged
 * (a first round fills them all; a retry replaces the silent ones). */
void data_store_found(data *d, cp_env *env, uint32_t ci, const cp_node *nodes, uint32_t n)
{
    chunk *ch = &d->ch[ci];
    uint32_t r = ch->record, i = 0;
    if (r >= d->n_rec || d->rec[r].gateway != env->self || d->rec[r].ready != CP_TIME_NEVER || !d->rm[r].txe)
        return;
    for (uint32_t k = 0; k < d->cfg.replicas; k++) {
        if (ch->acked >> k & 1) continue;
        while (i < n && acked_by(ch, d->cfg.replicas, nodes[i])) i++;
        if (i == n) { /* too few holders found: again at the storage timer */
            d->cnt.lookup_errors++;
            return;
        }
        ch->rep[k] = nodes[i++];
    }
    store_chunk(d, env, r, ci);
    if (d->rm[r].acks_left == 0) record_ready(d, env, r);
}

void data_on_store(data *d, cp_env *env, cp_node from, rd *r)
{
    if (data_offline(d, env)) {
        d->cnt.offline_drops++;
        return;
    }
    uint32_t ri = rd_u32(r);
    const uint8_t *hash = rd_bytes(r, 32);
    uint32_t len = rd_u32(r);
    const uint8_t *b = rd_bytes(r, len);
    uint32_t ci = hash ? data_chunk_find(d, hash) : UINT32_MAX;
    uint8_t h[32];
    if (b) cr_hash(h, b, len), data_charge(d, env, COST_HASH_KIB, (double)len / 1024.0);
    if (!rd_done(r) || ci == UINT32_MAX || d->ch[ci].record != ri || memcmp(h, hash, 32)) {
        d->cnt.malformed++;
        return;
    }
    for (uint32_t k = 0; k < d->cfg.replicas; k++)
        if (d->ch[ci].rep[k] == env->self) d->ch[ci].held |= (uint8_t)(1u << k);
    d->cnt.chunks_stored++;
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_STORE_ACK);
    wr_u32(&w, ri);
    wr_bytes(&w, hash, 32);
    if (!w.bad) data_send(d, env, from, DATA_M_STORE_ACK, w.p, w.n);
}

void data_on_store_ack(data *d, cp_env *env, cp_node from, rd *r)
{
    uint32_t ri = rd_u32(r);
    const uint8_t *hash = rd_bytes(r, 32);
    uint32_t ci = hash ? data_chunk_find(d, hash) : UINT32_MAX;
    if (!rd_done(r) || ri >= d->n_rec || d->rec[ri].gateway != env->self || ci == UINT32_MAX ||
        d->ch[ci].record != ri) {
        d->cnt.malformed++;
        return;
    }
    chunk *ch = &d->ch[ci];
    for (uint32_t k = 0; k < d->cfg.replicas; k++)
        if (ch->rep[k] == from && !(ch->acked >> k & 1) && d->rm[ri].acks_left) { /* else a late duplicate */
            ch->acked |= (uint8_t)(1u << k);
            if (--d->rm[ri].acks_left == 0) record_ready(d, env, ri);
            return;
        }
}

void data_on_fetch(data *d, cp_env *env, cp_node from, rd *r)
{
    if (data_offline(d, env)) {
        d->cnt.offline_drops++;
        return;
    }
    uint64_t order = rd_u64(r);
    uint32_t idx = rd_u32(r);
    const uint8_t *hash = rd_bytes(r, 32);
    if (!rd_done(r)) {
        d->cnt.malformed++;
        return;
    }
    uint32_t ci = data_chunk_find(d, hash);
    int held = 0;
    for (uint32_t k = 0; ci != UINT32_MAX && k < d->cfg.replicas; k++)
        held |= d->ch[ci].rep[k] == env->self && (d->ch[ci].held >> k & 1);
    wr w;
    wr_init(&w, d);
    wr_u8(&w, DATA_M_CHUNK);
    wr_u64(&w, order);
    wr_u32(&w, idx);
    wr_bytes(&w, hash, 32);
    wr_u32(&w, held ? d->ch[ci].len : 0);
    if (held) wr_chunk(&w, d, ci);
    if (held && env->self == d->cfg.corrupt_gateway) w.p[w.n - 1] ^= 0x5a;
    if (!w.bad) data_send(d, env, from, DATA_M_CHUNK, w.p, w.n);
}
