/* libFuzzer target for the mempool (core/chain/pool.c): the input is a program of 3-byte
 * operations (add an unsigned transfer with a small sender, nonce, fee and amount; pick;
 * pick and remove; prune; advance a sender's ledger nonce with a pre-signed transaction), run
 * on a pool of 8 slots against a ledger of 4 accounts. After every step the pool's self-check
 * must pass, and every pick must run each sender's nonces on from the ledger's and stay
 * within its balance. The pool does not verify signatures, so adds need none. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void add(chain_pool *p, const uint8_t *op, cr_keypair *kp)
{
    static chain_tx tx;
    uint8_t buf[CHAIN_TX_MAX];
    memset(&tx, 0, sizeof tx);
    tx.kind = CHAIN_TX_TRANSFER;
    tx.sender = op[0] & 3, tx.recipient = op[0] >> 2 & 3;
    tx.nonce = op[1] & 7, tx.fee = op[1] >> 3, tx.amount = op[2];
    memcpy(tx.sender_pk, kp[tx.sender].pk, CR_PK_BYTES); /* unsigned: zero signature */
    chain_pool_add(p, buf, chain_tx_encode(buf, &tx), NULL);
}

/* Picks up to 8 and checks them against the ledger view; drop: then removes them. */
static void pick(chain_pool *p, chain_ledger *l, int drop)
{
    chain_pool_item it[8];
    uint8_t ids[8][CR_HASH_BYTES];
    uint64_t spent[4] = {0}, next[4];
    size_t k = chain_pool_pick(p, l, it, 8);
    for (uint32_t s = 0; s < 4; s++) next[s] = chain_ledger_nonce(l, s);
    for (size_t i = 0; i < k; i++) {
        uint32_t s = it[i].sender;
        if (it[i].nonce != next[s]++) abort();
        spent[s] += it[i].amount + it[i].fee;
        if (spent[s] > chain_ledger_balance(l, s)) abort();
        memcpy(ids[i], it[i].hash, CR_HASH_BYTES);
    }
    if (drop) chain_pool_remove(p, (const uint8_t(*)[CR_HASH_BYTES])ids, k);
}

static cr_keypair kp[4];
static chain_tx signed_tx[4][8]; /* sender s, nonce n: s -> s+1, amount 1, fee 0 */
static cr_memo *memo;

static void setup(void)
{
    cr_init();
    memo = cr_memo_new(1, 8);
    for (uint32_t s = 0; s < 4; s++) {
        cr_keypair_derive(&kp[s], 1, s);
        for (uint32_t n = 0; n < 8; n++) {
            chain_tx *t = &signed_tx[s][n];
            t->kind = CHAIN_TX_TRANSFER, t->sender = s, t->recipient = (s + 1) & 3;
            t->nonce = n, t->amount = 1;
            chain_tx_sign(t, &kp[s]);
        }
    }
}

static void advance(chain_ledger *l, uint32_t s)
{
    uint64_t n = chain_ledger_nonce(l, s);
    if (n < 8 && chain_ledger_apply_tx(l, memo, 0, &signed_tx[s][n]) != CHAIN_R_APPLIED) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) setup(), init = 1;
    chain_pool *p = chain_pool_new(8);
    chain_ledger *l = chain_ledger_new(4);
    if (!p || !l) abort();
    for (uint32_t i = 0; i < 4; i++) chain_ledger_genesis(l, i, 300, kp[i].pk);
    for (size_t at = 0; at + 3 <= size; at += 3) {
        const uint8_t *op = data + at;
        switch (op[2] % 8) {
        case 0: pick(p, l, 0); break;
        case 1: pick(p, l, 1); break;
        case 2: chain_pool_prune(p, l); break;
        case 3: advance(l, op[0] & 3); break;
        default: add(p, op, kp); break;
        }
        if (chain_pool_check(p) != CHAIN_OK) abort();
    }
    chain_pool_free(p), chain_ledger_free(l);
    return 0;
}
