/* Unit tests for core/chain: the transaction wire form round-trips and its decoder rejects
 * truncated, extended, unknown-kind, oversize and non-canonical inputs; signatures catch any
 * tampering; Merkle roots match values computed by hand, proofs verify and tampered ones fail;
 * the ledger moves balances, pays fees to the proposer and skips invalid transactions by
 * reason; trades, escrows and traces follow their state machines (every transition and every
 * refused one, fees and nonces of failed calls), conserve value and enter the state root;
 * the mempool deduplicates, holds nonce gaps, evicts by fee and picks deterministically. */
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
        /* 82 payload bytes, no value: a record, or an order id and 74 opaque bytes (not a
         * whole number of proxy ids for a confirm; a fixed size for the others) */
        int want = kind == CHAIN_TX_DATA_RECORD || kind == CHAIN_TX_TRADE_ORDER ||
                   kind == CHAIN_TX_TRADE_PROXY_DELIVERED || kind == CHAIN_TX_TRADE_BUYER_CONFIRM ||
                   kind == CHAIN_TX_TRADE_DISPUTE;
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
 * level-2 group, no records, no contract transactions). */
static void t_ledger_root_known(void)
{
    uint8_t acct[20][48], l1[2][32], l2[32], buf[14 + 4 + 32 + 8 + 32 + 8 + 32], want[32], got[32];
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
    memcpy(buf, "cpsim-state-v2", 14);
    buf[14] = 20;
    cr_hash(buf + 18, l2, 32); /* then le64 0 records, a zero record chain, le64 0 contract
                                  transitions and a zero contract chain */
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

/* ---- contracts: trades, escrows, traces ---------------------------------------------- */

/* Signs tx as `from` (keys of SEED) with this nonce and fee; the payload is already set. */
static void sign_as(chain_tx *tx, uint32_t from, uint64_t nonce, uint64_t fee)
{
    cr_keypair kp;
    tx->sender = from, tx->nonce = nonce, tx->fee = fee;
    cr_keypair_derive(&kp, SEED, from);
    chain_tx_sign(tx, &kp);
}

/* Encodes tx and decodes it again: CHAIN_OK and an equal transaction, or the decode error. */
static int wire_trip(const chain_tx *tx)
{
    uint8_t buf[CHAIN_TX_MAX];
    chain_tx back;
    int r = chain_tx_decode(buf, chain_tx_encode(buf, tx), &back);
    return r == CHAIN_OK && !tx_equal(tx, &back) ? CHAIN_EINVALID : r;
}

static void t_tx_contract_wire(void)
{
    chain_tx t;
    uint8_t h[32], sig[64];
    uint32_t px[CHAIN_TRADE_PROXIES_MAX + 1];
    cr_keypair kp;
    REQUIRE(cr_init() == CR_OK);
    cr_keypair_derive(&kp, SEED, 1);
    cr_hash(h, "box", 3);
    for (uint32_t i = 0; i <= CHAIN_TRADE_PROXIES_MAX; i++) px[i] = 100 + i;
    memset(&t, 0, sizeof t);
    REQUIRE(chain_tx_set_order(&t, 11, 4, 500, "item", 4) == CHAIN_OK);
    CHECK(t.kind == CHAIN_TX_TRADE_ORDER && t.recipient == 4 && t.amount == 500 && t.payload_len == 12);
    CHECK(wire_trip(&t) == CHAIN_OK);
    REQUIRE(chain_tx_set_confirm(&t, 11, px, CHAIN_TRADE_PROXIES_MAX) == CHAIN_OK);
    CHECK(t.recipient == 0 && t.amount == 0 && t.payload_len == 8 + 4 * CHAIN_TRADE_PROXIES_MAX);
    CHECK(wire_trip(&t) == CHAIN_OK);
    t.payload_len -= 2; /* not a whole proxy id */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    t.payload_len += 2, t.amount = 1; /* value on a no-value kind */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    CHECK(chain_tx_set_confirm(&t, 11, px, CHAIN_TRADE_PROXIES_MAX + 1) == CHAIN_EPARAM);
    px[1] = px[0];
    CHECK(chain_tx_set_confirm(&t, 11, px, 2) == CHAIN_EPARAM); /* duplicate proxy */
    REQUIRE(chain_tx_set_confirm(&t, 11, NULL, 0) == CHAIN_OK && t.payload_len == 8);
    CHECK(wire_trip(&t) == CHAIN_OK);
    t.payload[8] = 1, t.payload[12] = 0, t.payload[13] = 0, t.payload[14] = 0, t.payload[15] = 0;
    t.payload[9] = t.payload[10] = t.payload[11] = 0, t.payload[12] = 1, t.payload_len = 16;
    CHECK(wire_trip(&t) == CHAIN_EDECODE); /* ids 1 and 1: duplicate on the wire */
    REQUIRE(chain_tx_set_trade(&t, CHAIN_TX_TRADE_WITHDRAW, 11, NULL, 0) == CHAIN_OK);
    CHECK(wire_trip(&t) == CHAIN_OK);
    CHECK(chain_tx_set_trade(&t, CHAIN_TX_TRADE_WITHDRAW, 11, "x", 1) == CHAIN_EPARAM);
    CHECK(chain_tx_set_trade(&t, CHAIN_TX_ESCROW_OPEN, 11, NULL, 0) == CHAIN_EPARAM);
    t.payload_len = 9; /* a withdraw with a trailing byte */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    REQUIRE(chain_tx_set_escrow_open(&t, 7, 3, 90, 20) == CHAIN_OK);
    CHECK(t.recipient == 3 && t.amount == 90 && wire_trip(&t) == CHAIN_OK);
    t.recipient = 2; /* payee disagrees with the recipient */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    t.recipient = 3, t.payload_len = 21;
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    chain_settle_sign(sig, 7, 40, &kp);
    REQUIRE(chain_tx_set_escrow_settle(&t, 7, 40, sig) == CHAIN_OK);
    CHECK(t.payload_len == CHAIN_ESCROW_SETTLE_LEN && wire_trip(&t) == CHAIN_OK);
    chain_settle_digest(h, 7, 40);
    CHECK(cr_verify_raw(sig, h, 32, kp.pk) == CR_OK);
    t.payload[16 + 63] = 0xff; /* S >= L */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    sig[63] = 0xff;
    CHECK(chain_tx_set_escrow_settle(&t, 7, 40, sig) == CHAIN_EPARAM);
    REQUIRE(chain_tx_set_escrow_refund(&t, 7) == CHAIN_OK);
    CHECK(t.payload_len == 8 && wire_trip(&t) == CHAIN_OK);
    t.recipient = 1;
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    cr_hash(h, "box", 3);
    REQUIRE(chain_tx_set_trace(&t, 99, 5, 2, 123456, h) == CHAIN_OK);
    CHECK(t.payload_len == CHAIN_TRACE_LEN && t.recipient == 0 && wire_trip(&t) == CHAIN_OK);
    t.payload_len = CHAIN_TRACE_LEN - 1;
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
    t.payload_len = CHAIN_TRACE_LEN, t.kind = CHAIN_TX_KIND_MAX + 1; /* unknown kind */
    CHECK(wire_trip(&t) == CHAIN_EDECODE);
}

/* A small world for contracts: accounts 0..9 keyed with 1000 each; 9 proposes. */
enum { CP = 9, CBAL = 1000 };

typedef struct cworld {
    chain_ledger *l;
    uint64_t nonce[10];
    chain_tx tx;
} cworld;

/* Signs w->tx as `from` with its next nonce and fee 1, applies it alone in a block; returns
 * the reason. */
static chain_reason cw_apply(cworld *w, uint32_t from)
{
    chain_block_stats st;
    sign_as(&w->tx, from, w->nonce[from], 1);
    if (chain_ledger_apply_block(w->l, NULL, CP, &w->tx, 1, &st) != CHAIN_OK) return CHAIN_R_COUNT;
    for (int r = 0; r < CHAIN_R_COUNT; r++)
        if (st.count[r]) {
            if (r == CHAIN_R_APPLIED || r == CHAIN_R_STATE) w->nonce[from]++;
            return (chain_reason)r;
        }
    return CHAIN_R_COUNT;
}

static chain_reason cw_trade(cworld *w, uint32_t from, chain_kind kind, uint64_t order)
{
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_trade(&w->tx, kind, order, NULL, 0);
    return cw_apply(w, from);
}

static chain_reason cw_order(cworld *w, uint32_t buyer, uint64_t order, uint32_t seller, uint64_t price)
{
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_order(&w->tx, order, seller, price, "dataset", 7);
    return cw_apply(w, buyer);
}

static chain_reason cw_confirm(cworld *w, uint32_t from, uint64_t order, const uint32_t *px, size_t n)
{
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_confirm(&w->tx, order, px, n);
    return cw_apply(w, from);
}

static int cw_init(cworld *w)
{
    memset(w, 0, sizeof *w);
    w->l = mk_ledger(10, 10, CBAL);
    return w->l != NULL;
}

/* Sum of balances plus the locked escrow: the genesis supply. */
static uint64_t supply(const chain_ledger *l)
{
    uint64_t s = chain_ledger_locked(l);
    for (uint32_t i = 0; i < chain_ledger_accounts(l); i++) s += chain_ledger_balance(l, i);
    return s;
}

static void t_trade_flow(void)
{
    cworld w;
    chain_trade t;
    uint32_t px[2] = {5, 6};
    REQUIRE(cr_init() == CR_OK && cw_init(&w));
    CHECK(cw_order(&w, 1, 42, 2, 300) == CHAIN_R_APPLIED); /* height 1 */
    REQUIRE(chain_ledger_trade(w.l, 42, &t) == CHAIN_OK);
    CHECK(t.state == CHAIN_TRADE_CREATED && t.buyer == 1 && t.seller == 2 && t.price == 300);
    CHECK(t.h_created == 1 && t.h_confirmed == 0 && t.deadline == 1 + CHAIN_TRADE_TIMEOUT_DEFAULT);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 1), CBAL - 301);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 2), CBAL); /* locked, not paid */
    CHECK_EQ_U64(chain_ledger_locked(w.l), 300);
    CHECK(cw_confirm(&w, 2, 42, px, 2) == CHAIN_R_APPLIED); /* height 2 */
    CHECK(cw_trade(&w, 7, CHAIN_TX_TRADE_PROXY_DELIVERED, 42) == CHAIN_R_STATE); /* not listed */
    CHECK(cw_trade(&w, 5, CHAIN_TX_TRADE_PROXY_DELIVERED, 42) == CHAIN_R_APPLIED); /* height 4 */
    CHECK(cw_trade(&w, 6, CHAIN_TX_TRADE_PROXY_DELIVERED, 42) == CHAIN_R_APPLIED);
    REQUIRE(chain_ledger_trade(w.l, 42, &t) == CHAIN_OK);
    CHECK(t.state == CHAIN_TRADE_PROXY_DELIVERED && t.deliveries == 2 && t.h_confirmed == 2 && t.h_delivered == 4);
    CHECK(t.nproxies == 2 && t.proxies[0] == 5 && t.proxies[1] == 6);
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_BUYER_CONFIRM, 42) == CHAIN_R_APPLIED); /* height 6 */
    REQUIRE(chain_ledger_trade(w.l, 42, &t) == CHAIN_OK);
    CHECK(t.state == CHAIN_TRADE_FINISHED && t.h_closed == 6);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 2), CBAL + 300 - 1);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 1), CBAL - 302);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 7), CBAL - 1); /* the failed call paid its fee */
    CHECK_EQ_U64(chain_ledger_nonce(w.l, 7), 1);
    CHECK_EQ_U64(chain_ledger_balance(w.l, CP), CBAL + 6);
    CHECK_EQ_U64(chain_ledger_locked(w.l), 0);
    CHECK_EQ_U64(chain_ledger_totals(w.l)->count[CHAIN_R_STATE], 1);
    CHECK_EQ_U64(chain_ledger_totals(w.l)->fees, 6);
    CHECK_EQ_U64(supply(w.l), 10 * CBAL);
    /* no proxies listed: anyone may report delivery; dispute refunds the buyer */
    CHECK(cw_order(&w, 3, 43, 4, 100) == CHAIN_R_APPLIED);
    CHECK(cw_confirm(&w, 4, 43, NULL, 0) == CHAIN_R_APPLIED);
    CHECK(cw_trade(&w, 3, CHAIN_TX_TRADE_DISPUTE, 43) == CHAIN_R_APPLIED);
    REQUIRE(chain_ledger_trade(w.l, 43, &t) == CHAIN_OK);
    CHECK(t.state == CHAIN_TRADE_DISPUTED && t.h_delivered == 0 && t.h_closed == chain_ledger_height(w.l));
    CHECK_EQ_U64(chain_ledger_balance(w.l, 3), CBAL - 2); /* two fees, the price back */
    CHECK(cw_order(&w, 3, 44, 4, 100) == CHAIN_R_APPLIED);
    CHECK(cw_confirm(&w, 4, 44, NULL, 0) == CHAIN_R_APPLIED);
    CHECK(cw_trade(&w, 8, CHAIN_TX_TRADE_PROXY_DELIVERED, 44) == CHAIN_R_APPLIED);
    CHECK(cw_trade(&w, 3, CHAIN_TX_TRADE_DISPUTE, 44) == CHAIN_R_APPLIED); /* from ProxyDelivered */
    CHECK_EQ_U64(chain_ledger_balance(w.l, 3), CBAL - 4);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 4), CBAL - 2);
    CHECK_EQ_U64(chain_ledger_trades(w.l), 3);
    CHECK_EQ_U64(supply(w.l), 10 * CBAL);
    chain_ledger_free(w.l);
}

static void t_trade_invalid(void)
{
    cworld w;
    chain_trade t;
    uint32_t px = 5;
    REQUIRE(cr_init() == CR_OK && cw_init(&w));
    chain_ledger_set_trade_timeout(w.l, 3);
    CHECK(cw_order(&w, 1, 50, 2, 100) == CHAIN_R_APPLIED); /* height 1, deadline 4 */
    CHECK(cw_order(&w, 3, 50, 2, 100) == CHAIN_R_STATE);   /* duplicate order id */
    CHECK_EQ_U64(chain_ledger_balance(w.l, 3), CBAL - 1);  /* fee only: nothing locked */
    CHECK(cw_confirm(&w, 3, 50, NULL, 0) == CHAIN_R_STATE); /* not the seller */
    CHECK(cw_confirm(&w, 2, 51, NULL, 0) == CHAIN_R_STATE); /* no such order */
    CHECK(cw_trade(&w, 5, CHAIN_TX_TRADE_PROXY_DELIVERED, 50) == CHAIN_R_STATE); /* not confirmed */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_BUYER_CONFIRM, 50) == CHAIN_R_STATE);   /* not delivered */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_DISPUTE, 50) == CHAIN_R_STATE);         /* Created */
    /* height 8 now: past the deadline, but only the buyer may withdraw */
    CHECK(cw_trade(&w, 2, CHAIN_TX_TRADE_WITHDRAW, 50) == CHAIN_R_STATE);
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_WITHDRAW, 50) == CHAIN_R_APPLIED);
    REQUIRE(chain_ledger_trade(w.l, 50, &t) == CHAIN_OK);
    CHECK(t.state == CHAIN_TRADE_WITHDRAWN && t.deadline == 4 && t.h_closed == 9);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 1), CBAL - 4); /* four calls, two failed */
    CHECK(cw_confirm(&w, 2, 50, NULL, 0) == CHAIN_R_STATE);              /* withdrawn */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_WITHDRAW, 50) == CHAIN_R_STATE); /* twice */
    /* the deadline is exclusive: withdraw at deadline fails, one block later works */
    CHECK(cw_order(&w, 1, 60, 2, 10) == CHAIN_R_APPLIED); /* height 12, deadline 15 */
    CHECK(cw_trade(&w, 8, CHAIN_TX_TRADE_WITHDRAW, 60) == CHAIN_R_STATE); /* 13 */
    CHECK(cw_trade(&w, 8, CHAIN_TX_TRADE_WITHDRAW, 60) == CHAIN_R_STATE); /* 14 */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_WITHDRAW, 60) == CHAIN_R_STATE); /* 15 = deadline */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_WITHDRAW, 60) == CHAIN_R_APPLIED); /* 16 */
    /* a confirmed order can no longer be withdrawn; wrong parties after confirmation */
    CHECK(cw_order(&w, 1, 70, 2, 10) == CHAIN_R_APPLIED);
    CHECK(cw_confirm(&w, 2, 70, &px, 1) == CHAIN_R_APPLIED);
    CHECK(cw_confirm(&w, 2, 70, &px, 1) == CHAIN_R_STATE); /* twice */
    for (int i = 0; i < 4; i++) cw_trade(&w, 8, CHAIN_TX_TRADE_WITHDRAW, 99); /* time passes */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_WITHDRAW, 70) == CHAIN_R_STATE);
    CHECK(cw_trade(&w, 2, CHAIN_TX_TRADE_DISPUTE, 70) == CHAIN_R_STATE);         /* seller */
    CHECK(cw_trade(&w, 6, CHAIN_TX_TRADE_PROXY_DELIVERED, 70) == CHAIN_R_STATE); /* unlisted */
    CHECK(cw_trade(&w, 5, CHAIN_TX_TRADE_PROXY_DELIVERED, 70) == CHAIN_R_APPLIED);
    CHECK(cw_trade(&w, 2, CHAIN_TX_TRADE_BUYER_CONFIRM, 70) == CHAIN_R_STATE);   /* seller */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_BUYER_CONFIRM, 70) == CHAIN_R_APPLIED);
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_BUYER_CONFIRM, 70) == CHAIN_R_STATE);   /* twice */
    CHECK(cw_trade(&w, 1, CHAIN_TX_TRADE_DISPUTE, 70) == CHAIN_R_STATE);         /* finished */
    CHECK(cw_trade(&w, 5, CHAIN_TX_TRADE_PROXY_DELIVERED, 70) == CHAIN_R_STATE); /* finished */
    /* an order the buyer cannot afford is a funds failure: nothing taken */
    uint64_t b = chain_ledger_balance(w.l, 1), n = chain_ledger_nonce(w.l, 1);
    CHECK(cw_order(&w, 1, 80, 2, b) == CHAIN_R_FUNDS);
    CHECK(chain_ledger_balance(w.l, 1) == b && chain_ledger_nonce(w.l, 1) == n);
    CHECK(chain_ledger_trade(w.l, 80, &t) == CHAIN_EPARAM);
    CHECK_EQ_U64(chain_ledger_totals(w.l)->count[CHAIN_R_STATE], 24);
    CHECK_EQ_U64(chain_ledger_locked(w.l), 0);
    CHECK_EQ_U64(supply(w.l), 10 * CBAL);
    chain_ledger_free(w.l);
}

static chain_reason cw_settle(cworld *w, uint32_t from, uint64_t id, uint64_t pay, uint32_t signer, uint64_t signed_pay)
{
    cr_keypair kp;
    uint8_t sig[64];
    cr_keypair_derive(&kp, SEED, signer);
    chain_settle_sign(sig, id, signed_pay, &kp);
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_escrow_settle(&w->tx, id, pay, sig);
    return cw_apply(w, from);
}

static chain_reason cw_open(cworld *w, uint32_t payer, uint64_t id, uint32_t payee, uint64_t amount, uint64_t expiry)
{
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_escrow_open(&w->tx, id, payee, amount, expiry);
    return cw_apply(w, payer);
}

static chain_reason cw_refund(cworld *w, uint32_t from, uint64_t id)
{
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_escrow_refund(&w->tx, id);
    return cw_apply(w, from);
}

static void t_escrow(void)
{
    cworld w;
    chain_escrow e;
    REQUIRE(cr_init() == CR_OK && cw_init(&w));
    CHECK(cw_open(&w, 1, 5, 2, 400, 10) == CHAIN_R_APPLIED); /* height 1 */
    CHECK(cw_open(&w, 3, 5, 2, 10, 10) == CHAIN_R_STATE);    /* duplicate id */
    CHECK_EQ_U64(chain_ledger_locked(w.l), 400);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 1), CBAL - 401);
    uint64_t checks = chain_ledger_totals(w.l)->sigchecks;
    CHECK(cw_settle(&w, 2, 5, 150, 1, 160) == CHAIN_R_STATE); /* countersigned another reading */
    CHECK_EQ_U64(chain_ledger_totals(w.l)->sigchecks, checks + 2);
    CHECK(cw_settle(&w, 2, 5, 150, 2, 150) == CHAIN_R_STATE); /* signed by the payee, not the payer */
    CHECK(cw_settle(&w, 3, 5, 150, 1, 150) == CHAIN_R_STATE); /* not the payee */
    CHECK(cw_settle(&w, 2, 5, 401, 1, 401) == CHAIN_R_STATE); /* more than locked */
    CHECK(cw_settle(&w, 2, 6, 1, 1, 1) == CHAIN_R_STATE);     /* no such escrow */
    CHECK_EQ_U64(chain_ledger_totals(w.l)->sigchecks, checks + 2 + 2 + 1 + 1 + 1);
    CHECK(cw_refund(&w, 1, 5) == CHAIN_R_STATE); /* height 8: not expired */
    CHECK(cw_settle(&w, 2, 5, 150, 1, 150) == CHAIN_R_APPLIED); /* height 9 */
    REQUIRE(chain_ledger_escrow(w.l, 5, &e) == CHAIN_OK);
    CHECK(e.state == CHAIN_ESCROW_SETTLED && e.paid == 150 && e.amount == 400 && e.payer == 1 && e.payee == 2);
    CHECK(e.h_opened == 1 && e.h_closed == 9 && e.expiry == 10);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 2), CBAL + 150 - 5); /* five calls */
    CHECK_EQ_U64(chain_ledger_balance(w.l, 1), CBAL - 401 - 1 + 250);
    CHECK_EQ_U64(chain_ledger_locked(w.l), 0);
    CHECK(cw_settle(&w, 2, 5, 150, 1, 150) == CHAIN_R_STATE); /* replayed reading */
    for (int i = 0; i < 3; i++) cw_refund(&w, 8, 77);          /* time passes, height 13 */
    CHECK(cw_refund(&w, 1, 5) == CHAIN_R_STATE);               /* settled */
    /* refund: only the payer, only after the expiry; then no settlement */
    CHECK(cw_open(&w, 3, 6, 4, 200, 16) == CHAIN_R_APPLIED);  /* height 15 */
    CHECK(cw_refund(&w, 3, 6) == CHAIN_R_STATE);              /* 16 = expiry */
    CHECK(cw_refund(&w, 4, 6) == CHAIN_R_STATE);              /* the payee */
    CHECK(cw_refund(&w, 3, 6) == CHAIN_R_APPLIED);            /* 18 */
    REQUIRE(chain_ledger_escrow(w.l, 6, &e) == CHAIN_OK);
    CHECK(e.state == CHAIN_ESCROW_REFUNDED && e.paid == 0 && e.h_closed == 18);
    CHECK(cw_settle(&w, 4, 6, 200, 3, 200) == CHAIN_R_STATE);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 3), CBAL - 5); /* five calls */
    /* settlement after the expiry, while not refunded; a full payment; a zero one */
    CHECK(cw_open(&w, 3, 7, 4, 50, 0) == CHAIN_R_APPLIED);
    CHECK(cw_settle(&w, 4, 7, 50, 3, 50) == CHAIN_R_APPLIED);
    CHECK(cw_open(&w, 3, 8, 4, 50, 0) == CHAIN_R_APPLIED);
    CHECK(cw_settle(&w, 4, 8, 0, 3, 0) == CHAIN_R_APPLIED);
    CHECK_EQ_U64(chain_ledger_balance(w.l, 3), CBAL - 5 - 2 - 50);
    CHECK(chain_ledger_escrow(w.l, 9, &e) == CHAIN_EPARAM);
    CHECK_EQ_U64(chain_ledger_escrows(w.l), 4);
    CHECK_EQ_U64(supply(w.l), 10 * CBAL);
    /* the memo gives the same results and the same sigcheck counts */
    cr_memo *m = cr_memo_new(1, 8);
    REQUIRE(m);
    CHECK(cw_open(&w, 5, 9, 6, 10, 0) == CHAIN_R_APPLIED);
    uint8_t sig[64];
    cr_keypair kp;
    cr_keypair_derive(&kp, SEED, 5);
    chain_settle_sign(sig, 9, 4, &kp);
    memset(&w.tx, 0, sizeof w.tx);
    chain_tx_set_escrow_settle(&w.tx, 9, 4, sig);
    sign_as(&w.tx, 6, w.nonce[6], 1);
    checks = chain_ledger_totals(w.l)->sigchecks;
    CHECK(chain_ledger_apply_tx(w.l, m, CP, &w.tx) == CHAIN_R_APPLIED);
    CHECK_EQ_U64(chain_ledger_totals(w.l)->sigchecks, checks + 2);
    CHECK_EQ_U64(cr_memo_get_stats(m)->lookups, 2);
    CHECK_EQ_U64(cr_memo_get_stats(m)->verifications, 2);
    cr_memo_free(m);
    chain_ledger_free(w.l);
}

static chain_reason cw_trace(cworld *w, uint32_t from, uint64_t parcel, uint32_t hub, uint8_t event, uint64_t time)
{
    uint8_t h[32];
    uint64_t k = parcel * 1000 + time;
    cr_hash(h, &k, sizeof k);
    memset(&w->tx, 0, sizeof w->tx);
    chain_tx_set_trace(&w->tx, parcel, hub, event, time, h);
    return cw_apply(w, from);
}

static void t_trace(void)
{
    cworld w;
    chain_trace_event ev[8];
    REQUIRE(cr_init() == CR_OK && cw_init(&w));
    CHECK(chain_ledger_trace(w.l, 1, ev, 8) == 0);
    CHECK(cw_trace(&w, 1, 1000, 3, 0, 10) == CHAIN_R_APPLIED); /* heights 1..5 */
    CHECK(cw_trace(&w, 2, 2000, 3, 0, 11) == CHAIN_R_APPLIED);
    CHECK(cw_trace(&w, 3, 1000, 4, 1, 20) == CHAIN_R_APPLIED);
    CHECK(cw_trace(&w, 3, 1000, 5, 2, 15) == CHAIN_R_APPLIED); /* times are the reporter's */
    CHECK(cw_trace(&w, 2, 2000, 6, 9, 30) == CHAIN_R_APPLIED);
    REQUIRE(chain_ledger_trace(w.l, 1000, ev, 8) == 3);
    uint32_t hub[3] = {3, 4, 5}, snd[3] = {1, 3, 3};
    uint64_t time[3] = {10, 20, 15}, height[3] = {1, 3, 4};
    for (int i = 0; i < 3; i++) {
        uint8_t h[32];
        uint64_t k = 1000 * 1000 + time[i];
        cr_hash(h, &k, sizeof k);
        CHECK(ev[i].hub == hub[i] && ev[i].sender == snd[i] && ev[i].event == i && ev[i].time == time[i]);
        CHECK(ev[i].height == height[i] && !memcmp(ev[i].hash, h, 32));
    }
    memset(ev, 0, sizeof ev);
    CHECK(chain_ledger_trace(w.l, 2000, ev, 1) == 2); /* count beyond max */
    CHECK(ev[0].hub == 3 && ev[1].hub == 0);
    CHECK(chain_ledger_trace(w.l, 2000, NULL, 5) == 2);
    for (uint32_t i = 0; i < 300; i++) /* grow the parcel index and the event array */
        CHECK(cw_trace(&w, i % 8, 5000 + i % 100, i, (uint8_t)i, i) == CHAIN_R_APPLIED);
    CHECK(chain_ledger_trace(w.l, 5042, ev, 8) == 3);
    CHECK(ev[0].hub == 42 && ev[1].hub == 142 && ev[2].hub == 242);
    CHECK_EQ_U64(chain_ledger_traces(w.l), 305);
    CHECK_EQ_U64(chain_ledger_totals(w.l)->count[CHAIN_R_STATE], 0);
    chain_ledger_free(w.l);
}

/* The state root covers the contracts: same accounts, different contract state, different
 * root; and one trace transaction gives the root computed by hand. */
static void t_ledger_root_contract(void)
{
    uint8_t acct[20][48], l1[2][32], l2[32], buf[130], want[32], got[32], h[32];
    uint8_t x[32 + 8 + 1 + 4 + 4 + 8 + 2 + CHAIN_TRACE_LEN];
    cr_keypair kp;
    chain_tx tx;
    REQUIRE(cr_init() == CR_OK);
    chain_ledger *l = chain_ledger_new(20), *m = chain_ledger_new(20);
    REQUIRE(l && m);
    cr_keypair_derive(&kp, SEED, 17);
    chain_ledger_genesis(l, 17, 9, kp.pk), chain_ledger_genesis(m, 17, 9, kp.pk);
    cr_hash(h, "parcel", 6);
    memset(&tx, 0, sizeof tx);
    chain_tx_set_trace(&tx, 0x0102, 3, 4, 5, h);
    sign_as(&tx, 17, 0, 0);
    REQUIRE(chain_ledger_apply_block(l, NULL, 0, &tx, 1, NULL) == CHAIN_OK);
    memset(acct, 0, sizeof acct);
    acct[17][0] = 9, acct[17][8] = 1; /* balance 9, nonce 1 */
    memcpy(acct[17] + 16, kp.pk, 32);
    cr_hash(l1[0], acct, 16 * 48), cr_hash(l1[1], acct[16], 4 * 48), cr_hash(l2, l1, 64);
    memset(x, 0, sizeof x);
    x[32] = 1, x[40] = CHAIN_TX_TRACE, x[41] = 17, x[57] = CHAIN_TRACE_LEN; /* height, kind, sender, len */
    memcpy(x + 59, tx.payload, CHAIN_TRACE_LEN);
    memset(buf, 0, sizeof buf);
    memcpy(buf, "cpsim-state-v2", 14);
    buf[14] = 20;
    cr_hash(buf + 18, l2, 32);
    buf[90] = 1; /* one contract transaction */
    cr_hash(buf + 98, x, sizeof x);
    cr_hash(want, buf, sizeof buf);
    CHECK(chain_ledger_state_root(l, got) == CHAIN_OK && !memcmp(got, want, 32));
    cr_hash(h, "other", 5); /* same sender, nonce and fee: only the trace differs */
    chain_tx_set_trace(&tx, 0x0102, 3, 4, 5, h);
    sign_as(&tx, 17, 0, 0);
    REQUIRE(chain_ledger_apply_block(m, NULL, 0, &tx, 1, NULL) == CHAIN_OK);
    CHECK(chain_ledger_state_root(m, got) == CHAIN_OK && memcmp(got, want, 32) != 0);
    chain_ledger_free(l), chain_ledger_free(m);
    /* an order and an escrow locking the same value for the same party: different roots */
    l = chain_ledger_new(20), m = chain_ledger_new(20);
    REQUIRE(l && m);
    chain_ledger_genesis(l, 17, 9, kp.pk), chain_ledger_genesis(m, 17, 9, kp.pk);
    memset(&tx, 0, sizeof tx);
    chain_tx_set_order(&tx, 1, 2, 5, NULL, 0);
    sign_as(&tx, 17, 0, 0);
    REQUIRE(chain_ledger_apply_block(l, NULL, 0, &tx, 1, NULL) == CHAIN_OK);
    chain_tx_set_escrow_open(&tx, 1, 2, 5, 0);
    sign_as(&tx, 17, 0, 0);
    REQUIRE(chain_ledger_apply_block(m, NULL, 0, &tx, 1, NULL) == CHAIN_OK);
    CHECK(chain_ledger_balance(l, 17) == 4 && chain_ledger_balance(m, 17) == 4);
    chain_ledger_state_root(l, want), chain_ledger_state_root(m, got);
    CHECK(memcmp(got, want, 32) != 0);
    chain_ledger_free(l), chain_ledger_free(m);
}

/* One random transaction at about height b: its kind, its id among 4 fresh ones every 10
 * blocks, and (three times in four) the right party to send it: id's buyer/payer is
 * id % 6, its seller/payee the buyer ^ 1, a proxy anyone; else a random sender (mostly
 * refused). Returns the sender. */
static uint32_t random_tx(chain_tx *t, uint64_t x, uint64_t b, const cr_keypair *kp, int perturb)
{
    uint64_t id = (x >> 16) % 4 + 4 * (b / 10), amt = (x >> 24) % 120;
    uint32_t buyer = (uint32_t)(id % 6), seller = buyer ^ 1, any = (uint32_t)(x >> 40) % 6;
    uint8_t sig[64], h[32] = {(uint8_t)perturb};
    uint32_t from = buyer;
    memset(t, 0, sizeof *t);
    switch ((x >> 32) % 11) {
    case 0: t->kind = CHAIN_TX_TRANSFER, t->recipient = seller, t->amount = amt; break;
    case 1: chain_tx_set_order(t, id, seller, amt, NULL, 0); break;
    case 2: chain_tx_set_confirm(t, id, &any, (x >> 44) % 2), from = seller; break;
    case 3: chain_tx_set_trade(t, CHAIN_TX_TRADE_PROXY_DELIVERED, id, NULL, 0), from = any; break;
    case 4: chain_tx_set_trade(t, CHAIN_TX_TRADE_BUYER_CONFIRM, id, NULL, 0); break;
    case 5: chain_tx_set_trade(t, CHAIN_TX_TRADE_DISPUTE, id, NULL, 0); break;
    case 6: chain_tx_set_trade(t, CHAIN_TX_TRADE_WITHDRAW, id, NULL, 0); break;
    case 7: chain_tx_set_escrow_open(t, id, seller, amt, b + (x >> 44) % 5); break;
    case 8:
        chain_settle_sign(sig, id, amt / 2, &kp[buyer]);
        chain_tx_set_escrow_settle(t, id, amt / 2, sig), from = seller;
        break;
    case 9: chain_tx_set_escrow_refund(t, id); break;
    default: chain_tx_set_trace(t, id, any, (uint8_t)amt, b, h), from = any; break;
    }
    return (x >> 46) % 4 ? from : (uint32_t)(x >> 48) % 6;
}

/* Random transactions of every kind among 6 accounts, 8 per block for 150 blocks; after
 * each block balances + locked = supply. Returns the final root; counts applied
 * transactions per kind and failed calls. perturb changes the traces' content from block
 * 100 on (same accounts, trades and escrows: only the root may tell). */
static void contract_run(uint8_t root[32], uint64_t applied[CHAIN_TX_KIND_MAX + 1], uint64_t *failed, int perturb)
{
    enum { N = 6, BLOCKS = 150, PER = 8 };
    chain_ledger *l = mk_ledger(N, N, 500);
    uint64_t x = 0x853c49e6748fea9bull;
    cr_keypair kp[N];
    chain_tx t;
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) cr_keypair_derive(&kp[i], SEED, i);
    memset(applied, 0, (CHAIN_TX_KIND_MAX + 1) * sizeof *applied);
    if (!l) return;
    chain_ledger_set_trade_timeout(l, 4);
    for (uint64_t b = 0; b < BLOCKS; b++) {
        for (int i = 0; i < PER; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t s = random_tx(&t, x, b, kp, perturb && b >= 100);
            uint64_t nonce = chain_ledger_nonce(l, s); /* sometimes a stale one; fees 0..2 */
            sign_as(&t, s, nonce - ((x >> 50) % 16 == 0 && nonce > 0), (x >> 56) % 3);
            if (chain_ledger_apply_tx(l, NULL, (uint32_t)b % N, &t) == CHAIN_R_APPLIED) applied[t.kind]++;
        }
        chain_ledger_apply_block(l, NULL, (uint32_t)b % N, NULL, 0, NULL); /* next height */
        bad |= supply(l) != (uint64_t)N * 500;
    }
    CHECK(!bad);
    chain_ledger_state_root(l, root);
    *failed = chain_ledger_totals(l)->count[CHAIN_R_STATE];
    printf("# per kind applied:");
    for (int k = 1; k <= CHAIN_TX_KIND_MAX; k++) printf(" %" PRIu64, applied[k]);
    printf("; failed calls %" PRIu64 ", locked %" PRIu64 "\n", *failed, chain_ledger_locked(l));
    chain_ledger_free(l);
}

static void t_contract_conservation(void)
{
    uint8_t a[32], b[32], c[32];
    uint64_t na[CHAIN_TX_KIND_MAX + 1], nb[CHAIN_TX_KIND_MAX + 1], nc[CHAIN_TX_KIND_MAX + 1], fa = 0, fb = 0, fc = 0;
    REQUIRE(cr_init() == CR_OK);
    contract_run(a, na, &fa, 0), contract_run(b, nb, &fb, 0), contract_run(c, nc, &fc, 1);
    for (int k = 1; k <= CHAIN_TX_KIND_MAX; k++)
        if (k != CHAIN_TX_DATA_RECORD) CHECK(na[k] > 0); /* every transition was exercised */
    CHECK(fa > 100);
    CHECK(!memcmp(na, nb, sizeof na) && fa == fb && !memcmp(a, b, 32));
    CHECK(!memcmp(na, nc, sizeof na) && fa == fc); /* same accounts and contracts... */
    CHECK(memcmp(a, c, 32) != 0);                 /* ...other traces: another root */
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
          TEST(t_ledger_root_known), TEST(t_ledger_determinism), TEST(t_tx_contract_wire), TEST(t_trade_flow),
          TEST(t_trade_invalid), TEST(t_escrow), TEST(t_trace), TEST(t_ledger_root_contract),
          TEST(t_contract_conservation), TEST(t_pool_dedup), TEST(t_pool_nonce_gap), TEST(t_pool_remove_prune),
          TEST(t_pool_eviction),
          TEST(t_pool_ops), TEST(t_pool_random))
