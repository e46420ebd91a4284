/* core/data/data_model.c: the device models behind the readings. Every quantity is drawn from a
 * stateless hash of (seed, device, purpose, index), so a reading, a vehicle's position or a
 * battery's fate can be recomputed anywhere in O(1) without replaying the run. Invariant: the
 * aggregated value stays below 1000 (the homomorphic sum decrypts by a bounded discrete log). */
#include "core/data/data_model.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/data/data.h"

enum { H_FAST = 1, H_HNOISE, H_TEMP, H_SOC, H_AXIS, H_ROAD, H_X0, H_VSPEED, H_SNOISE, H_JAM,
       H_RISK, H_SPD, H_BRK, H_DEMAND, H_COUNT, H_FILL };

static uint64_t mix(uint64_t seed, uint32_t dev, uint32_t what, uint64_t j)
{
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ ((uint64_t)dev << 24) ^ ((uint64_t)what << 56) ^ j * 0xD1B54A32D192ED03ull;
    x ^= x >> 33, x *= 0xff51afd7ed558ccdull, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53ull, x ^= x >> 33;
    return x;
}

static double unif(uint64_t seed, uint32_t dev, uint32_t what, uint64_t j)
{
    return (double)(mix(seed, dev, what, j) >> 11) * 0x1p-53;
}

/* Approximately standard normal: the sum of four uniforms, centred and scaled (bounded by 3.5). */
static double gauss(uint64_t seed, uint32_t dev, uint32_t what, uint64_t j)
{
    double s = 0;
    for (uint64_t k = 0; k < 4; k++) s += unif(seed, dev, what, j * 4 + k);
    return (s - 2.0) * sqrt(3.0);
}

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int k = 0; k < n; k++) p[k] = (uint8_t)(v >> (8 * k));
}

static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int k = 0; k < n; k++) v |= (uint64_t)p[k] << (8 * k);
    return v;
}

data_model data_model_default(void)
{
    data_model m = {DATA_MODEL_GENERIC, 0.001, 0.001, 0.1, 5.0, 0.8, 1, 20, 5, 100.0, 12.0, 0.1, 0.2, 0.3, 1, 0, 0,
                    4, 2, 400, 0.5, 1.6e6};
    return m;
}

const char *data_model_check(const data_model *m, uint32_t reading_size)
{
    if (m->kind == DATA_MODEL_GENERIC) return NULL;
    if (reading_size < DATA_MODEL_READING) return "reading_size: battery and vehicle readings need 32 bytes";
    if (m->kind == DATA_MODEL_BATTERY && (m->fade < 0 || m->fast_factor < 1 || m->fail_health <= 0 ||
                                          m->fail_health >= 1 || !m->cycles_per_sample))
        return "battery: expected fade >= 0, fast_factor >= 1, 0 < fail_health < 1, cycles_per_sample >= 1";
    if (m->kind == DATA_MODEL_VEHICLE && (!m->grid || !m->cell_blocks || m->block_m <= 0 || m->speed_mps <= 0 ||
                                          m->congestion_factor <= 0 || m->speed_mps * 3.6 * 1.5 >= 1000))
        return "vehicle: expected grid, cell_blocks, block_m, speed and congestion_factor > 0 (speed < 185 km/h)";
    if (m->kind == DATA_MODEL_VEHICLE && (m->speeding < 0 || m->speeding > 0.66 || m->braking < 0 || m->braking > 0.66))
        return "vehicle: expected speeding and braking in 0..0.66 (probabilities per reading at mean risk)";
    if (m->kind == DATA_MODEL_CAMERA && (!m->approaches || !m->lanes || m->lanes > DATA_MODEL_MAX_LANES ||
                                         m->flow_vph < 0 || m->flow_spread < 0 || m->flow_spread >= 1 ||
                                         m->bitrate_bps <= 0))
        return "camera: expected approaches >= 1, lanes 1..16, flow_vph >= 0, 0 <= flow_spread < 1, bitrate > 0";
    return NULL;
}

/* ---- battery -------------------------------------------------------------------------- */

int data_model_fast(const data_model *m, uint64_t seed, uint32_t dev)
{
    return unif(seed, dev, H_FAST, 0) < m->fast_fraction;
}

double data_model_fade_rate(const data_model *m, uint64_t seed, uint32_t dev)
{
    return m->fade * (data_model_fast(m, seed, dev) ? m->fast_factor : 1.0);
}

uint64_t data_model_fail_sample(const data_model *m, uint64_t seed, uint32_t dev)
{
    double per_sample = data_model_fade_rate(m, seed, dev) * m->cycles_per_sample;
    if (per_sample <= 0) return UINT64_MAX;
    return (uint64_t)floor((1.0 - m->fail_health) / per_sample + 1e-9) + 1; /* exact on the boundary */
}

static double health(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j)
{
    double h = 1.0 - data_model_fade_rate(m, seed, dev) * (double)(j * m->cycles_per_sample) +
               m->fade_noise * gauss(seed, dev, H_HNOISE, j);
    return h < 0 ? 0 : h > 1 ? 1 : h;
}

static void battery(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, uint8_t *p)
{
    double h = health(m, seed, dev, j);
    double temp = 250 + 150 * (1 - h) + 20 * gauss(seed, dev, H_TEMP, j);
    put(p + 12, (uint32_t)(h * 1000.0), 4);
    put(p + 16, (uint32_t)(j * m->cycles_per_sample), 4);
    put(p + 20, (uint32_t)(h * 1e6), 4);
    put(p + 24, (uint16_t)(int16_t)lrint(temp), 2);
    put(p + 26, 200 + (uint16_t)(800 * unif(seed, dev, H_SOC, j)), 2);
}

/* ---- vehicle -------------------------------------------------------------------------- */

typedef struct pos {
    uint32_t axis, road, x, segment, gateway, handovers;
    double speed;
} pos;

int data_model_congested(const data_model *m, uint64_t seed, uint32_t segment)
{
    uint32_t road = segment / m->grid; /* axis * grid + road */
    return unif(seed, road, H_JAM, 0) < m->congested_fraction;
}

static uint32_t cell_gw(const data_model *m, uint32_t axis, uint32_t road, uint32_t x, uint32_t gateways)
{
    uint32_t cells = (m->grid + m->cell_blocks - 1) / m->cell_blocks;
    uint32_t cx = (axis ? road : x) / m->cell_blocks, cy = (axis ? x : road) / m->cell_blocks;
    return (cy * cells + cx) % gateways;
}

static pos where(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s, uint32_t gateways)
{
    pos q;
    q.axis = (uint32_t)(mix(seed, dev, H_AXIS, 0) & 1);
    q.road = (uint32_t)(mix(seed, dev, H_ROAD, 0) % m->grid);
    uint32_t x0 = (uint32_t)(mix(seed, dev, H_X0, 0) % m->grid);
    double f = 1 + m->speed_noise * gauss(seed, dev, H_VSPEED, 0);
    q.speed = m->speed_mps * (f < 0.2 ? 0.2 : f);
    if (data_model_congested(m, seed, (q.axis * m->grid + q.road) * m->grid)) q.speed *= m->congestion_factor;
    uint64_t blocks = (uint64_t)(q.speed * sample_s * (double)j / m->block_m), X = x0 + blocks;
    uint32_t cells = (m->grid + m->cell_blocks - 1) / m->cell_blocks;
    q.x = (uint32_t)(X % m->grid);
    q.segment = (q.axis * m->grid + q.road) * m->grid + q.x;
    q.gateway = cell_gw(m, q.axis, q.road, q.x, gateways);
    q.handovers = cells < 2 ? 0 : (uint32_t)((X / m->grid) * cells + q.x / m->cell_blocks - x0 / m->cell_blocks);
    return q;
}

double data_model_risk(const data_model *m, uint64_t seed, uint32_t dev)
{
    (void)m;
    return unif(seed, dev, H_RISK, 0);
}

double data_model_p_speeding(const data_model *m, uint64_t seed, uint32_t dev)
{
    return m->speeding * (0.5 + data_model_risk(m, seed, dev));
}

double data_model_p_braking(const data_model *m, uint64_t seed, uint32_t dev)
{
    return m->braking * (0.5 + data_model_risk(m, seed, dev));
}

static void vehicle(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s, uint8_t *p)
{
    pos q = where(m, seed, dev, j, sample_s, m->gateways ? m->gateways : 1);
    double v = q.speed * (1 + 0.5 * m->speed_noise * gauss(seed, dev, H_SNOISE, j));
    v = v < 0 ? 0 : v;
    put(p + 12, (uint32_t)(v * 3.6), 4);
    put(p + 16, q.segment, 4);
    put(p + 20, (uint16_t)lrint(v * 100 > 65535 ? 65535 : v * 100), 2);
    put(p + 22, q.gateway, 2);
    put(p + 24, q.handovers, 4);
    if (m->speeding > 0) p[28] = unif(seed, dev, H_SPD, j) < data_model_p_speeding(m, seed, dev);
    if (m->braking > 0) p[29] = unif(seed, dev, H_BRK, j) < data_model_p_braking(m, seed, dev);
}

/* ---- camera --------------------------------------------------------------------------- */

double data_model_lane_flow(const data_model *m, uint64_t seed, uint32_t intersection, uint32_t approach)
{
    return m->flow_vph * (1 + m->flow_spread * (2 * unif(seed, intersection, H_DEMAND, approach) - 1));
}

/* Poisson by inversion (mean below 200), else its normal approximation; at most 65535. */
static uint32_t poisson(double lambda, double u, double z)
{
    if (lambda >= 200) {
        double k = floor(lambda + sqrt(lambda) * z + 0.5);
        return k < 0 ? 0 : k > 65535 ? 65535 : (uint32_t)k;
    }
    double pk = exp(-lambda), cdf = pk;
    uint32_t k = 0;
    while (u > cdf && k < 65535 && pk > 0) k++, pk *= lambda / k, cdf += pk;
    return k;
}

uint32_t data_model_lane_count(const data_model *m, uint64_t seed, uint32_t dev, uint32_t lane, uint64_t j,
                               double sample_s)
{
    uint32_t i = dev / m->approaches, a = dev % m->approaches;
    double lambda = data_model_lane_flow(m, seed, i, a) * sample_s / 3600.0;
    uint64_t idx = j * DATA_MODEL_MAX_LANES + lane;
    return poisson(lambda, unif(seed, dev, H_COUNT, idx), gauss(seed, dev, H_COUNT, idx + (1ull << 60)));
}

uint64_t data_model_segment_bytes(const data_model *m, double sample_s)
{
    double b = floor(m->bitrate_bps * sample_s / 8 + 0.5);
    return b < DATA_MODEL_SEG_HDR(m->lanes) ? DATA_MODEL_SEG_HDR(m->lanes) : (uint64_t)b;
}

static void seg_header(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s, uint64_t t,
                       uint8_t *h)
{
    memcpy(h, "CPV1", 4);
    put(h + 4, t, 8);
    put(h + 12, dev, 4);
    put(h + 16, j, 8);
    put(h + 24, dev / m->approaches, 4);
    put(h + 28, dev % m->approaches, 2);
    put(h + 30, m->lanes, 2);
    for (uint32_t l = 0; l < m->lanes; l++) put(h + 32 + 2 * l, data_model_lane_count(m, seed, dev, l, j, sample_s), 2);
}

void data_model_segment(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                        uint64_t t, uint64_t off, uint8_t *p, uint64_t len)
{
    uint8_t h[DATA_MODEL_SEG_HDR(DATA_MODEL_MAX_LANES)];
    uint64_t hl = DATA_MODEL_SEG_HDR(m->lanes), o = off, end = off + len;
    seg_header(m, seed, dev, j, sample_s, t, h);
    for (; o < end && o < hl; o++) *p++ = h[o];
    while (o < end) { /* filler: one hashed 64-bit word per 8 bytes of the segment */
        uint64_t w = mix(seed, dev, H_FILL, (j << 32) + o / 8);
        for (uint64_t k = o % 8; k < 8 && o < end; k++, o++) *p++ = (uint8_t)(w >> (8 * k));
    }
}

int data_model_segment_decode(const uint8_t *p, uint64_t len, data_model_seg *o)
{
    *o = (data_model_seg){0};
    if (len < 32 || memcmp(p, "CPV1", 4)) return -1;
    o->t = get(p + 4, 8), o->dev = (uint32_t)get(p + 12, 4), o->j = get(p + 16, 8);
    o->intersection = (uint32_t)get(p + 24, 4), o->approach = (uint32_t)get(p + 28, 2);
    o->lanes = (uint32_t)get(p + 30, 2);
    if (!o->lanes || o->lanes > DATA_MODEL_MAX_LANES || len < DATA_MODEL_SEG_HDR(o->lanes)) return -1;
    for (uint32_t l = 0; l < o->lanes; l++) o->count[l] = (uint32_t)get(p + 32 + 2 * l, 2);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------- */

uint32_t data_model_value(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s)
{
    if (m->kind == DATA_MODEL_GENERIC) return data_reading_value(seed, dev, j);
    if (m->kind == DATA_MODEL_CAMERA) {
        uint32_t sum = 0;
        for (uint32_t l = 0; l < m->lanes; l++) sum += data_model_lane_count(m, seed, dev, l, j, sample_s);
        return sum < 999 ? sum : 999;
    }
    uint8_t p[DATA_MODEL_READING] = {0};
    data_model_reading(m, seed, dev, j, sample_s, 0, p, sizeof p);
    return (uint32_t)get(p + 12, 4);
}

void data_model_reading(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                        uint64_t t, uint8_t *p, uint32_t size)
{
    for (uint32_t k = 16; k < size; k++) p[k] = 0;
    put(p, t, 8);
    put(p + 8, dev, 4);
    if (m->kind == DATA_MODEL_BATTERY) battery(m, seed, dev, j, p);
    else if (m->kind == DATA_MODEL_VEHICLE) vehicle(m, seed, dev, j, sample_s, p);
    else put(p + 12, data_reading_value(seed, dev, j), 4);
}

void data_model_decode(const data_model *m, const uint8_t *p, data_model_rd *o)
{
    *o = (data_model_rd){0};
    o->t = get(p, 8), o->dev = (uint32_t)get(p + 8, 4), o->value = (uint32_t)get(p + 12, 4);
    if (m->kind == DATA_MODEL_BATTERY) {
        o->cycle = (uint32_t)get(p + 16, 4), o->health_ppm = (uint32_t)get(p + 20, 4);
        o->temp_dc = (int16_t)(uint16_t)get(p + 24, 2), o->soc_pm = (uint32_t)get(p + 26, 2);
    } else if (m->kind == DATA_MODEL_VEHICLE) {
        o->segment = (uint32_t)get(p + 16, 4), o->speed_cms = (uint32_t)get(p + 20, 2);
        o->gateway = (uint32_t)get(p + 22, 2), o->handovers = (uint32_t)get(p + 24, 4);
        o->speeding = p[28], o->braking = p[29];
    }
}

uint32_t data_model_gateway(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                            uint32_t gateways)
{
    if (m->kind != DATA_MODEL_VEHICLE) return dev % gateways;
    return where(m, seed, dev, j, sample_s, gateways).gateway;
}
