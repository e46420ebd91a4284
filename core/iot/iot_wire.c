/* core/iot/iot_wire.c: the bytes of core/iot: a writer on the app's buffer (core/wire.h),
 * signed messages (body || Ed25519 signature over BLAKE2b-256("cpsim-iot" || body)), and the
 * escrow and trace transactions (core/chain's builders and strict decoder). Invariant: a
 * handler acts only on a message whose signature verified and whose body was consumed exactly
 * (core/wire.h's reader); every signature made or checked is charged. */
#include "core/iot/iot_int.h"

#include <stdlib.h>
#include <string.h>

void iw_init(iw *w, iot *a) { wire_w_init(w, a->buf, a->buf_cap); }

uint64_t iot_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

uint32_t iot_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- signed messages ------------------------------------------------------------------ */

static void body_digest(uint8_t d[32], const uint8_t *b, size_t n)
{
    uint8_t *t = malloc(n + 9);
    if (!t) {
        memset(d, 0, 32);
        return;
    }
    memcpy(t, "cpsim-iot", 9);
    memcpy(t + 9, b, n);
    cr_hash(d, t, n + 9);
    free(t);
}

void iot_sign_body(iot *a, cp_env *env, const uint8_t *b, size_t n, uint8_t sig[64])
{
    uint8_t d[32];
    body_digest(d, b, n);
    cr_sign(sig, d, 32, iot_key(a, env->self));
    iot_charge(a, env, COST_HASH_KIB, (double)n / 1024.0);
    iot_charge(a, env, COST_SIGN, 1);
}

int iot_check_body(iot *a, cp_env *env, cp_node v, const uint8_t *b, size_t n, const uint8_t sig[64])
{
    uint8_t d[32];
    body_digest(d, b, n);
    iot_charge(a, env, COST_HASH_KIB, (double)n / 1024.0);
    return iot_check_digest(a, env, v, d, sig);
}

int iot_send_signed(iot *a, cp_env *env, cp_node to, iw *w)
{
    uint8_t sig[IOT_SIG];
    if (w->bad) return -1;
    iot_sign_body(a, env, w->p, w->n, sig);
    iw_bytes(w, sig, IOT_SIG);
    if (w->bad) return -1;
    cp_msg *m = env_msg_new(env, w->p[0], (uint32_t)w->n, (uint32_t)w->n + 28);
    if (!m) return -1;
    memcpy(m->data, w->p, w->n);
    int rc = env_send(env, to, m);
    env_msg_unref(env, m);
    return rc;
}

int iot_check_digest(iot *a, cp_env *env, cp_node v, const uint8_t d[32], const uint8_t sig[64])
{
    const cr_keypair *k = iot_key(a, v);
    iot_charge(a, env, COST_VERIFY, 1);
    if (!k) return 0;
    int rc = a->cfg.memo ? cr_verify(a->cfg.memo, sig, d, 32, k->pk) : cr_verify_raw(sig, d, 32, k->pk);
    return rc == CR_OK;
}

int iot_open_signed(iot *a, cp_env *env, cp_node from, const cp_msg *m, int expected, ir *r)
{
    if (!expected || m->len < 1 + IOT_SIG) {
        a->cnt.malformed++;
        return 0;
    }
    size_t body = m->len - IOT_SIG;
    if (!iot_check_body(a, env, from, m->data, body, m->data + body)) {
        a->cnt.bad_sig++;
        return 0;
    }
    ir_init(r, m->data + 1, body - 1);
    return 1;
}

/* ---- transactions ---------------------------------------------------------------------- */

/* Sign (charged to env->self) and encode tx with the sender's next nonce. */
static size_t finish_tx(iot *a, cp_env *env, chain_tx *tx, uint8_t *out)
{
    cp_node v = env->self;
    tx->sender = v, tx->fee = a->cfg.fee;
    tx->nonce = a->nonce[v - a->cfg.first]++;
    chain_tx_sign(tx, iot_key(a, v));
    iot_charge(a, env, COST_SIGN, 1);
    return chain_tx_encode(out, tx);
}

void iot_open_escrow(iot *a, cp_env *env, iot_session *x, uint64_t *seq, cp_node payee, uint64_t deposit, uint32_t ref)
{
    chain_tx tx;
    uint8_t out[CHAIN_TX_MAX];
    x->reserved = env_now(env);
    x->escrow = ((uint64_t)env->self << 32) | ++*seq;
    memset(&tx, 0, sizeof tx);
    size_t n = chain_tx_set_escrow_open(&tx, x->escrow, payee, deposit, a->cfg.expiry) ? 0 : finish_tx(a, env, &tx, out);
    x->open_sent = env_now(env);
    iot_submit(a, env, out, n, CHAIN_TX_ESCROW_OPEN, ref, payee);
}

size_t iot_tx_settle(iot *a, cp_env *env, uint64_t escrow, uint64_t pay, const uint8_t sig[64], uint8_t *out)
{
    chain_tx tx;
    memset(&tx, 0, sizeof tx);
    return chain_tx_set_escrow_settle(&tx, escrow, pay, sig) ? 0 : finish_tx(a, env, &tx, out);
}

int iot_settle_countersigned(iot *a, cp_env *env, cp_node from, iot_session *x, const uint8_t sig[64], uint32_t ref)
{
    uint8_t d[32], tx[CHAIN_TX_MAX];
    chain_settle_digest(d, x->escrow, x->pay);
    if (!iot_check_digest(a, env, from, d, sig)) {
        a->cnt.bad_sig++;
        return 0;
    }
    size_t n = iot_tx_settle(a, env, x->escrow, x->pay, sig, tx);
    x->settle_sent = env_now(env);
    iot_submit(a, env, tx, n, CHAIN_TX_ESCROW_SETTLE, ref, CP_NODE_NONE);
    return 1;
}

void iot_countersign(iot *a, cp_env *env, cp_node to, iw *w, uint64_t escrow, uint64_t pay)
{
    uint8_t sig[IOT_SIG];
    chain_settle_sign(sig, escrow, pay, iot_key(a, env->self));
    iot_charge(a, env, COST_HASH_KIB, 28.0 / 1024.0);
    iot_charge(a, env, COST_SIGN, 1);
    iw_bytes(w, sig, IOT_SIG);
    iot_send_signed(a, env, to, w);
}

size_t iot_tx_trace(iot *a, cp_env *env, uint64_t parcel, uint32_t hub, uint8_t event, uint64_t t,
                    const uint8_t hash[32], uint8_t *out)
{
    chain_tx tx;
    memset(&tx, 0, sizeof tx);
    return chain_tx_set_trace(&tx, parcel, hub, event, t, hash) ? 0 : finish_tx(a, env, &tx, out);
}

int iot_tx_read(iot *a, cp_env *env, const uint8_t *b, size_t len, chain_tx *tx)
{
    if (chain_tx_decode(b, len, tx) != CHAIN_OK) return -1;
    const cr_keypair *k = iot_key(a, tx->sender);
    if (!k || memcmp(k->pk, tx->sender_pk, CR_PK_BYTES)) return -1;
    iot_charge(a, env, COST_VERIFY, 1);
    return chain_tx_verify(tx, a->cfg.memo) == CHAIN_OK ? 0 : -1;
}
