/* core/lbft/lbft_msg.c: LBFT's messages (contract in lbft.h, internals in lbft_int.h): the
 * header and transaction-list digest, the strict decoder, signing and verifying (with the
 * per-signer verification cache in front of the world's memo), cumulative signature sets and
 * their merge, building a message and sending it to the validators or proposers a node may
 * reach (twin sides), and the certificate check of a block message.
 *
 * Invariant: a signature counts only once verified and charged to the receiving node; a
 * message is built once and shared by all its receivers. */
#include "core/lbft/lbft_int.h"

/* Send m (about `height`) to every validator instance the sender may reach. */
void lbft_to_validators(lbft *l, cp_env *env, cp_msg *m, uint64_t height)
{
    int tw = l->cfg.n_twins && lbft_twinned(l, ME), side = tw ? lbft_side_of(l, env->self, height) : 0;
    for (uint32_t i = 0; i < l->base; i++) {
        if (i == l->n) i = l->tw0; /* skip the proposers */
        if (i >= l->base) break;
        if (i == env->self || role_of(l, i) >= l->n) continue;
        if (!tw || lbft_side_of(l, i, height) == side) env_send(env, i, m);
    }
}

/* Send m to every proposer instance; a client's transaction (split) reaches only the instance
 * of a twinned proposer on the client's side, so the two instances' pools differ. */
void lbft_to_proposers(lbft *l, cp_env *env, cp_msg *m, int split)
{
    for (uint32_t i = l->n; i < l->base; i++) {
        uint32_t r = role_of(l, i);
        if (i == env->self || r < l->n) continue;
        if (split && l->cfg.n_twins && lbft_twinned(l, r) && lbft_side_of(l, env->self, 0) != lbft_side_of(l, i, 0)) continue;
        env_send(env, i, m);
    }
}

/* Digest of a transaction list (ids, little endian), as the header commits to it. */
void lbft_tx_digest(const lbft *l, uint8_t d[32], const uint64_t *ids, uint32_t n)
{
    if (l->lg) {
        lbft_lg_digest(l->lg, ids, n, d);
        return;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t b[8];
        put64(b, ids[i]);
        crypto_generichash_update(&st, b, 8);
    }
    crypto_generichash_final(&st, d, 32);
}

void lbft_make_hdr(const lbft *l, uint8_t h[HDR], uint64_t height, const uint8_t parent[32], cp_time t, uint32_t prop, int imp,
                     const uint64_t *ids, uint32_t ntx)
{
    memset(h, 0, HDR);
    put64(h, height);
    memcpy(h + 8, parent, 32);
    put64(h + 40, t);
    for (int i = 0; i < 4; i++) h[48 + i] = (uint8_t)(prop >> (8 * i));
    h[52] = (uint8_t)imp;
    lbft_tx_digest(l, h + 56, ids, ntx);
}

int lbft_decode_check(const uint8_t *b, size_t len, uint32_t validators)
{
    if (len >= 1 && b[0] == LBFT_MSG_TX && len != TXLEN) { /* ledger mode: id, then a chain transaction */
        chain_tx tx;
        return len >= 9 + CHAIN_TX_FIXED && chain_tx_decode(b + 9, len - 9, &tx) == CHAIN_OK ? 0 : -1;
    }
    if (len >= 1 && b[0] == LBFT_MSG_TX) return !b[13] && !b[14] && !b[15] && !b[16] ? 0 : -1;
    if (len >= 1 && b[0] == LBFT_MSG_SYNC) return len == SYNCLEN && get64(b + 1) ? 0 : -1;
    uint32_t words = bm_words(validators);
    if (len < body_at(words, 0) + 4 || b[0] >= LBFT_N_MSG) return -1;
    const uint8_t *h = b + 1;
    if (h[52] > 1 || h[53] || h[54] || h[55]) return -1;
    if (validators % 64 && get64(b + SIGS_AT + 8 * (words - 1)) >> (validators % 64)) return -1; /* no bit >= n */
    uint32_t cnt = sig_count(b, words);
    if (len < body_at(words, cnt) + 4) return -1;
    uint32_t ntx = get32(b + body_at(words, cnt));
    if (ntx > 1000000 || len != body_at(words, cnt) + 4 + (size_t)ntx * 8) return -1;
    return 0;
}

/* ---- signatures --------------------------------------------------------------------- */

void lbft_prepare_msg(uint8_t m[39], const uint8_t hash[32])
{
    memcpy(m, "Prepare", 7);
    memcpy(m + 7, hash, 32);
}

void lbft_sign_as(lbft *l, cp_env *env, uint8_t sig[64], const void *msg, size_t len)
{
    if (ME < l->n + l->cfg.proposers) { /* validators' and proposers' keys are kept */
        cr_sign(sig, msg, len, &l->keys[ME]);
    } else {
        cr_keypair kp;
        cr_keypair_derive(&kp, l->cfg.seed, env->self);
        cr_sign(sig, msg, len, &kp);
    }
    cost_charge(env, l->cfg.costs, COST_SIGN, 1);
}

static int verify_cached(lbft *l, uint32_t signer, const uint8_t sig[64], const void *msg, size_t len)
{
    vcache_slot *c = l->vcache && len <= sizeof c->msg ? &l->vcache[2 * (size_t)signer + (len == 39)] : NULL;
    if (c && c->used && c->len == len && memcmp(c->sig, sig, 64) == 0 && memcmp(c->msg, msg, len) == 0)
        return c->valid;
    int ok = cr_verify(l->cfg.memo, sig, msg, len, l->keys[signer].pk) == CR_OK;
    if (c) {
        memcpy(c->msg, msg, len), memcpy(c->sig, sig, 64);
        c->len = (uint8_t)len, c->used = 1, c->valid = (uint8_t)ok;
    }
    return ok;
}

int lbft_verify_as(lbft *l, cp_env *env, uint32_t signer, const uint8_t sig[64], const void *msg, size_t len)
{
    cost_charge(env, l->cfg.costs, COST_VERIFY, 1);
    if (verify_cached(l, signer, sig, msg, len)) return 1;
    l->bad_sigs++;
    return 0;
}

int lbft_set_alloc(sigset *s, uint32_t n)
{
    s->have = calloc(bm_words(n), sizeof *s->have);
    s->sig = calloc(n, 64);
    return s->have && s->sig ? 0 : -1;
}

void lbft_set_clear(sigset *s, uint32_t n)
{
    memset(s->have, 0, bm_words(n) * sizeof *s->have);
    s->count = 0;
}

void lbft_set_free(sigset *s)
{
    free(s->have);
    free(s->sig);
}

void lbft_set_add(sigset *s, uint32_t idx, const uint8_t sig[64])
{
    if (s->have[idx / 64] >> (idx % 64) & 1) return;
    s->have[idx / 64] |= 1ull << (idx % 64);
    memcpy(s->sig[idx], sig, 64);
    s->count++;
}

/* Merge the signatures of a message into s, verifying each new one over msg: the new signers
 * are the message's bitmap minus s's, word by word; a signature's place is its bit's rank. */
void lbft_merge(lbft *l, cp_env *env, sigset *s, const uint8_t *b, size_t len, const void *msg, size_t mlen)
{
    uint32_t words = bm_words(l->n), before = 0;
    const uint8_t *sig = sigs_of(b, words);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t got = get64(b + SIGS_AT + 8 * w), fresh = got & ~s->have[w];
        for (; fresh; fresh &= fresh - 1) {
            uint32_t bit = (uint32_t)__builtin_ctzll(fresh), idx = w * 64 + bit;
            const uint8_t *e = sig + 64 * (size_t)(before + (uint32_t)__builtin_popcountll(got & ((1ull << bit) - 1)));
            if (lbft_verify_as(l, env, idx, e, msg, mlen)) lbft_set_add(s, idx, e);
        }
        before += (uint32_t)__builtin_popcountll(got);
    }
}


/* A message; a block message (ids != NULL) carries the transaction list, and its wire size
 * counts the full transactions (tx_size each) plus the block's fixed part. */
cp_msg *lbft_build(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal,
                     const sigset *s, const uint64_t *ids, uint32_t ntx)
{
    uint32_t words = bm_words(l->n), cnt = s ? s->count : 0, len = (uint32_t)body_at(words, cnt) + 4 + ntx * 8;
    uint64_t slots = (uint64_t)l->n * SLOT; /* on the wire: CPChain's fixed slots */
    uint64_t wire = ids ? (uint64_t)l->cfg.block_size + (uint64_t)ntx * l->cfg.tx_size + slots
                        : (uint64_t)SIGS_AT + slots + 4;
    cp_msg *m = env_msg_new(env, (uint16_t)type, len, (uint32_t)(wire > len ? (wire > UINT32_MAX ? UINT32_MAX : wire) : len));
    if (!m) return NULL;
    m->data[0] = (uint8_t)type;
    memcpy(m->data + 1, hdr, HDR);
    if (seal) memcpy(m->data + 1 + HDR, seal, SEAL);
    else memset(m->data + 1 + HDR, 0, SEAL);
    uint8_t *e = m->data + body_at(words, 0);
    for (uint32_t w = 0; w < words; w++) {
        uint64_t bits = s ? s->have[w] : 0;
        put64(m->data + SIGS_AT + 8 * w, bits);
        for (; bits; bits &= bits - 1, e += 64) memcpy(e, s->sig[w * 64 + (uint32_t)__builtin_ctzll(bits)], 64);
    }
    for (int k = 0; k < 4; k++) e[k] = (uint8_t)(ntx >> (8 * k));
    for (uint32_t i = 0; i < ntx; i++) put64(e + 4 + 8 * i, ids[i]);
    return m;
}

void lbft_bcast(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal, const sigset *s,
                  const uint64_t *ids, uint32_t ntx)
{
    cp_msg *m = lbft_build(l, env, type, hdr, seal, s, ids, ntx);
    if (!m) return;
    lbft_to_validators(l, env, m, hdr_height(hdr));
    env_msg_unref(env, m);
}

/* The transaction list of a block message, checked against the header's digest: its count,
 * and ids copied into *out (grown as needed). -1 if the list does not match the header. */
int lbft_body_ids(const lbft *l, const uint8_t *b, uint64_t **out, uint32_t *cap, uint32_t *n)
{
    const uint8_t *body = b + body_at(bm_words(l->n), sig_count(b, bm_words(l->n)));
    uint32_t ntx = get32(body);
    if (ntx > *cap) {
        uint64_t *a = realloc(*out, (size_t)ntx * sizeof *a);
        if (!a) return -1;
        *out = a, *cap = ntx;
    }
    for (uint32_t i = 0; i < ntx; i++) (*out)[i] = get64(body + 4 + 8 * i);
    *n = ntx;
    uint8_t d[32];
    lbft_tx_digest(l, d, *out, ntx);
    return memcmp(d, b + 1 + 56, 32) == 0 ? 0 : -1;
}

/* Does a block message carry a certificate: a quorum of valid commit signatures over its hash?
 * (Checked until the quorum is reached, each signature verified and charged.) */
int lbft_cert_ok(lbft *l, cp_env *env, const uint8_t *b, uint8_t hash[32])
{
    const uint8_t *hdr = b + 1;
    cr_hash(hash, hdr, HDR);
    uint32_t words = bm_words(l->n), k = 0, good = 0;
    const uint8_t *sig = sigs_of(b, words);
    for (uint32_t w = 0; w < words && (int)good < lbft_quorum(l, hdr_impeach(hdr)); w++)
        for (uint64_t bits = get64(b + SIGS_AT + 8 * w); bits && (int)good < lbft_quorum(l, hdr_impeach(hdr));
             bits &= bits - 1, k++)
            good += (uint32_t)lbft_verify_as(l, env, w * 64 + (uint32_t)__builtin_ctzll(bits), sig + 64 * (size_t)k, hash, 32);
    return (int)good >= lbft_quorum(l, hdr_impeach(hdr));
}
