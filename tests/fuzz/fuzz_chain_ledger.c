/* libFuzzer target for the ledger's contracts (core/chain/contract.c, ledger.c): the input is a
 * program of 4-byte operations, each one signed transaction of any kind (transfer, the six
 * trade kinds, escrow open/settle/refund, trace) from one of 4 accounts about one of 8 ids,
 * optionally closing the block. After every operation: balances + locked = the genesis
 * supply; locked = the prices of open trades + the amounts of open escrows (ids 0..7); a
 * failed call (CHAIN_R_STATE) took exactly its fee and nonce, any other failure nothing; the
 * state root changes whenever a transaction applied or a call failed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/chain/chain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N = 4, IDS = 8, BAL = 1000 };
static cr_keypair kp[N];

/* The transaction of op (unsigned): kind op[0] % 11, id op[1] % IDS, amount op[2]. */
static void build(chain_tx *t, const uint8_t *op, uint64_t height)
{
    uint32_t peer = op[3] & 3, proxies[2] = {op[3] >> 2 & 3, op[3] >> 4 & 3};
    uint64_t id = op[1] % IDS;
    uint8_t sig[CR_SIG_BYTES], h[CR_HASH_BYTES] = {op[2]};
    memset(t, 0, sizeof *t);
    switch (op[0] % 11) {
    case 0: t->kind = CHAIN_TX_TRANSFER, t->recipient = peer, t->amount = op[2]; break;
    case 1: chain_tx_set_order(t, id, peer, op[2], op + 3, op[3] & 1); break;
    case 2: chain_tx_set_confirm(t, id, proxies, proxies[0] == proxies[1] ? 1 : (op[3] >> 6) % 3); break;
    case 3: chain_tx_set_trade(t, CHAIN_TX_TRADE_PROXY_DELIVERED, id, NULL, 0); break;
    case 4: chain_tx_set_trade(t, CHAIN_TX_TRADE_BUYER_CONFIRM, id, NULL, 0); break;
    case 5: chain_tx_set_trade(t, CHAIN_TX_TRADE_DISPUTE, id, op, 2); break;
    case 6: chain_tx_set_trade(t, CHAIN_TX_TRADE_WITHDRAW, id, NULL, 0); break;
    case 7: chain_tx_set_escrow_open(t, id, peer, op[2], height + (op[3] >> 4)); break;
    case 8:
        chain_settle_sign(sig, id, op[2] / 2, &kp[peer]);
        chain_tx_set_escrow_settle(t, id, op[2] / 2, sig);
        break;
    case 9: chain_tx_set_escrow_refund(t, id); break;
    default: chain_tx_set_trace(t, id, peer, op[2], height, h); break;
    }
}

static uint64_t open_value(const chain_ledger *l)
{
    uint64_t v = 0;
    chain_trade t;
    chain_escrow e;
    for (uint64_t id = 0; id < IDS; id++) {
        if (chain_ledger_trade(l, id, &t) == CHAIN_OK && t.state <= CHAIN_TRADE_PROXY_DELIVERED) v += t.price;
        if (chain_ledger_escrow(l, id, &e) == CHAIN_OK && e.state == CHAIN_ESCROW_OPEN) v += e.amount;
    }
    return v;
}

static void check(chain_ledger *l, const chain_tx *t, chain_reason r, uint64_t bal0, uint64_t nonce0,
                  const uint8_t root0[CR_HASH_BYTES])
{
    uint64_t sum = chain_ledger_locked(l);
    uint8_t root[CR_HASH_BYTES];
    for (uint32_t i = 0; i < N; i++) sum += chain_ledger_balance(l, i);
    if (sum != (uint64_t)N * BAL || chain_ledger_locked(l) != open_value(l)) abort();
    uint64_t bal = chain_ledger_balance(l, t->sender), nonce = chain_ledger_nonce(l, t->sender);
    int took_fee = bal == bal0 - t->fee || t->sender == 0; /* 0 proposes: its fee comes back */
    if (r == CHAIN_R_STATE && (nonce != nonce0 + 1 || !took_fee)) abort();
    if (r != CHAIN_R_STATE && r != CHAIN_R_APPLIED && (nonce != nonce0 || bal != bal0)) abort();
    chain_ledger_state_root(l, root);
    if ((r == CHAIN_R_APPLIED || r == CHAIN_R_STATE) == !memcmp(root, root0, CR_HASH_BYTES)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    static chain_tx t;
    if (!init) {
        cr_init();
        for (uint32_t i = 0; i < N; i++) cr_keypair_derive(&kp[i], 3, i);
        init = 1;
    }
    chain_ledger *l = chain_ledger_new(N);
    if (!l) abort();
    for (uint32_t i = 0; i < N; i++) chain_ledger_genesis(l, i, BAL, kp[i].pk);
    chain_ledger_set_trade_timeout(l, 2);
    for (size_t at = 0; at + 4 <= size; at += 4) {
        const uint8_t *op = data + at;
        uint32_t from = op[0] / 11 % N;
        uint8_t root0[CR_HASH_BYTES];
        build(&t, op, chain_ledger_height(l));
        uint64_t nonce0 = chain_ledger_nonce(l, from), bal0 = chain_ledger_balance(l, from);
        t.sender = from, t.nonce = nonce0 - (op[1] >= 0xf0 && nonce0), t.fee = op[1] >> 6;
        chain_tx_sign(&t, &kp[from]);
        chain_ledger_state_root(l, root0);
        check(l, &t, chain_ledger_apply_tx(l, NULL, 0, &t), bal0, nonce0, root0);
        if (op[3] & 0x80) chain_ledger_apply_block(l, NULL, 0, NULL, 0, NULL);
    }
    chain_ledger_free(l);
    return 0;
}
