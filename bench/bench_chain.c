/* bench/bench_chain.c: throughput of core/chain on the host (not part of `make bench`; build
 * with `make bench/bench_chain`, run `bench/bench_chain [accounts] [block] [blocks]`).
 * Measures ledger set-up and memory for a large account table, mempool add and duplicate
 * receipt, pick, block apply with cold and warm signature memo (state root included), a
 * one-account state-root refresh, a Merkle root and block apply of contract transactions
 * (whole trades, settled escrows, traces); prints the raw Ed25519 verify rate of the
 * same binary as the ceiling for cold apply. Wall-clock timing is fine here: this is a host
 * benchmark, never part of a simulated run. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/chain/chain.h"

typedef struct setup {
    uint32_t n, block, blocks, senders;
    cr_keypair *kp;
    chain_tx *tx;
} setup;

static double wall(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb / 1024;
}

static chain_ledger *ledger(const setup *s)
{
    chain_ledger *l = chain_ledger_new(s->n);
    uint8_t root[CR_HASH_BYTES];
    for (uint32_t i = 0; l && i < s->n; i++) chain_ledger_genesis(l, i, 1000000, NULL);
    for (uint32_t i = 0; l && i < s->senders; i++) chain_ledger_bind_key(l, i, s->kp[i].pk);
    if (l) chain_ledger_state_root(l, root);
    return l;
}

/* blocks x block signed transfers; sender k*7919 mod senders, recipients spread over n. */
static int make_txs(setup *s)
{
    size_t total = (size_t)s->block * s->blocks;
    uint64_t *nonce = calloc(s->senders, sizeof *nonce);
    s->kp = malloc(s->senders * sizeof *s->kp);
    s->tx = calloc(total, sizeof *s->tx);
    if (!nonce || !s->kp || !s->tx) return free(nonce), -1;
    for (uint32_t i = 0; i < s->senders; i++) cr_keypair_derive(&s->kp[i], 1, i);
    for (size_t k = 0; k < total; k++) {
        chain_tx *t = &s->tx[k];
        uint32_t from = (uint32_t)(k * 7919u % s->senders);
        t->kind = CHAIN_TX_TRANSFER, t->sender = from;
        t->recipient = (uint32_t)(k * 104729u % s->n);
        t->nonce = nonce[from]++, t->amount = 10, t->fee = 1;
        chain_tx_sign(t, &s->kp[from]);
    }
    free(nonce);
    return 0;
}

static double raw_verify_rate(const setup *s)
{
    uint8_t h[CR_HASH_BYTES];
    double t = wall();
    int ok = 0;
    for (uint32_t i = 0; i < 2000; i++) {
        const chain_tx *x = &s->tx[i % s->block];
        chain_tx_sighash(h, x);
        ok += cr_verify_raw(x->sig, h, sizeof h, x->sender_pk) == CR_OK;
    }
    return ok / (wall() - t);
}

/* Pool of every transaction; per block: pick, apply, remove. */
static void pool_rounds(const setup *s, chain_ledger *l, cr_memo *memo)
{
    size_t total = (size_t)s->block * s->blocks;
    chain_pool *p = chain_pool_new((uint32_t)total);
    uint8_t (*enc)[CHAIN_TX_MAX] = malloc(total * CHAIN_TX_MAX), (*ids)[CR_HASH_BYTES] = malloc((size_t)s->block * CR_HASH_BYTES);
    size_t *len = malloc(total * sizeof *len);
    chain_pool_item *it = malloc(s->block * sizeof *it);
    chain_tx *blk = malloc(s->block * sizeof *blk);
    if (!p || !enc || !ids || !len || !it || !blk) goto out;
    for (size_t k = 0; k < total; k++) len[k] = chain_tx_encode(enc[k], &s->tx[k]);
    double t = wall();
    for (size_t k = 0; k < total; k++) chain_pool_add(p, enc[k], len[k], NULL);
    double add = wall() - t;
    t = wall();
    for (size_t k = 0; k < total; k++) chain_pool_add(p, enc[k], len[k], NULL);
    printf("pool add        %10.0f tx/s   duplicate receipt %10.0f /s\n", total / add, total / (wall() - t));
    double pick = 0, apply = 0, rm = 0;
    for (uint32_t b = 0; b < s->blocks; b++) {
        t = wall();
        size_t k = chain_pool_pick(p, l, it, s->block);
        pick += wall() - t;
        for (size_t i = 0; i < k; i++) chain_tx_decode(it[i].bytes, it[i].len, &blk[i]), memcpy(ids[i], it[i].hash, CR_HASH_BYTES);
        t = wall();
        chain_ledger_apply_block(l, memo, b % s->n, blk, k, NULL);
        apply += wall() - t;
        t = wall();
        chain_pool_remove(p, (const uint8_t(*)[CR_HASH_BYTES])ids, k);
        rm += wall() - t;
    }
    printf("pick %u of %zu   %10.3f ms/block   remove %.3f ms/block\n", s->block, total, pick / s->blocks * 1e3, rm / s->blocks * 1e3);
    printf("apply, memo cold %9.2f ms/block  %10.0f tx/s\n", apply / s->blocks * 1e3, total / apply);
out:
    chain_pool_free(p), free(enc), free(ids), free(len), free(it), free(blk);
}

static void warm_and_roots(const setup *s, cr_memo *memo)
{
    uint8_t root[CR_HASH_BYTES];
    chain_ledger *l = ledger(s);
    if (!l) return;
    double t = wall();
    for (uint32_t b = 0; b < s->blocks; b++)
        chain_ledger_apply_block(l, memo, b % s->n, s->tx + (size_t)b * s->block, s->block, NULL);
    double apply = wall() - t;
    printf("apply, memo warm %9.2f ms/block  %10.0f tx/s\n", apply / s->blocks * 1e3, (double)s->block * s->blocks / apply);
    t = wall();
    for (uint32_t i = 0; i < 100; i++) chain_ledger_genesis(l, i * 9973u % s->n, 5, NULL), chain_ledger_state_root(l, root);
    printf("state root, one account touched: %.3f ms\n", (wall() - t) / 100 * 1e3);
    chain_ledger_free(l);
    uint8_t (*lv)[CR_HASH_BYTES] = malloc((size_t)s->block * CR_HASH_BYTES);
    if (!lv) return;
    for (uint32_t i = 0; i < s->block; i++) chain_tx_hash(lv[i], &s->tx[i]);
    t = wall();
    for (int i = 0; i < 100; i++) chain_merkle_root(root, (const uint8_t(*)[CR_HASH_BYTES])lv, s->block);
    printf("merkle root of %u tx hashes: %.3f ms\n", s->block, (wall() - t) / 100 * 1e3);
    free(lv);
}

/* Appends to tx[*k] kind-specific payload signed by `from` with its next nonce. */
static void push(chain_tx *tx, size_t *k, uint64_t *nonce, const setup *s, uint32_t from)
{
    chain_tx *t = &tx[(*k)++];
    t->sender = from, t->nonce = nonce[from]++, t->fee = 1;
    chain_tx_sign(t, &s->kp[from]);
}

/* One round of pair j (buyer 2j, seller 2j+1, proxy 2j+2): a whole trade (order, confirm,
 * delivery, buyer confirm), an escrow opened and settled, a trace: 7 transactions, 8
 * signature checks. */
static void pair_round(chain_tx *tx, size_t *k, uint64_t *nonce, const setup *s, uint32_t j, uint64_t id)
{
    uint32_t b = 2 * j, sl = b + 1, px = (b + 2) % s->senders;
    uint8_t sig[CR_SIG_BYTES], h[CR_HASH_BYTES] = {1};
    chain_tx_set_order(&tx[*k], id, sl, 100, "data", 4), push(tx, k, nonce, s, b);
    chain_tx_set_confirm(&tx[*k], id, &px, 1), push(tx, k, nonce, s, sl);
    chain_tx_set_trade(&tx[*k], CHAIN_TX_TRADE_PROXY_DELIVERED, id, NULL, 0), push(tx, k, nonce, s, px);
    chain_tx_set_trade(&tx[*k], CHAIN_TX_TRADE_BUYER_CONFIRM, id, NULL, 0), push(tx, k, nonce, s, b);
    chain_tx_set_escrow_open(&tx[*k], id, sl, 50, 1000), push(tx, k, nonce, s, b);
    chain_settle_sign(sig, id, 30, &s->kp[b]);
    chain_tx_set_escrow_settle(&tx[*k], id, 30, sig), push(tx, k, nonce, s, sl);
    chain_tx_set_trace(&tx[*k], id, sl, 1, id, h), push(tx, k, nonce, s, b);
}

/* Contract transactions: one block per round, every pair runs pair_round; memo cold. */
static void contracts(const setup *s, uint32_t rounds)
{
    uint32_t pairs = s->senders / 2;
    size_t per = 7 * (size_t)pairs, k = 0;
    chain_tx *tx = calloc(per * rounds, sizeof *tx);
    uint64_t *nonce = calloc(s->senders, sizeof *nonce);
    chain_ledger *l = ledger(s);
    cr_memo *memo = cr_memo_new(1, 20);
    if (!tx || !nonce || !l || !memo) goto out;
    for (uint32_t r = 0; r < rounds; r++)
        for (uint32_t j = 0; j < pairs; j++) pair_round(tx, &k, nonce, s, j, (uint64_t)r * pairs + j);
    double t = wall();
    for (uint32_t r = 0; r < rounds; r++) chain_ledger_apply_block(l, memo, r % s->n, tx + r * per, per, NULL);
    double apply = wall() - t;
    const chain_block_stats *st = chain_ledger_totals(l);
    printf("contracts, memo cold %7.2f ms/block of %zu  %10.0f tx/s  (%" PRIu64 " applied of %zu, %.2f sigchecks/tx)\n",
           apply / rounds * 1e3, per, (double)k / apply, st->count[CHAIN_R_APPLIED], k, (double)st->sigchecks / (double)k);
out:
    free(tx), free(nonce), chain_ledger_free(l), cr_memo_free(memo);
}

int main(int argc, char **argv)
{
    setup s = {1000000, 1000, 10, 1000, NULL, NULL};
    if (argc > 1) s.n = (uint32_t)strtoul(argv[1], NULL, 10);
    if (argc > 2) s.block = (uint32_t)strtoul(argv[2], NULL, 10);
    if (argc > 3) s.blocks = (uint32_t)strtoul(argv[3], NULL, 10);
    if (s.n < s.senders || !s.block || !s.blocks || cr_init() != CR_OK || make_txs(&s)) return 1;
    long base = rss_mb();
    double t = wall();
    chain_ledger *l = ledger(&s);
    if (!l) return 1;
    printf("ledger %u accounts: set-up and first root %.3f s, +%ld MB\n", s.n, wall() - t, rss_mb() - base);
    cr_memo *memo = cr_memo_new(1, 20);
    pool_rounds(&s, l, memo);
    warm_and_roots(&s, memo);
    contracts(&s, s.blocks);
    printf("ceiling: raw Ed25519 verify %.0f /s on this host\n", raw_verify_rate(&s));
    chain_ledger_free(l), cr_memo_free(memo), free(s.kp), free(s.tx);
    return 0;
}
