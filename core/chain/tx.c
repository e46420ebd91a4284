/* core/chain/tx.c: the canonical little-endian wire form of a transaction, its strict
 * decoder, its id and its Ed25519 signature, the payload builders and the escrow settlement
 * digest (contract in chain.h). Invariant: every accepted
 * byte string re-encodes to itself (one encoding per transaction), and the decoder writes its
 * output only after every check passed and never reads outside [in, in + len). */
#include "core/chain/chain.h"
#include "core/chain/chain_int.h"

#include <string.h>

const char *chain_strerror(int err)
{
    switch (err) {
    case CHAIN_OK: return "ok";
    case CHAIN_EDECODE: return "malformed transaction bytes";
    case CHAIN_EPARAM: return "bad parameter";
    case CHAIN_ENOMEM: return "out of memory";
    case CHAIN_EINVALID: return "signature or proof does not verify";
    case CHAIN_EDUP: return "duplicate";
    case CHAIN_EFULL: return "pool full";
    default: return "unknown error";
    }
}

size_t chain_tx_size(const chain_tx *tx) { return CHAIN_TX_FIXED + (size_t)tx->payload_len; }

/* The signed part: everything before the signature. */
static size_t encode_body(uint8_t *out, const chain_tx *tx)
{
    out[0] = tx->kind;
    chain_put32(out + 1, tx->sender);
    memcpy(out + 5, tx->sender_pk, CR_PK_BYTES);
    chain_put32(out + 37, tx->recipient);
    chain_put64(out + 41, tx->nonce), chain_put64(out + 49, tx->amount), chain_put64(out + 57, tx->fee);
    chain_put16(out + 65, tx->payload_len);
    memcpy(out + 67, tx->payload, tx->payload_len);
    return CHAIN_TX_SIGNED_PART(tx->payload_len);
}

size_t chain_tx_encode(uint8_t *out, const chain_tx *tx)
{
    size_t n = encode_body(out, tx);
    memcpy(out + n, tx->sig, CR_SIG_BYTES);
    return n + CR_SIG_BYTES;
}

static int distinct_ids(const uint8_t *p, size_t k)
{
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            if (chain_get32(p + 4 * i) == chain_get32(p + 4 * j)) return 0;
    return 1;
}

/* Bytes after a trade kind's order id (chain.h payload rules). */
static int trade_tail_ok(uint8_t kind, const uint8_t *p, size_t len)
{
    if (kind == CHAIN_TX_TRADE_WITHDRAW) return len == 0;
    if (kind != CHAIN_TX_TRADE_CONFIRM) return len <= CHAIN_PAYLOAD_MAX - 8;
    return len % 4 == 0 && len / 4 <= CHAIN_TRADE_PROXIES_MAX && distinct_ids(p, len / 4);
}

/* Kind-specific payload rules (see chain.h). */
static int payload_ok(uint8_t kind, const uint8_t *p, size_t plen, uint32_t recipient, uint64_t amount)
{
    int no_value = recipient == 0 && amount == 0;
    switch (kind) {
    case CHAIN_TX_TRANSFER: return plen == 0;
    case CHAIN_TX_DATA_RECORD: {
        if (!no_value || plen < CHAIN_RECORD_HDR) return 0;
        uint16_t nch = chain_get16(p + 16);
        return nch >= 1 && nch <= CHAIN_RECORD_CHUNKS_MAX && plen == CHAIN_RECORD_HDR + (size_t)nch * CR_HASH_BYTES;
    }
    case CHAIN_TX_TRADE_ORDER: return plen >= 8;
    case CHAIN_TX_TRADE_CONFIRM:
    case CHAIN_TX_TRADE_PROXY_DELIVERED:
    case CHAIN_TX_TRADE_BUYER_CONFIRM:
    case CHAIN_TX_TRADE_DISPUTE:
    case CHAIN_TX_TRADE_WITHDRAW: return no_value && plen >= 8 && trade_tail_ok(kind, p + 8, plen - 8);
    case CHAIN_TX_ESCROW_OPEN: return plen == CHAIN_ESCROW_OPEN_LEN && chain_get32(p + 8) == recipient;
    case CHAIN_TX_ESCROW_SETTLE: return no_value && plen == CHAIN_ESCROW_SETTLE_LEN && cr_scalar_ok(p + 48);
    case CHAIN_TX_ESCROW_REFUND: return no_value && plen == 8;
    case CHAIN_TX_TRACE: return no_value && plen == CHAIN_TRACE_LEN;
    default: return 0;
    }
}

int chain_tx_decode(const uint8_t *in, size_t len, chain_tx *tx)
{
    if (!in || len < CHAIN_TX_FIXED) return CHAIN_EDECODE;
    uint16_t plen = chain_get16(in + 65);
    if (plen > CHAIN_PAYLOAD_MAX || len != CHAIN_TX_FIXED + (size_t)plen) return CHAIN_EDECODE;
    uint32_t recipient = chain_get32(in + 37);
    uint64_t amount = chain_get64(in + 49);
    if (!payload_ok(in[0], in + 67, plen, recipient, amount)) return CHAIN_EDECODE;
    const uint8_t *sig = in + 67 + plen;
    if (!cr_scalar_ok(sig + 32)) return CHAIN_EDECODE; /* S < L: no malleable twin */
    tx->kind = in[0];
    tx->sender = chain_get32(in + 1);
    memcpy(tx->sender_pk, in + 5, CR_PK_BYTES);
    tx->recipient = recipient;
    tx->nonce = chain_get64(in + 41), tx->amount = amount, tx->fee = chain_get64(in + 57);
    tx->payload_len = plen;
    memcpy(tx->payload, in + 67, plen);
    memcpy(tx->sig, sig, CR_SIG_BYTES);
    return CHAIN_OK;
}

void chain_tx_hash(uint8_t out[CR_HASH_BYTES], const chain_tx *tx)
{
    uint8_t buf[CHAIN_TX_MAX];
    cr_hash(out, buf, chain_tx_encode(buf, tx));
}

void chain_tx_sighash(uint8_t out[CR_HASH_BYTES], const chain_tx *tx)
{
    uint8_t buf[CHAIN_TX_MAX];
    cr_hash(out, buf, encode_body(buf, tx));
}

void chain_tx_sign(chain_tx *tx, const cr_keypair *kp)
{
    uint8_t h[CR_HASH_BYTES];
    memcpy(tx->sender_pk, kp->pk, CR_PK_BYTES);
    chain_tx_sighash(h, tx);
    cr_sign(tx->sig, h, sizeof h, kp);
}

int chain_tx_verify(const chain_tx *tx, cr_memo *memo)
{
    uint8_t h[CR_HASH_BYTES];
    chain_tx_sighash(h, tx);
    int r = memo ? cr_verify(memo, tx->sig, h, sizeof h, tx->sender_pk)
                 : cr_verify_raw(tx->sig, h, sizeof h, tx->sender_pk);
    return r == CR_OK ? CHAIN_OK : CHAIN_EINVALID;
}

int chain_tx_set_record(chain_tx *tx, uint32_t owner, uint32_t stream, uint64_t interval,
                        const uint8_t (*chunks)[CR_HASH_BYTES], uint16_t nchunks)
{
    if (nchunks < 1 || nchunks > CHAIN_RECORD_CHUNKS_MAX) return CHAIN_EPARAM;
    tx->kind = CHAIN_TX_DATA_RECORD;
    tx->recipient = 0, tx->amount = 0;
    chain_put32(tx->payload, owner), chain_put32(tx->payload + 4, stream), chain_put64(tx->payload + 8, interval);
    chain_put16(tx->payload + 16, nchunks);
    memcpy(tx->payload + CHAIN_RECORD_HDR, chunks, (size_t)nchunks * CR_HASH_BYTES);
    tx->payload_len = (uint16_t)(CHAIN_RECORD_HDR + nchunks * CR_HASH_BYTES);
    return CHAIN_OK;
}

int chain_tx_set_trade(chain_tx *tx, chain_kind kind, uint64_t order, const void *data, size_t len)
{
    if (kind < CHAIN_TX_TRADE_ORDER || kind > CHAIN_TX_TRADE_WITHDRAW || (len && !data) ||
        !trade_tail_ok((uint8_t)kind, data, len))
        return CHAIN_EPARAM;
    tx->kind = (uint8_t)kind;
    if (kind != CHAIN_TX_TRADE_ORDER) tx->recipient = 0, tx->amount = 0;
    chain_put64(tx->payload, order);
    if (len) memcpy(tx->payload + 8, data, len);
    tx->payload_len = (uint16_t)(8 + len);
    return CHAIN_OK;
}

int chain_tx_set_order(chain_tx *tx, uint64_t order, uint32_t seller, uint64_t price, const void *what,
                       size_t len)
{
    if (chain_tx_set_trade(tx, CHAIN_TX_TRADE_ORDER, order, what, len) != CHAIN_OK) return CHAIN_EPARAM;
    tx->recipient = seller, tx->amount = price;
    return CHAIN_OK;
}

int chain_tx_set_confirm(chain_tx *tx, uint64_t order, const uint32_t *proxies, size_t nproxies)
{
    uint8_t ids[4 * CHAIN_TRADE_PROXIES_MAX];
    if (nproxies > CHAIN_TRADE_PROXIES_MAX || (nproxies && !proxies)) return CHAIN_EPARAM;
    for (size_t i = 0; i < nproxies; i++) chain_put32(ids + 4 * i, proxies[i]);
    return chain_tx_set_trade(tx, CHAIN_TX_TRADE_CONFIRM, order, ids, 4 * nproxies);
}

/* Sets a no-value kind with a fixed payload. */
static void set_fixed(chain_tx *tx, chain_kind kind, const uint8_t *p, uint16_t len)
{
    tx->kind = (uint8_t)kind, tx->recipient = 0, tx->amount = 0;
    memcpy(tx->payload, p, len);
    tx->payload_len = len;
}

int chain_tx_set_escrow_open(chain_tx *tx, uint64_t id, uint32_t payee, uint64_t amount, uint64_t expiry)
{
    tx->kind = CHAIN_TX_ESCROW_OPEN, tx->recipient = payee, tx->amount = amount;
    chain_put64(tx->payload, id), chain_put32(tx->payload + 8, payee), chain_put64(tx->payload + 12, expiry);
    tx->payload_len = CHAIN_ESCROW_OPEN_LEN;
    return CHAIN_OK;
}

int chain_tx_set_escrow_settle(chain_tx *tx, uint64_t id, uint64_t pay, const uint8_t payer_sig[CR_SIG_BYTES])
{
    uint8_t p[CHAIN_ESCROW_SETTLE_LEN];
    if (!cr_scalar_ok(payer_sig + 32)) return CHAIN_EPARAM;
    chain_put64(p, id), chain_put64(p + 8, pay);
    memcpy(p + 16, payer_sig, CR_SIG_BYTES);
    set_fixed(tx, CHAIN_TX_ESCROW_SETTLE, p, sizeof p);
    return CHAIN_OK;
}

int chain_tx_set_escrow_refund(chain_tx *tx, uint64_t id)
{
    uint8_t p[8];
    chain_put64(p, id);
    set_fixed(tx, CHAIN_TX_ESCROW_REFUND, p, sizeof p);
    return CHAIN_OK;
}

int chain_tx_set_trace(chain_tx *tx, uint64_t parcel, uint32_t hub, uint8_t event, uint64_t time,
                       const uint8_t hash[CR_HASH_BYTES])
{
    uint8_t p[CHAIN_TRACE_LEN];
    chain_put64(p, parcel), chain_put32(p + 8, hub), p[12] = event, chain_put64(p + 13, time);
    memcpy(p + 21, hash, CR_HASH_BYTES);
    set_fixed(tx, CHAIN_TX_TRACE, p, sizeof p);
    return CHAIN_OK;
}

void chain_settle_digest(uint8_t out[CR_HASH_BYTES], uint64_t id, uint64_t pay)
{
    static const char tag[] = "cpsim-settle";
    uint8_t buf[sizeof tag - 1 + 16];
    memcpy(buf, tag, sizeof tag - 1);
    chain_put64(buf + sizeof tag - 1, id), chain_put64(buf + sizeof tag - 1 + 8, pay);
    cr_hash(out, buf, sizeof buf);
}

void chain_settle_sign(uint8_t sig[CR_SIG_BYTES], uint64_t id, uint64_t pay, const cr_keypair *payer)
{
    uint8_t h[CR_HASH_BYTES];
    chain_settle_digest(h, id, pay);
    cr_sign(sig, h, sizeof h, payer);
}
