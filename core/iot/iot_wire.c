/* core/iot/iot_wire.c: the bytes of core/iot: a bounds-checked writer and strict reader,
 * signed messages (body || Ed25519 signature over BLAKE2b-256("cpsim-iot" || body)), and the
 * escrow and trace transactions (core/chain's builders and strict decoder). Invariant: a reader never reads past its buffer (an overrun
 * sets `bad` and yields zeros) and a handler acts only on a message whose signature verified
 * and whose body was consumed exactly; every signature made or checked is charged. */
#include "core/iot/iot_int.h"

#include <stdlib.h>
#include <string.h>

void iw_init(iw *w, iot *a)
{
    w->p = a->buf, w->n = 0, w->cap = a->buf_cap, w->bad = 0;
}

void iw_bytes(iw *w, const void *b, size_t len)
{
    if (w->bad || w->n + len > w->cap) {
        w->bad = 1;
        return;
    }
    memcpy(w->p + w->n, b, len);
    w->n += len;
}

static void iw_le(iw *w, uint64_t v, int n)
{
    uint8_t b[8];
    for (int k = 0; k < n; k++) b[k] = (uint8_t)(v >> (8 * k));
    iw_bytes(w, b, (size_t)n);
}

void iw_u8(iw *w, uint8_t v) { iw_le(w, v, 1); }
void iw_u16(iw *w, uint16_t v) { iw_le(w, v, 2); }
void iw_u32(iw *w, uint32_t v) { iw_le(w, v, 4); }
void iw_u64(iw *w, uint64_t v) { iw_le(w, v, 8); }

void ir_init(ir *r, const uint8_t *p, size_t n)
{
    r->p = p, r->n = n, r->off = 0, r->bad = 0;
}

const uint8_t *ir_bytes(ir *r, size_t len)
{
    if (r->bad || len > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += len;
    return p;
}

static uint64_t ir_le(ir *r, int n)
{
    const uint8_t *p = ir_bytes(r, (size_t)n);
    uint64_t v = 0;
    for (int k = 0; p && k < n; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

uint8_t ir_u8(ir *r) { return (uint8_t)ir_le(r, 1); }
uint16_t ir_u16(ir *r) { return (uint16_t)ir_le(r, 2); }
uint32_t ir_u32(ir *r) { return (uint32_t)ir_le(r, 4); }
uint64_t ir_u64(ir *r) { return ir_le(r, 8); }
int ir_done(const ir *r) { return !r->bad && r->off == r->n; }

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

int iot_open_signed(iot *a, cp_env *env, cp_node from, const cp_msg *m, ir *r)
{
    if (m->len < 1 + IOT_SIG) {
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

size_t iot_tx_open(iot *a, cp_env *env, uint64_t escrow, cp_node payee, uint64_t amount, uint8_t *out)
{
    chain_tx tx;
    memset(&tx, 0, sizeof tx);
    return chain_tx_set_escrow_open(&tx, escrow, payee, amount, a->cfg.expiry) ? 0 : finish_tx(a, env, &tx, out);
}

size_t iot_tx_settle(iot *a, cp_env *env, uint64_t escrow, uint64_t pay, const uint8_t sig[64], uint8_t *out)
{
    chain_tx tx;
    memset(&tx, 0, sizeof tx);
    return chain_tx_set_escrow_settle(&tx, escrow, pay, sig) ? 0 : finish_tx(a, env, &tx, out);
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
