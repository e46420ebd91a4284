/* Unit tests for core/data on the built-in engine (one region, 20 ms RTT, 20 nodes): uploads
 * become ready records with valid data-record transactions; a buyer decrypts exactly the
 * records of the epochs it bought and its keys open nothing else; a tampered ciphertext or a
 * wrong AAD is rejected by the AEAD, and a corrupted chunk is refetched from another replica;
 * a dishonest proxy's cfrag is detected and reported, and two of them stall the trade into a
 * dispute; the threshold aggregate equals the plain sum; same seed, same results. Device models
 * (data_model.h): a battery fails after the hand-derived number of cycles, a vehicle's readings
 * are consistent along its road and its records go through its cell's gateway (handover), and
 * the protocol carries the model's readings and aggregates their values; a driver's speeding
 * and harsh-braking events follow its risk; a camera segment's header carries its lane counts
 * and any slice of it is the same bytes as the whole, and the protocol stores segments without
 * holding their ciphertext: regenerated chunks match their addresses, open under the AEAD to
 * the model's segment, and a corrupted one is still detected and refetched. */
#include <math.h>

#include "core/chain/chain.h"
#include "core/data/data.h"
#include "core/data/data_model.h"
#include "sim/des/des.h"
#include "tests/harness.h"

static const char *const rn[] = {"r", NULL};

#define DEV0 0u
#define BUYER0 13u /* 6 devices, 4 gateways, 3 proxies, 2 buyers, 5 committee */

static data_order order1 = {CP_S(220), BUYER0, DEV0, 1, 2};

static data_cfg small_cfg(void)
{
    data_cfg c = data_cfg_default();
    c.devices = 6, c.gateways = 4, c.proxies = 3, c.buyers = 2, c.committee = 5;
    c.sample_interval = CP_S(1), c.upload_interval = CP_S(20), c.enc_interval = CP_S(40);
    c.data_end = CP_S(200), c.reading_size = 32, c.chunk_size = 256, c.replicas = 3;
    c.orders = &order1, c.n_orders = 1, c.pre_t = 2, c.pre_n = 3;
    c.agg_window = CP_S(50), c.agg_grace = CP_S(10), c.agg_t = 3;
    return c;
}

static data *run(const data_cfg *c, uint64_t seed)
{
    uint32_t n = 20;
    cp_time r[1] = {CP_MS(20)};
    net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, rn, r, NET_JITTER_NONE, 0, 0, 1, cls};
    char err[200];
    data *d = data_new(c, n, seed, err, sizeof err);
    if (!d) {
        printf("# data_new: %s\n", err);
        return NULL;
    }
    net *nt = net_new(&nc, n);
    des_cfg dc = {seed, n, CP_S(400), nt, data_ops(), d, NULL, NULL, NULL, NULL};
    des *e = des_new(&dc);
    int rc = e ? des_run(e) : -1;
    des_free(e);
    net_free(nt);
    if (rc != 0) data_free(d);
    return rc == 0 ? d : NULL;
}

static void t_records_ready(void)
{
    data_cfg c = small_cfg();
    data *d = run(&c, 1);
    REQUIRE(d);
    size_t n, nt;
    const data_record *r = data_records(d, &n);
    const data_tx *tx = data_txs(d, &nt);
    CHECK_EQ_U64(n, 6 * 9); /* 200 s of data, one upload per 20 s after a phase: the 10th ends past data_end */
    CHECK_EQ_U64(data_get_counts(d)->records_ready, n);
    CHECK_EQ_U64(data_get_counts(d)->malformed, 0);
    for (size_t i = 0; i < n; i++) {
        REQUIRE(r[i].ready != CP_TIME_NEVER && r[i].tx < nt);
        CHECK(r[i].ready > r[i].sent && r[i].sent > r[i].first_reading);
        CHECK_EQ_U64(r[i].n_chunks, 3); /* 640 B + 40 B in 256 B chunks */
        chain_tx t;
        const data_tx *x = &tx[r[i].tx];
        REQUIRE(chain_tx_decode(data_tx_bytes(d) + x->off, x->len, &t) == CHAIN_OK);
        CHECK(t.kind == CHAIN_TX_DATA_RECORD && t.sender == r[i].owner && chain_tx_verify(&t, NULL) == CHAIN_OK);
        uint64_t interval = 0;
        for (int k = 0; k < 8; k++) interval |= (uint64_t)t.payload[8 + k] << (8 * k);
        CHECK_EQ_U64(interval, r[i].interval);
    }
    data_free(d);
}

static int opens(const data *d, uint32_t rec, const uint8_t key[32], const uint8_t cap[96])
{
    size_t n, len;
    const data_record *r = data_records(d, &n);
    uint8_t *ct, pt[1024];
    if (data_record_ciphertext(d, rec, &ct, &len) != 0) return -1;
    int rc = data_open(pt, ct, len, key, r[rec].owner, 0, r[rec].interval, cap);
    free(ct);
    return rc == CR_OK;
}

static void t_buyer_gets_exactly_what_it_bought(void)
{
    data_cfg c = small_cfg();
    data *d = run(&c, 1);
    REQUIRE(d);
    size_t n, ntr;
    const data_record *r = data_records(d, &n);
    const data_trade *tr = data_trades(d, &ntr);
    REQUIRE(ntr == 1);
    CHECK(tr[0].state == DATA_T_FINISHED);
    CHECK_EQ_U64(tr[0].records, 4);
    CHECK_EQ_U64(tr[0].records_ok, 4);
    CHECK(tr[0].ordered < tr[0].confirmed && tr[0].confirmed < tr[0].delivered && tr[0].delivered < tr[0].plaintext);
    CHECK_EQ_U64(data_get_counts(d)->plaintext_mismatch, 0);
    for (uint32_t i = 0; i < n; i++) {
        int want = r[i].owner == DEV0 && r[i].epoch >= 1 && r[i].epoch <= 2;
        CHECK(data_buyer_has(d, BUYER0, i) == want);
        CHECK(!data_buyer_has(d, BUYER0 + 1, i));
    }
    uint8_t key[32];
    for (uint64_t e = 0; e < 5; e++) CHECK(data_buyer_key(d, BUYER0, DEV0, e, key) == (e == 1 || e == 2));
    /* each bought key opens exactly its own epoch's records of that owner */
    uint8_t k1[32], k2[32];
    REQUIRE(data_buyer_key(d, BUYER0, DEV0, 1, k1) && data_buyer_key(d, BUYER0, DEV0, 2, k2));
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *cap = data_record_capsule(d, i);
        CHECK(opens(d, i, k1, cap) == (r[i].owner == DEV0 && r[i].epoch == 1));
        CHECK(opens(d, i, k2, cap) == (r[i].owner == DEV0 && r[i].epoch == 2));
    }
    data_free(d);
}

static void t_aead_rejects_tampering(void)
{
    cp_rng rng;
    rng_seed(&rng, 5, 0, 0);
    uint8_t key[32], cap[96], pt[100], ct[140], out[100];
    rng_bytes(&rng, key, 32), rng_bytes(&rng, cap, 96), rng_bytes(&rng, pt, 100);
    data_seal(ct, pt, 100, key, 7, 0, 3, cap, &rng);
    CHECK(data_open(out, ct, 140, key, 7, 0, 3, cap) == CR_OK && !memcmp(out, pt, 100));
    ct[60] ^= 1;
    CHECK(data_open(out, ct, 140, key, 7, 0, 3, cap) == CR_EINVALID);
    ct[60] ^= 1;
    CHECK(data_open(out, ct, 140, key, 7, 0, 4, cap) == CR_EINVALID); /* another interval */
    CHECK(data_open(out, ct, 140, key, 8, 0, 3, cap) == CR_EINVALID); /* another owner */
    key[0] ^= 1;
    CHECK(data_open(out, ct, 140, key, 7, 0, 3, cap) == CR_EINVALID);
}

static void t_corrupted_chunk_refetched(void)
{
    uint64_t bad = 0;
    for (cp_node g = 6; g < 10; g++) { /* one of the gateways is the first replica of some chunk */
        data_cfg c = small_cfg();
        c.corrupt_gateway = g;
        data *d = run(&c, 1);
        REQUIRE(d);
        size_t ntr;
        const data_trade *tr = data_trades(d, &ntr);
        CHECK(tr[0].state == DATA_T_FINISHED && tr[0].records_ok == 4);
        CHECK_EQ_U64(data_get_counts(d)->aead_failures, 0);
        bad += tr[0].bad_chunks;
        data_free(d);
    }
    CHECK(bad > 0);
}

static void t_wrong_cfrag_detected(void)
{
    data_cfg c = small_cfg();
    c.dishonest = 1;
    data *d = run(&c, 1);
    REQUIRE(d);
    size_t ntr;
    const data_trade *tr = data_trades(d, &ntr);
    CHECK(tr[0].state == DATA_T_FINISHED); /* 2 honest cfrags of 3 suffice */
    CHECK_EQ_U64(tr[0].bad_cfrags, 2);     /* one per epoch */
    CHECK_EQ_U64(data_get_counts(d)->disputes_received, 1);
    data_free(d);
    c.dishonest = 2;
    d = run(&c, 1);
    REQUIRE(d);
    tr = data_trades(d, &ntr);
    CHECK(tr[0].state == DATA_T_DISPUTED);
    CHECK_EQ_U64(tr[0].records_ok, 0);
    uint8_t key[32];
    CHECK(!data_buyer_key(d, BUYER0, DEV0, 1, key));
    data_free(d);
}

static void t_aggregate_is_plain_sum(void)
{
    data_cfg c = small_cfg();
    data *d = run(&c, 1);
    REQUIRE(d);
    size_t nw;
    const data_window *w = data_windows(d, &nw);
    CHECK_EQ_U64(nw, 4);
    for (size_t i = 0; i < nw; i++) {
        CHECK_EQ_U64(w[i].contributions, 6);
        CHECK(w[i].ok && w[i].result == w[i].plain_sum && w[i].plain_sum > 0);
        CHECK(w[i].done != CP_TIME_NEVER && w[i].done > w[i].closed);
    }
    CHECK_EQ_U64(data_get_counts(d)->agg_bad, 0);
    data_free(d);
}

static int same(const data *a, const data *b)
{
    size_t na, nb, ta, tb;
    const data_record *ra = data_records(a, &na), *rb = data_records(b, &nb);
    const data_tx *xa = data_txs(a, &ta), *xb = data_txs(b, &tb);
    if (na != nb || ta != tb) return 0;
    for (size_t i = 0; i < na; i++)
        if (ra[i].ready != rb[i].ready || ra[i].owner != rb[i].owner) return 0;
    if (ta && (xa[ta - 1].off + xa[ta - 1].len != xb[tb - 1].off + xb[tb - 1].len ||
               memcmp(data_tx_bytes(a), data_tx_bytes(b), xa[ta - 1].off + xa[ta - 1].len)))
        return 0;
    const data_trade *pa = data_trades(a, &na), *pb = data_trades(b, &nb);
    return pa[0].plaintext == pb[0].plaintext;
}

static void t_determinism(void)
{
    data_cfg c = small_cfg();
    data *a = run(&c, 3), *b = run(&c, 3), *x = run(&c, 4);
    REQUIRE(a && b && x);
    CHECK(same(a, b));
    CHECK(!same(a, x));
    data_free(a), data_free(b), data_free(x);
}

static void t_bad_cfg(void)
{
    data_cfg c = small_cfg();
    char err[200] = "";
    c.enc_interval = CP_S(30);
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "enc_interval"));
    c = small_cfg();
    c.pre_t = 4;
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "pre_t"));
    c = small_cfg();
    CHECK(data_new(&c, 19, 1, err, sizeof err) == NULL && strstr(err, "roles"));
}

static void t_model_battery(void)
{
    data_model m = data_model_default();
    m.kind = DATA_MODEL_BATTERY; /* fade 0.001/cycle, x5 for fast, fails below 0.8 */
    uint32_t fast = 0;
    for (uint32_t v = 0; v < 10000; v++) {
        int f = data_model_fast(&m, 7, v);
        fast += (uint32_t)f;
        CHECK_EQ_U64(data_model_fail_sample(&m, 7, v), f ? 41 : 201); /* floor(0.2 / rate) + 1 */
    }
    CHECK(fast > 800 && fast < 1200);
    uint8_t p[DATA_MODEL_READING];
    for (uint64_t j = 0; j < 300; j += 7) {
        data_model_rd rd;
        data_model_reading(&m, 7, 3, j, 60.0, 1000 + j, p, sizeof p);
        data_model_decode(&m, p, &rd);
        double want = 1 - data_model_fade_rate(&m, 7, 3) * (double)j;
        CHECK(rd.t == 1000 + j && rd.dev == 3 && rd.cycle == j && rd.value < 1000);
        CHECK_NEAR(rd.health_ppm / 1e6, want < 0 ? 0 : want, 0.0036); /* 3.5 sigma of the noise */
        CHECK(rd.soc_pm >= 200 && rd.soc_pm <= 1000);
        CHECK_EQ_U64(rd.value, data_model_value(&m, 7, 3, j, 60.0));
    }
}

static void t_model_vehicle(void)
{
    data_model m = data_model_default();
    m.kind = DATA_MODEL_VEHICLE, m.gateways = 16; /* grid 20, cells of 5 blocks, 12 m/s */
    double cut = m.speed_mps * (1 + m.congestion_factor) / 2;
    uint32_t changes = 0;
    for (uint32_t v = 0; v < 50; v++) {
        data_model_rd a, b;
        uint8_t p[DATA_MODEL_READING];
        data_model_reading(&m, 5, v, 0, 1.0, 0, p, sizeof p);
        data_model_decode(&m, p, &a);
        for (uint64_t j = 1; j < 600; j++) {
            data_model_reading(&m, 5, v, j, 1.0, j, p, sizeof p);
            data_model_decode(&m, p, &b);
            CHECK(b.segment / m.grid == a.segment / m.grid); /* same road */
            CHECK(b.handovers >= a.handovers && b.handovers <= a.handovers + 1);
            changes += b.gateway != a.gateway;
            CHECK((b.gateway != a.gateway) <= (b.handovers != a.handovers));
            CHECK_EQ_U64(b.gateway, data_model_gateway(&m, 5, v, j, 1.0, 16));
            CHECK((b.speed_cms / 100.0 < cut) == data_model_congested(&m, 5, b.segment));
            a = b;
        }
    }
    CHECK(changes > 50);
}

static void t_model_in_protocol(void)
{
    data_cfg c = small_cfg();
    c.model = data_model_default();
    c.model.kind = DATA_MODEL_VEHICLE, c.model.speed_mps = 40, c.model.cell_blocks = 2;
    data *d = run(&c, 2);
    REQUIRE(d);
    size_t nr, nw;
    const data_record *r = data_records(d, &nr);
    c.model.gateways = 4; /* as data_new sets it */
    uint32_t moved = 0, opened = 0;
    for (size_t i = 0; i < nr; i++) {
        uint64_t last = (r[i].interval + 1) * 20 - 1; /* 20 samples per upload */
        CHECK_EQ_U64(r[i].gateway, 6 + data_model_gateway(&c.model, 2, r[i].owner, last, 1.0, 4));
        moved += i >= 6 && r[i].gateway != r[i - 6].gateway;
        uint8_t key[32], *ct = NULL, pt[20 * 32];
        size_t len;
        if (!data_buyer_key(d, BUYER0, r[i].owner, r[i].epoch, key) || data_record_ciphertext(d, (uint32_t)i, &ct, &len))
            continue;
        CHECK(data_open(pt, ct, len, key, r[i].owner, 0, r[i].interval, data_record_capsule(d, (uint32_t)i)) == CR_OK);
        free(ct);
        for (uint64_t j = 0; j < 20; j++) {
            uint8_t want[32];
            uint64_t t = r[i].first_reading + j * CP_S(1);
            data_model_reading(&c.model, 2, r[i].owner, r[i].interval * 20 + j, 1.0, t, want, 32);
            CHECK(memcmp(pt + j * 32, want, 32) == 0);
        }
        opened++;
    }
    CHECK(moved > 0);
    CHECK_EQ_U64(opened, 4); /* dev 0, epochs 1..2 of 40 s: intervals 2..5 of 20 s */
    const data_window *w = data_windows(d, &nw);
    for (size_t i = 0; i < nw; i++) CHECK(w[i].ok && w[i].plain_sum > 0);
    data_free(d);
}

static void t_model_bad_cfg(void)
{
    data_cfg c = small_cfg();
    char err[200] = "";
    c.model.kind = DATA_MODEL_BATTERY, c.reading_size = 16;
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "reading_size"));
}


static void t_model_events(void)
{
    data_model m = data_model_default();
    m.kind = DATA_MODEL_VEHICLE, m.gateways = 4;
    uint8_t p[DATA_MODEL_READING];
    data_model_rd rd;
    for (uint64_t j = 0; j < 200; j++) { /* no rates: bytes 28..29 stay zero (navigation runs unchanged) */
        data_model_reading(&m, 3, 1, j, 1.0, j, p, sizeof p);
        CHECK(p[28] == 0 && p[29] == 0);
    }
    m.speeding = 0.05, m.braking = 0.02;
    for (uint32_t v = 0; v < 6; v++) {
        uint64_t sp = 0, br = 0, n = 20000;
        for (uint64_t j = 0; j < n; j++) {
            data_model_reading(&m, 3, v, j, 1.0, j, p, sizeof p);
            data_model_decode(&m, p, &rd);
            CHECK(rd.speeding <= 1 && rd.braking <= 1);
            sp += rd.speeding, br += rd.braking;
        }
        double r = data_model_risk(&m, 3, v), ps = 0.05 * (0.5 + r), pb = 0.02 * (0.5 + r);
        CHECK(r >= 0 && r < 1);
        CHECK_NEAR(data_model_p_speeding(&m, 3, v), ps, 1e-12);
        CHECK_NEAR((double)sp / n, ps, 5 * sqrt(ps / n)); /* 5 sigma of a binomial mean */
        CHECK_NEAR((double)br / n, pb, 5 * sqrt(pb / n));
    }
}

static data_model camera_model(void)
{
    data_model m = data_model_default();
    m.kind = DATA_MODEL_CAMERA, m.approaches = 2, m.lanes = 3, m.flow_vph = 900, m.bitrate_bps = 8000;
    return m;
}

static void t_model_camera(void)
{
    data_model m = camera_model();
    m.bitrate_bps = 1.6e6;
    CHECK_EQ_U64(data_model_segment_bytes(&m, 10.0), 2000000); /* 1.6 Mbit/s x 10 s / 8 */
    m.bitrate_bps = 8000;
    uint64_t n = data_model_segment_bytes(&m, 20.0); /* 20000 B */
    CHECK_EQ_U64(n, 20000);
    uint8_t *full = malloc(n), part[777];
    REQUIRE(full);
    double sum[2] = {0};
    for (uint64_t j = 0; j < 600; j++) {
        for (uint32_t dev = 4; dev < 6; dev++) { /* intersection 2, approaches 0 and 1 */
            data_model_segment(&m, 9, dev, j, 20.0, 1000 + j, 0, full, n);
            data_model_seg sg;
            REQUIRE(data_model_segment_decode(full, n, &sg) == 0);
            CHECK(sg.dev == dev && sg.j == j && sg.t == 1000 + j && sg.intersection == 2 && sg.approach == dev - 4);
            REQUIRE(sg.lanes == 3);
            uint32_t tot = 0;
            for (uint32_t l = 0; l < 3; l++) {
                CHECK_EQ_U64(sg.count[l], data_model_lane_count(&m, 9, dev, l, j, 20.0));
                tot += sg.count[l];
            }
            CHECK_EQ_U64(data_model_value(&m, 9, dev, j, 20.0), tot);
            sum[dev - 4] += tot;
            uint64_t off = (j * 7919) % (n - sizeof part); /* any slice equals the same bytes of the whole */
            data_model_segment(&m, 9, dev, j, 20.0, 1000 + j, off, part, sizeof part);
            CHECK(memcmp(part, full + off, sizeof part) == 0);
        }
    }
    for (uint32_t a = 0; a < 2; a++) { /* mean count = flow x 20 s / 3600 per lane (5 sigma) */
        double lam = data_model_lane_flow(&m, 9, 2, a) * 20 / 3600 * 3;
        CHECK(lam >= 3 * 900 * 0.5 * 20 / 3600 - 1e-9 && lam <= 3 * 900 * 1.5 * 20 / 3600 + 1e-9);
        CHECK_NEAR(sum[a] / 600, lam, 5 * sqrt(lam / 600));
    }
    free(full);
}

static data_cfg camera_cfg(void)
{
    data_cfg c = small_cfg();
    c.model = camera_model();
    c.sample_interval = c.upload_interval = CP_S(20), c.chunk_size = 1024; /* 20040 B: 20 chunks */
    return c;
}

/* Every record of d: its regenerated chunks match their addresses (from the record transaction)
 * and the buyer's key opens the regenerated ciphertext to the model's segment. */
static uint32_t check_camera_records(data *d, const data_cfg *c)
{
    size_t n, nt;
    const data_record *r = data_records(d, &n);
    const data_tx *tx = data_txs(d, &nt);
    uint32_t opened = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *ct = NULL, key[32], h[32];
        size_t len;
        chain_tx t;
        if (r[i].tx >= nt || data_record_ciphertext(d, (uint32_t)i, &ct, &len) ||
            chain_tx_decode(data_tx_bytes(d) + tx[r[i].tx].off, tx[r[i].tx].len, &t) != CHAIN_OK) {
            CHECK(!"record with its transaction and ciphertext");
            free(ct);
            continue;
        }
        CHECK(len == 20040 && r[i].n_chunks == 20);
        for (uint32_t k = 0; k < r[i].n_chunks; k++) {
            cr_hash(h, ct + k * 1024, k + 1 < r[i].n_chunks ? 1024 : len - k * 1024);
            CHECK(memcmp(h, t.payload + CHAIN_RECORD_HDR + 32 * k, 32) == 0);
        }
        if (data_buyer_key(d, BUYER0, r[i].owner, r[i].epoch, key)) {
            uint8_t *pt = malloc(20000), *want = malloc(20000), head[38];
            if (!pt || !want) abort();
            CHECK(data_open(pt, ct, len, key, r[i].owner, 0, r[i].interval, data_record_capsule(d, (uint32_t)i)) == CR_OK);
            data_model_segment(&c->model, 1, r[i].owner, r[i].interval, 20.0, r[i].first_reading, 0, want, 20000);
            CHECK(memcmp(pt, want, 20000) == 0);
            CHECK(data_record_prefix(d, (uint32_t)i, key, head, sizeof head) == 0 && memcmp(head, want, sizeof head) == 0);
            opened++;
            free(pt), free(want);
        }
        free(ct);
    }
    return opened;
}

static void t_camera_lazy_in_protocol(void)
{
    data_cfg c = camera_cfg();
    data *d = run(&c, 1);
    REQUIRE(d);
    size_t n;
    data_records(d, &n);
    const data_counts *k = data_get_counts(d);
    CHECK_EQ_U64(n, 6 * 9);
    CHECK_EQ_U64(k->records_ready, n);
    CHECK(k->finished == 1 && k->aead_failures == 0 && k->plaintext_mismatch == 0 && k->malformed == 0);
    CHECK_EQ_U64(check_camera_records(d, &c), 4); /* epochs 1..2 of 40 s: intervals 2..5 of 20 s */
    uint64_t held[4], sum = 0;
    data_stored_bytes(d, held);
    for (int g = 0; g < 4; g++) sum += held[g];
    CHECK_EQ_U64(sum, n * 20040 * 3); /* every chunk at its 3 replicas */
    data_free(d);
    c.corrupt_gateway = 6; /* gateway 0 serves flipped bytes: detected by the address, refetched */
    d = run(&c, 1);
    REQUIRE(d);
    CHECK(data_get_counts(d)->bad_chunks > 0 && data_get_counts(d)->finished == 1);
    CHECK(data_get_counts(d)->aead_failures == 0);
    data_free(d);
}

static void t_camera_bad_cfg(void)
{
    data_cfg c = camera_cfg();
    char err[200] = "";
    c.sample_interval = CP_S(10);
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "upload_interval"));
    c = camera_cfg(), c.chunk_size = 512; /* 40 chunks > 31 */
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "chunk_size"));
    c = camera_cfg(), c.model.lanes = 17;
    CHECK(data_new(&c, 20, 1, err, sizeof err) == NULL && strstr(err, "camera"));
}

/* 4 records x 20 chunks: all at once they arrive within about one 20 ms round trip; one at a
 * time (fetch_window 1) each waits for the previous, so at least 80 round trips: 1.6 s. */
static void t_fetch_window(void)
{
    cp_time took[2];
    for (uint32_t w = 0; w < 2; w++) {
        data_cfg c = camera_cfg();
        c.fetch_window = w;
        data *d = run(&c, 1);
        REQUIRE(d);
        size_t nt;
        const data_trade *t = data_trades(d, &nt);
        REQUIRE(nt == 1 && t[0].state == DATA_T_FINISHED);
        CHECK(t[0].records == 4 && t[0].records_ok == 4 && t[0].refetches == 0);
        took[w] = t[0].plaintext - t[0].delivered;
        data_free(d);
    }
    CHECK(took[0] < CP_MS(200));
    CHECK(took[1] >= CP_MS(1600));
}

TEST_MAIN(TEST(t_records_ready), TEST(t_buyer_gets_exactly_what_it_bought), TEST(t_aead_rejects_tampering),
          TEST(t_corrupted_chunk_refetched), TEST(t_wrong_cfrag_detected), TEST(t_aggregate_is_plain_sum),
          TEST(t_determinism), TEST(t_bad_cfg), TEST(t_model_battery), TEST(t_model_vehicle),
          TEST(t_model_in_protocol), TEST(t_model_bad_cfg), TEST(t_model_events), TEST(t_model_camera),
          TEST(t_camera_lazy_in_protocol), TEST(t_camera_bad_cfg), TEST(t_fetch_window))
