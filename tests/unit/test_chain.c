/* Unit tests for core/chain: the transaction wire form round-trips and its decoder rejects
 * truncated, extended, unknown-kind, oversize and non-canonical inputs; signatures catch any
 * tampering; Merkle roots match values computed by hand, proofs verify and tampered ones fail;
 * the ledger moves balances, pays fees to the proposer and skips invalid transactions by
 * reason; the mempool deduplicates, holds nonce gaps, evicts by fee and picks deterministically. */
#include "core/chain/chain.h"
#include "tests/harness.h"

#define SEED 7

/* A signed transfer from `from` (keys of SEED) to `to`. */
static void mk_transfer(chain_tx *tx, uint32_t from, uint32_t to, uint64_t nonce, uint64_t amount,
                        uint64_t fee)
{
    cr_keypair kp;
    memset(tx, 0, sizeof *tx);
    tx->kind = CHAIN_TX_TRANSFER;
    tx->sender = from, tx->recipient = to;
    tx->nonce = nonce, tx->amount = amount, tx->fee = fee;
    cr_keypair_derive(&kp, SEED, from);
    chain_tx_sign(tx, &kp);
}

static void mk_record(chain_tx *tx, uint32_t from, uint64_t nonce, uint32_t stream, uint64_t interval,
                      uint16_t nchunks)
{
    cr_keypair kp;
    uint8_t ch[4][32];
    memset(tx, 0, sizeof *tx);
    for (int i = 0; i < 4; i++) cr_hash(ch[i], &i, sizeof i);
    tx->sender = from, tx->nonce = nonce, tx->fee = 1;
    chain_tx_set_record(tx, from, stream, interval, (const uint8_t(*)[32])ch, nchunks);
    cr_keypair_derive(&kp, SEED, from);
    chain_tx_sign(tx, &kp);
}

static int tx_equal(const chain_tx *a, const chain_tx *b)
{
    uint8_t x[CHAIN_TX_MAX], y[CHAIN_TX_MAX];
    size_t n = chain_tx_encode(x, a), m = chain_tx_encode(y, b);
    return n == m && !memcmp(x, y, n);
}

static void t_tx_roundtrip(void)
{
    chain_tx a, b, c;
    uint8_t buf[CHAIN_TX_MAX];
    REQUIRE(cr_init() == CR_OK);
    mk_transfer(&a, 1, 2, 0, 100, 3);
    size_t n = chain_tx_encode(buf, &a);
    CHECK_EQ_U64(n, CHAIN_TX_FIXED);
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_OK && tx_equal(&a, &b));
    mk_record(&a, 3, 5, 9, 42, 3);
    n = chain_tx_encode(buf, &a);
    CHECK_EQ_U64(n, CHAIN_TX_FIXED + CHAIN_RECORD_HDR + 3 * 32);
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_OK && tx_equal(&a, &b));
    memset(&c, 0, sizeof c);
    REQUIRE(chain_tx_set_trade(&c, CHAIN_TX_TRADE_DISPUTE, 77, "why", 3) == CHAIN_OK);
    n = chain_tx_encode(buf, &c);
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_OK && tx_equal(&c, &b));
    CHECK_EQ_U64(b.payload_len, 11);
}

static void t_tx_reject(void)
{
    chain_tx a, b;
    uint8_t buf[CHAIN_TX_MAX + 8];
    REQUIRE(cr_init() == CR_OK);
    mk_record(&a, 3, 0, 1, 1, 2);
    size_t n = chain_tx_encode(buf, &a);
    for (size_t k = 0; k < n; k++) CHECK(chain_tx_decode(buf, k, &b) == CHAIN_EDECODE); /* truncated */
    buf[n] = 0;
    CHECK(chain_tx_decode(buf, n + 1, &b) == CHAIN_EDECODE); /* trailing */
    CHECK(chain_tx_decode(NULL, 0, &b) == CHAIN_EDECODE);
    for (unsigned kind = 0; kind < 256; kind++) { /* only data_record fits this payload */
        buf[0] = (uint8_t)kind;
        int want = kind == CHAIN_TX_DATA_RECORD || (kind >= CHAIN_TX_TRADE_ORDER && kind <= CHAIN_TX_KIND_MAX);
        CHECK((chain_tx_decode(buf, n, &b) == CHAIN_OK) == want);
    }
    buf[0] = CHAIN_TX_DATA_RECORD;
    buf[67 + 16] = 3; /* chunk count disagrees with the payload length */
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_EDECODE);
    buf[67 + 16] = 2;
    buf[49] = 1; /* a data record moving value */
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_EDECODE);
    buf[49] = 0;
    buf[n - 1] = 0xff; /* S >= L */
    CHECK(chain_tx_decode(buf, n, &b) == CHAIN_EDECODE);
    /* oversize payload: length field 1025 with 1025 bytes present */
    static uint8_t big[CHAIN_TX_FIXED + CHAIN_PAYLOAD_MAX + 1];
    memset(big, 0, sizeof big);
    big[0] = CHAIN_TX_TRADE_ORDER, big[65] = (CHAIN_PAYLOAD_MAX + 1) & 0xff, big[66] = (CHAIN_PAYLOAD_MAX + 1) >> 8;
    CHECK(chain_tx_decode(big, sizeof big, &b) == CHAIN_EDECODE);
    big[65] = CHAIN_PAYLOAD_MAX & 0xff, big[66] = CHAIN_PAYLOAD_MAX >> 8;
    CHECK(chain_tx_decode(big, sizeof big - 1, &b) == CHAIN_OK); /* the largest one is fine */
    mk_transfer(&a, 1, 2, 0, 1, 1);
    n = chain_tx_encode(buf, &a);
    buf[65] = 1, buf[n] = 0; /* a transfer with a payload */
    CHECK(chain_tx_decode(buf, n + 1, &b) == CHAIN_EDECODE);
}

static void t_tx_signature(void)
{
    chain_tx a, b;
    uint8_t buf[CHAIN_TX_MAX];
    cr_memo *m = cr_memo_new(1, 8);
    REQUIRE(cr_init() == CR_OK && m);
    mk_record(&a, 4, 1, 2, 3, 1);
    CHECK(chain_tx_verify(&a, m) == CHAIN_OK && chain_tx_verify(&a, NULL) == CHAIN_OK);
    size_t n = chain_tx_encode(buf, &a);
    int caught = 0, total = 0;
    for (size_t i = 0; i < n * 8; i++) { /* every single-bit flip is rejected or fails */
        buf[i / 8] ^= (uint8_t)(1u << (i % 8));
        total++;
        caught += chain_tx_decode(buf, n, &b) != CHAIN_OK || chain_tx_verify(&b, m) != CHAIN_OK;
        buf[i / 8] ^= (uint8_t)(1u << (i % 8));
    }
    CHECK_EQ_U64(caught, total);
    b = a;
    b.amount = 0, b.fee++;
    CHECK(chain_tx_verify(&b, m) == CHAIN_EINVALID);
    uint8_t h1[32], h2[32];
    chain_tx_hash(h1, &a), chain_tx_hash(h2, &b);
    CHECK(memcmp(h1, h2, 32) != 0);
    cr_memo_free(m);
}

/* The fuzz property on deterministic mutations of valid encodings (CI runs this without
 * clang): accepted bytes re-encode to themselves; truncations and extensions are rejected. */
static void t_tx_mutations(void)
{
    chain_tx seeds[3], t;
    uint8_t buf[CHAIN_TX_MAX + 1], out[CHAIN_TX_MAX];
    uint64_t x = 0x9e3779b97f4a7c15ull, accepted = 0;
    REQUIRE(cr_init() == CR_OK);
    mk_transfer(&seeds[0], 1, 2, 3, 4, 5);
    mk_record(&seeds[1], 3, 0, 1, 1, 4);
    memset(&seeds[2], 0, sizeof seeds[2]);
    chain_tx_set_trade(&seeds[2], CHAIN_TX_TRADE_ORDER, 9, "order", 5);
    for (int i = 0; i < 30000; i++) {
        size_t n = chain_tx_encode(buf, &seeds[i % 3]);
        for (int f = 0; f < 1 + i % 4; f++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[(x >> 16) % n] ^= (uint8_t)(1u << (x % 8));
        }
        if (i % 7 == 0) n -= (x >> 40) % 3; /* a truncation (or not) */
        if (chain_tx_decode(buf, n, &t) != CHAIN_OK) continue;
        accepted++;
        size_t m = chain_tx_encode(out, &t);
        CHECK(m == n && !memcmp(out, buf, n));
        CHECK(chain_tx_decode(out, m, &t) == CHAIN_OK);
        if (n < CHAIN_TX_MAX) CHECK(chain_tx_decode(buf, n + 1, &t) == CHAIN_EDECODE);
    }
    CHECK(accepted > 1000);
}

static void hpar(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
    uint8_t b[65];
    b[0] = 1;
    memcpy(b + 1, l, 32), memcpy(b + 33, r, 32);
    cr_hash(out, b, 65);
}

static void t_merkle_known(void)
{
    uint8_t lv[5][32], root[32], want[32], ab[32], cd[32], abcd[32];
    REQUIRE(cr_init() == CR_OK);
    for (int i = 0; i < 5; i++) memset(lv[i], 'a' + i, 32);
    const uint8_t(*L)[32] = (const uint8_t(*)[32])lv;
    CHECK(chain_merkle_root(root, L, 0) == CHAIN_OK);
    cr_hash(want, NULL, 0);
    CHECK(!memcmp(root, want, 32));
    CHECK(chain_merkle_root(root, L, 1) == CHAIN_OK && !memcmp(root, lv[0], 32));
    hpar(ab, lv[0], lv[1]);
    CHECK(chain_merkle_root(root, L, 2) == CHAIN_OK && !memcmp(root, ab, 32));
    hpar(want, ab, lv[2]); /* c promoted */
    CHECK(chain_merkle_root(root, L, 3) == CHAIN_OK && !memcmp(root, want, 32));
    hpar(cd, lv[2], lv[3]);
    hpar(abcd, ab, cd);
    hpar(want, abcd, lv[4]); /* e promoted twice */
    CHECK(chain_merkle_root(root, L, 5) == CHAIN_OK && !memcmp(root, want, 32));
    CHECK(chain_merkle_root(root, L, 4) == CHAIN_OK && !memcmp(root, abcd, 32));
}

static void t_merkle_proofs(void)
{
    enum { N = 37 };
    uint8_t lv[N][32], root[32], path[CHAIN_MERKLE_DEPTH_MAX][32];
    size_t depth;
    REQUIRE(cr_init() == CR_OK);
    for (int i = 0; i < N; i++) cr_hash(lv[i], &i, sizeof i);
    const uint8_t(*L)[32] = (const uint8_t(*)[32])lv;
    const uint8_t(*P)[32] = (const uint8_t(*)[32])path;
    for (size_t n = 1; n <= N; n++) {
        REQUIRE(chain_merkle_root(root, L, n) == CHAIN_OK);
        for (size_t i = 0; i < n; i++) {
            REQUIRE(chain_merkle_proof(path, &depth, L, n, i) == CHAIN_OK);
            CHECK(chain_merkle_verify(root, lv[i], i, n, P, depth) == CHAIN_OK);
            CHECK(chain_merkle_verify(root, lv[(i + 1) % N], i, n, P, depth) == CHAIN_EINVALID);
            if (n > 1) CHECK(chain_merkle_verify(root, lv[i], (i + 1) % n, n, P, depth) == CHAIN_EINVALID);
            if (depth) {
                path[depth / 2][3] ^= 0x10; /* tampered sibling */
                CHECK(chain_merkle_verify(root, lv[i], i, n, P, depth) == CHAIN_EINVALID);
                path[depth / 2][3] ^= 0x10;
                CHECK(chain_merkle_verify(root, lv[i], i, n, P, depth - 1) == CHAIN_EINVALID);
            }
            CHECK(chain_merkle_verify(root, lv[i], i, n, P, depth + 1) == CHAIN_EINVALID);
        }
    }
    CHECK(chain_merkle_proof(path, &depth, L, 3, 3) == CHAIN_EPARAM);
}

/* A ledger of n accounts, keys of SEED bound for ids < keyed, balance `bal` each. */
static chain_ledger *mk_ledger(uint32_t n, uint32_t keyed, uint64_t bal)
{
    chain_ledger *l = chain_ledger_new(n);
    cr_keypair kp;
    for (uint32_t i = 0; l && i < keyed; i++) {
        cr_keypair_derive(&kp, SEED, i);
        if (chain_ledger_genesis(l, i, bal, kp.pk) != CHAIN_OK) return chain_ledger_free(l), NULL;
    }
    return l;
}

static void t_ledger_transfers(void)
{
    enum { P = 9 }; /* the proposer */
    chain_tx tx[6];
    chain_block_stats st;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = mk_ledger(300, 10, 1000);
    REQUIRE(l);
    mk_transfer(&tx[0], 1, 2, 0, 100, 5);
    mk_transfer(&tx[1], 1, 3, 1, 50, 5);
    mk_transfer(&tx[2], 1, 3, 1, 50, 5);      /* replayed nonce */
    mk_transfer(&tx[3], 2, 299, 0, 1101, 0);  /* overspend: 1100 available */
    mk_transfer(&tx[4], 4, 5, 0, 10, 1);
    tx[4].amount = 11;                         /* tampered after signing */
    mk_transfer(&tx[5], 3, 7, 2, 1, 1);        /* future nonce */
    REQUIRE(chain_ledger_apply_block(l, NULL, P, tx, 6, &st) == CHAIN_OK);
    CHECK_EQ_U64(st.count[CHAIN_R_APPLIED], 2);
    CHECK_EQ_U64(st.count[CHAIN_R_NONCE], 2);
    CHECK_EQ_U64(st.count[CHAIN_R_FUNDS], 1);
    CHECK_EQ_U64(st.count[CHAIN_R_SIG], 1);
    CHECK_EQ_U64(st.fees, 10);
    CHECK_EQ_U64(st.sigchecks, 3); /* the two applied and the tampered one */
    CHECK_EQ_U64(chain_ledger_balance(l, 1), 1000 - 160);
    CHECK_EQ_U64(chain_ledger_balance(l, 2), 1100);
    CHECK_EQ_U64(chain_ledger_balance(l, 3), 1050);
    CHECK_EQ_U64(chain_ledger_balance(l, P), 1010);
    CHECK_EQ_U64(chain_ledger_nonce(l, 1), 2);
    CHECK_EQ_U64(chain_ledger_height(l), 1);
    /* unkeyed sender, out-of-range recipient, exact spend */
    mk_transfer(&tx[0], 20, 1, 0, 0, 0);
    mk_transfer(&tx[1], 2, 300, 0, 1, 0);
    mk_transfer(&tx[2], 2, 299, 0, 1090, 10);
    mk_transfer(&tx[3], 1, 2, 0, 1, 0); /* nonce 0 again: replay of an applied one */
    REQUIRE(chain_ledger_apply_block(l, NULL, P, tx, 4, &st) == CHAIN_OK);
    CHECK_EQ_U64(st.count[CHAIN_R_KEY], 1);
    CHECK_EQ_U64(st.count[CHAIN_R_ACCOUNT], 1);
    CHECK_EQ_U64(st.count[CHAIN_R_APPLIED], 1);
    CHECK_EQ_U64(st.count[CHAIN_R_NONCE], 1);
    CHECK_EQ_U64(chain_ledger_balance(l, 2), 0);
    CHECK_EQ_U64(chain_ledger_balance(l, 299), 1090);
    CHECK_EQ_U64(chain_ledger_totals(l)->count[CHAIN_R_APPLIED], 3);
    CHECK_EQ_U64(chain_ledger_totals(l)->fees, 20);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < 300; i++) sum += chain_ledger_balance(l, i);
    CHECK_EQ_U64(sum, 10000); /* value is conserved */
    CHECK(chain_ledger_apply_block(l, NULL, 300, tx, 0, NULL) == CHAIN_EPARAM);
    CHECK(chain_ledger_genesis(l, 0, UINT64_MAX, NULL) == CHAIN_EPARAM); /* supply overflow */
    chain_ledger_free(l);
}

static void t_ledger_keys(void)
{
    chain_tx tx;
    cr_keypair other;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = chain_ledger_new(10), *m = chain_ledger_new(10);
    REQUIRE(l && m);
    for (uint32_t i = 0; i < 10; i++) chain_ledger_genesis(l, i, 100, NULL), chain_ledger_genesis(m, i, 100, NULL);
    mk_transfer(&tx, 5, 1, 0, 1, 1);
    CHECK(chain_ledger_apply_tx(l, NULL, 0, &tx) == CHAIN_R_KEY); /* unbound */
    chain_ledger_bind_on_first_use(l, 1);
    CHECK(chain_ledger_apply_tx(l, NULL, 0, &tx) == CHAIN_R_APPLIED);
    cr_keypair_derive(&other, SEED, 6); /* 5's key is now bound: 6's key is refused */
    mk_transfer(&tx, 5, 1, 1, 1, 1);
    chain_tx_sign(&tx, &other);
    CHECK(chain_ledger_apply_tx(l, NULL, 0, &tx) == CHAIN_R_KEY);
    CHECK(chain_ledger_bind_key(l, 5, other.pk) == CHAIN_EPARAM);
    /* binding explicitly or on first use gives the same state */
    cr_keypair kp;
    cr_keypair_derive(&kp, SEED, 5);
    CHECK(chain_ledger_bind_key(m, 5, kp.pk) == CHAIN_OK && chain_ledger_bind_key(m, 5, kp.pk) == CHAIN_OK);
    mk_transfer(&tx, 5, 1, 0, 1, 1);
    CHECK(chain_ledger_apply_tx(m, NULL, 0, &tx) == CHAIN_R_APPLIED);
    uint8_t a[32], b[32];
    chain_ledger_state_root(l, a), chain_ledger_state_root(m, b);
    CHECK(!memcmp(a, b, 32));
    chain_ledger_free(l), chain_ledger_free(m);
}

static void t_ledger_records(void)
{
    chain_tx tx[3];
    chain_block_stats st;
    chain_record r;
    uint8_t ch0[32];
    int zero = 0;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = mk_ledger(50, 5, 1000);
    REQUIRE(l);
    chain_ledger_apply_block(l, NULL, 0, tx, 0, NULL);
    mk_record(&tx[0], 3, 0, 8, 100, 4);
    mk_record(&tx[1], 3, 1, 8, 100, 2); /* same (owner, stream, interval) */
    mk_record(&tx[2], 3, 1, 8, 101, 2);
    REQUIRE(chain_ledger_apply_block(l, NULL, 0, tx, 3, &st) == CHAIN_OK);
    CHECK_EQ_U64(st.count[CHAIN_R_APPLIED], 2);
    CHECK_EQ_U64(st.count[CHAIN_R_RECORD], 1);
    CHECK_EQ_U64(chain_ledger_records(l), 2);
    REQUIRE(chain_ledger_record(l, 3, 8, 100, &r) == CHAIN_OK);
    cr_hash(ch0, &zero, sizeof zero);
    CHECK(r.owner == 3 && r.stream == 8 && r.interval == 100 && r.nchunks == 4 && r.height == 2);
    CHECK(!memcmp(r.chunks[0], ch0, 32));
    REQUIRE(chain_ledger_record(l, 3, 8, 101, &r) == CHAIN_OK);
    CHECK(r.nchunks == 2 && !memcmp(r.chunks[0], ch0, 32));
    CHECK(chain_ledger_record(l, 3, 8, 102, &r) == CHAIN_EPARAM);
    CHECK(chain_ledger_record(l, 4, 8, 100, &r) == CHAIN_EPARAM);
    for (uint32_t i = 0; i < 200; i++) { /* grow the index and keep every record findable */
        mk_record(&tx[0], 4, i, i % 3, i, 1);
        REQUIRE(chain_ledger_apply_tx(l, NULL, 0, &tx[0]) == CHAIN_R_APPLIED);
    }
    for (uint32_t i = 0; i < 200; i++)
        CHECK(chain_ledger_record(l, 4, i % 3, i, &r) == CHAIN_OK && r.interval == i);
    CHECK_EQ_U64(chain_ledger_balance(l, 4), 800); /* 200 fees of 1 */
    CHECK_EQ_U64(chain_ledger_totals(l)->count[CHAIN_R_FUNDS], 0);
    chain_ledger_free(l);
}

/* The state root format, computed by hand for 20 accounts (two level-1 groups, one
 * level-2 group, no records). */
static void t_ledger_root_known(void)
{
    uint8_t acct[20][48], l1[2][32], l2[32], buf[14 + 4 + 32 + 8 + 32], want[32], got[32];
    cr_keypair kp;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = chain_ledger_new(20);
    REQUIRE(l);
    cr_keypair_derive(&kp, SEED, 17);
    chain_ledger_genesis(l, 17, 0x0102030405060708ull, kp.pk);
    chain_ledger_genesis(l, 3, 5, NULL);
    memset(acct, 0, sizeof acct);
    for (int i = 0; i < 8; i++) acct[17][i] = (uint8_t)(8 - i);
    memcpy(acct[17] + 16, kp.pk, 32);
    acct[3][0] = 5;
    cr_hash(l1[0], acct, 16 * 48);
    cr_hash(l1[1], acct[16], 4 * 48);
    cr_hash(l2, l1, 64);
    memset(buf, 0, sizeof buf);
    memcpy(buf, "cpsim-state-v1", 14);
    buf[14] = 20;
    cr_hash(buf + 18, l2, 32); /* then le64 0 records and a zero record chain */
    cr_hash(want, buf, sizeof buf);
    CHECK(chain_ledger_state_root(l, got) == CHAIN_OK && !memcmp(got, want, 32));
    chain_ledger_free(l);
}

/* Applies a fixed random-looking sequence of blocks; returns the final state root. */
static void run_chain(uint8_t root[32], uint32_t n, int perturb)
{
    chain_tx tx[8];
    chain_ledger *l = mk_ledger(n, 16, 1u << 20);
    uint64_t nonce[16] = {0};
    if (!l) return;
    for (uint32_t b = 0; b < 6; b++) {
        for (uint32_t i = 0; i < 8; i++) {
            uint32_t from = (b * 7 + i * 3) % 16, to = (b * 131 + i * 977) % n;
            mk_transfer(&tx[i], from, to, nonce[from]++, 10 + i + (perturb && b == 5 && i == 7), i);
        }
        chain_ledger_apply_block(l, NULL, b % 16, tx, 8, NULL);
    }
    chain_ledger_state_root(l, root);
    chain_ledger_free(l);
}

static void t_ledger_determinism(void)
{
    uint8_t a[32], b[32], c[32], e[32], f[32];
    REQUIRE(cr_init() == CR_OK);
    run_chain(a, 5000, 0), run_chain(b, 5000, 0), run_chain(c, 5000, 1);
    CHECK(!memcmp(a, b, 32));
    CHECK(memcmp(a, c, 32) != 0);
    chain_ledger *l = mk_ledger(1000, 0, 0), *m = mk_ledger(1000, 0, 0);
    REQUIRE(l && m);
    chain_ledger_state_root(l, e);
    chain_ledger_genesis(l, 999, 1, NULL);
    chain_ledger_state_root(l, f);
    CHECK(memcmp(e, f, 32) != 0);
    chain_ledger_genesis(m, 999, 1, NULL); /* same state reached another way: same root */
    chain_ledger_genesis(m, 5, 3, NULL);
    chain_ledger_state_root(m, e);
    chain_ledger_genesis(m, 5, 0, NULL);
    chain_ledger_state_root(m, e);
    CHECK(!memcmp(e, f, 32));
    chain_ledger_free(l), chain_ledger_free(m);
}

/* Encodes a transfer and adds it to the pool; returns chain_pool_add's result. */
static int padd(chain_pool *p, uint32_t from, uint32_t to, uint64_t nonce, uint64_t amount, uint64_t fee)
{
    chain_tx tx;
    uint8_t buf[CHAIN_TX_MAX];
    mk_transfer(&tx, from, to, nonce, amount, fee);
    return chain_pool_add(p, buf, chain_tx_encode(buf, &tx), NULL);
}

static void t_pool_dedup(void)
{
    chain_tx tx;
    uint8_t buf[CHAIN_TX_MAX], h[32];
    REQUIRE(cr_init() == CR_OK);
    chain_pool *p = chain_pool_new(8);
    REQUIRE(p);
    mk_transfer(&tx, 1, 2, 0, 1, 1);
    size_t n = chain_tx_encode(buf, &tx);
    chain_tx_hash(h, &tx);
    CHECK(!chain_pool_contains(p, h));
    CHECK(chain_pool_add(p, buf, n, h) == CHAIN_OK);
    CHECK(chain_pool_add(p, buf, n, NULL) == CHAIN_EDUP);
    CHECK(chain_pool_contains(p, h));
    CHECK(chain_pool_add(p, buf, n - 1, NULL) == CHAIN_EDECODE);
    CHECK(padd(p, 1, 3, 0, 1, 1) == CHAIN_EDUP);  /* same sender+nonce, same fee */
    CHECK(padd(p, 1, 3, 0, 1, 2) == CHAIN_OK);    /* replace by fee */
    CHECK(!chain_pool_contains(p, h));
    CHECK_EQ_U64(chain_pool_count(p), 1);
    const chain_pool_stats *st = chain_pool_get_stats(p);
    CHECK(st->added == 2 && st->dup == 2 && st->bad == 1 && st->replaced == 1);
    chain_pool_free(p);
}

static void t_pool_nonce_gap(void)
{
    chain_pool_item it[8];
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = mk_ledger(10, 10, 1000);
    chain_pool *p = chain_pool_new(16);
    REQUIRE(l && p);
    CHECK(padd(p, 1, 2, 2, 1, 9) == CHAIN_OK);
    CHECK(padd(p, 1, 2, 0, 1, 1) == CHAIN_OK);
    CHECK_EQ_U64(chain_pool_pick(p, l, it, 8), 1); /* nonce 2 waits for 1 */
    CHECK(it[0].nonce == 0);
    CHECK(padd(p, 1, 2, 1, 1, 1) == CHAIN_OK);
    REQUIRE(chain_pool_pick(p, l, it, 8) == 3);
    CHECK(it[0].nonce == 0 && it[1].nonce == 1 && it[2].nonce == 2);
    CHECK(padd(p, 2, 1, 0, 1, 5) == CHAIN_OK);    /* fee 5 before sender 1's fee 1 */
    CHECK(padd(p, 3, 1, 0, 1, 5) == CHAIN_OK);    /* same fee, later arrival */
    CHECK(padd(p, 4, 1, 0, 995, 5) == CHAIN_OK);  /* fits: 1000 */
    CHECK(padd(p, 4, 1, 1, 1, 50) == CHAIN_OK);   /* exceeds what is left */
    REQUIRE(chain_pool_pick(p, l, it, 8) == 6);
    uint32_t want_sender[6] = {2, 3, 4, 1, 1, 1};
    for (int i = 0; i < 6; i++) CHECK_EQ_U64(it[i].sender, want_sender[i]);
    CHECK_EQ_U64(chain_pool_pick(p, l, it, 2), 2);
    CHECK(it[0].sender == 2 && it[1].sender == 3);
    chain_pool_free(p), chain_ledger_free(l);
}

static void t_pool_remove_prune(void)
{
    chain_tx tx;
    chain_pool_item it[4];
    uint8_t h[2][32];
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = mk_ledger(10, 10, 100);
    chain_pool *p = chain_pool_new(8);
    REQUIRE(l && p);
    CHECK(padd(p, 1, 2, 0, 5, 1) == CHAIN_OK);
    CHECK(padd(p, 1, 2, 1, 5, 1) == CHAIN_OK);
    CHECK(padd(p, 2, 1, 0, 5, 1) == CHAIN_OK);
    mk_transfer(&tx, 1, 3, 0, 7, 1); /* another tx with 1's nonce 0 wins the block */
    chain_tx_hash(h[0], &tx);
    REQUIRE(chain_ledger_apply_block(l, NULL, 0, &tx, 1, NULL) == CHAIN_OK);
    CHECK_EQ_U64(chain_pool_remove(p, (const uint8_t(*)[32])h, 1), 0);
    CHECK_EQ_U64(chain_pool_prune(p, l), 1); /* 1's nonce-0 entry is stale */
    CHECK_EQ_U64(chain_pool_count(p), 2);
    REQUIRE(chain_pool_pick(p, l, it, 4) == 2);
    CHECK(it[0].sender == 1 && it[0].nonce == 1 && it[1].sender == 2);
    memcpy(h[0], it[0].hash, 32), memcpy(h[1], it[1].hash, 32);
    CHECK_EQ_U64(chain_pool_remove(p, (const uint8_t(*)[32])h, 2), 2);
    CHECK_EQ_U64(chain_pool_count(p), 0);
    CHECK(!chain_pool_contains(p, h[0]) && !chain_pool_contains(p, h[1]));
    CHECK(padd(p, 1, 2, 1, 5, 1) == CHAIN_OK); /* back in after removal */
    CHECK(padd(p, 10, 2, 0, 0, 0) == CHAIN_OK);  /* no such account: never picked */
    CHECK_EQ_U64(chain_pool_pick(p, l, it, 4), 1);
    CHECK(chain_pool_check(p) == CHAIN_OK);
    chain_pool_free(p), chain_ledger_free(l);
}

static void t_pool_eviction(void)
{
    REQUIRE(cr_init() == CR_OK);
    chain_pool *p = chain_pool_new(4);
    REQUIRE(p);
    CHECK(padd(p, 1, 0, 0, 1, 5) == CHAIN_OK);
    CHECK(padd(p, 2, 0, 0, 1, 3) == CHAIN_OK);
    CHECK(padd(p, 3, 0, 0, 1, 7) == CHAIN_OK);
    CHECK(padd(p, 4, 0, 0, 1, 3) == CHAIN_OK);
    CHECK(padd(p, 5, 0, 0, 1, 3) == CHAIN_EFULL); /* not above the lowest */
    CHECK(padd(p, 6, 0, 0, 1, 4) == CHAIN_OK);    /* evicts sender 4 (fee 3, newest) */
    CHECK(padd(p, 7, 0, 0, 1, 4) == CHAIN_OK);    /* evicts sender 2 */
    CHECK_EQ_U64(chain_pool_count(p), 4);
    CHECK_EQ_U64(chain_pool_get_stats(p)->evicted, 2);
    CHECK_EQ_U64(chain_pool_get_stats(p)->full, 1);
    CHECK(chain_pool_check(p) == CHAIN_OK);
    chain_ledger *l = mk_ledger(10, 10, 100);
    chain_pool_item it[8];
    REQUIRE(l && chain_pool_pick(p, l, it, 8) == 4);
    uint32_t want[4] = {3, 1, 6, 7};
    for (int i = 0; i < 4; i++) CHECK_EQ_U64(it[i].sender, want[i]);
    chain_pool_free(p), chain_ledger_free(l);
}

/* Pick's order rule: per sender, nonces run on from the ledger's; and no item comes before
 * another of a different sender that was already ready and ranks higher (fee, then arrival). */
static int pick_order_ok(const chain_ledger *l, const chain_pool_item *it, size_t k)
{
    for (size_t j = 0; j < k; j++) {
        size_t ready = 0; /* position from which item j was ready */
        uint64_t want = chain_ledger_nonce(l, it[j].sender);
        for (size_t i = 0; i < j; i++)
            if (it[i].sender == it[j].sender) want++, ready = i + 1;
        if (it[j].nonce != want) return 0;
        for (size_t i = ready; i < j; i++) {
            if (it[i].sender == it[j].sender) continue;
            if (it[j].fee > it[i].fee || (it[j].fee == it[i].fee && it[j].seq < it[i].seq)) return 0;
        }
    }
    return 1;
}

/* Random traffic: whatever the pool picks must apply in the ledger; removal and pruning keep
 * the pool consistent; two runs give the same state root. */
static void pool_run(uint8_t root[32], uint64_t *applied)
{
    enum { S = 24, CAP = 20 };
    chain_ledger *l = mk_ledger(S, S, 5000);
    chain_pool *p = chain_pool_new(CAP);
    chain_pool_item it[16];
    chain_tx txs[16];
    uint8_t ids[16][32];
    uint64_t x = 88172645463325252ull;
    *applied = 0;
    for (int round = 0; l && p && round < 60; round++) {
        for (int i = 0; i < 12; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t s = (uint32_t)(x % S);
            uint64_t nonce = chain_ledger_nonce(l, s) + (x >> 20) % 3; /* sometimes ahead */
            padd(p, s, (uint32_t)(x >> 40) % S, nonce, (x >> 8) % 200, (x >> 32) % 20);
            CHECK(chain_pool_check(p) == CHAIN_OK);
        }
        size_t k = chain_pool_pick(p, l, it, 8);
        CHECK(pick_order_ok(l, it, k));
        for (size_t i = 0; i < k; i++) {
            chain_tx_decode(it[i].bytes, it[i].len, &txs[i]);
            memcpy(ids[i], it[i].hash, 32);
        }
        chain_block_stats st;
        chain_ledger_apply_block(l, NULL, (uint32_t)round % S, txs, k, &st);
        CHECK_EQ_U64(st.count[CHAIN_R_APPLIED], k);
        *applied += k;
        CHECK_EQ_U64(chain_pool_remove(p, (const uint8_t(*)[32])ids, k), k);
        CHECK(chain_pool_check(p) == CHAIN_OK);
        chain_pool_prune(p, l);
        CHECK(chain_pool_check(p) == CHAIN_OK);
        CHECK(chain_pool_count(p) <= CAP);
    }
    if (p) CHECK(chain_pool_get_stats(p)->evicted > 0 && chain_pool_get_stats(p)->full > 0);
    if (l) chain_ledger_state_root(l, root);
    chain_pool_free(p), chain_ledger_free(l);
}

/* Many small random operations on a tiny pool (8 table slots, so probes collide and deletions
 * shift): the self-check passes after each. Unsigned transactions: the pool does not verify. */
static void t_pool_ops(void)
{
    chain_tx tx;
    chain_pool_item it[4];
    uint8_t buf[CHAIN_TX_MAX], ids[4][32], recent[8][32];
    uint64_t x = 0x2545f4914f6cdd1dull;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = mk_ledger(4, 4, 100);
    chain_pool *p = chain_pool_new(3);
    REQUIRE(l && p);
    int bad = 0;
    for (int i = 0; i < 20000 && !bad; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (x % 5 == 0) {
            size_t k = chain_pool_pick(p, l, it, 4);
            for (size_t j = 0; j < k; j++) memcpy(ids[j], it[j].hash, 32);
            chain_pool_remove(p, (const uint8_t(*)[32])ids, (x >> 8) % (k + 1));
        } else if (x % 5 == 1) { /* drop a recent arrival, wherever it sits */
            chain_pool_remove(p, (const uint8_t(*)[32])recent[(x >> 8) & 7], 1);
        } else {
            memset(&tx, 0, sizeof tx);
            tx.kind = CHAIN_TX_TRANSFER, tx.sender = (x >> 8) & 3, tx.recipient = (x >> 10) & 3;
            tx.nonce = (x >> 12) & 3, tx.amount = (x >> 20) & 15;
            tx.fee = (uint64_t)i / 16 + ((x >> 16) & 7); /* rising fees: churn */
            size_t n = chain_tx_encode(buf, &tx);
            cr_hash(recent[i & 7], buf, n);
            chain_pool_add(p, buf, n, recent[i & 7]);
            if (x % 5 == 2) chain_pool_add(p, buf, n, NULL); /* a second receipt */
        }
        bad = chain_pool_check(p) != CHAIN_OK;
    }
    CHECK(!bad);
    const chain_pool_stats *st = chain_pool_get_stats(p);
    printf("# added %" PRIu64 " evicted %" PRIu64 " replaced %" PRIu64 " removed %" PRIu64 " dup %" PRIu64 " full %" PRIu64 "\n", st->added, st->evicted, st->replaced, st->removed, st->dup, st->full);
    CHECK(st->evicted > 100 && st->replaced > 100 && st->removed > 100 && st->dup > 100);
    chain_pool_free(p), chain_ledger_free(l);
}

static void t_pool_random(void)
{
    uint8_t a[32], b[32];
    uint64_t na, nb;
    REQUIRE(cr_init() == CR_OK);
    pool_run(a, &na), pool_run(b, &nb);
    CHECK(na > 50 && na == nb);
    CHECK(!memcmp(a, b, 32));
    printf("# %" PRIu64 " transactions applied\n", na);
}

TEST_MAIN(TEST(t_tx_roundtrip), TEST(t_tx_reject), TEST(t_tx_signature), TEST(t_tx_mutations), TEST(t_merkle_known),
          TEST(t_merkle_proofs), TEST(t_ledger_transfers), TEST(t_ledger_keys), TEST(t_ledger_records),
          TEST(t_ledger_root_known), TEST(t_ledger_determinism), TEST(t_pool_dedup), TEST(t_pool_nonce_gap), TEST(t_pool_remove_prune),
          TEST(t_pool_eviction),
          TEST(t_pool_ops), TEST(t_pool_random))
