/* core/data/data_model.h: device models that generate the readings of the data platform
 * (prefix data_model_): generic (data_reading_value), battery (EV battery packs whose state of
 * health fades per charge cycle) and vehicle (on-board units driving on a road grid, handed
 * over between roadside gateways; with event rates set, each driver also has a risk level that
 * drives speeding and harsh-braking events, for usage-based insurance) and camera (roadside
 * cameras filming the approaches of signalised intersections: one video segment per sample).
 *
 * Every function is pure: a reading is a function of (model, seed, device, sample index j,
 * sample interval), so a consumer's analysis can be checked against recomputed ground truth.
 * The reading wire format is fixed (DATA_MODEL_READING bytes, little endian), whatever the
 * model, so batching and encryption do not change:
 *   0..7 sample time (ns)   8..11 device   12..15 value (the aggregated u32, < 1000)
 *   battery: 16..19 cycle, 20..23 health (ppm), 24..25 temperature (0.1 C, signed),
 *            26..27 state of charge (per mille)
 *   vehicle: 16..19 road segment, 20..21 speed (cm/s), 22..23 serving gateway index,
 *            24..27 handovers so far, 28 speeding event (0/1), 29 harsh-braking event (0/1)
 *   the rest is zero.
 * A camera's sample j is one video segment of segment_bytes (bitrate x sample interval / 8):
 *   0..3 "CPV1"   4..11 segment start (ns)   12..15 device   16..23 segment index j
 *   24..27 intersection   28..29 approach   30..31 lanes   32.. per-lane vehicle counts (u16)
 *   then pseudo-random filler (the "video"), every byte a pure function of (seed, device, j),
 *   so any slice can be regenerated alone (data_model_segment with an offset).
 * Must not touch: anything outside core/. No allocation. */
#ifndef DATA_MODEL_H
#define DATA_MODEL_H

#include <stdint.h>

enum { DATA_MODEL_GENERIC, DATA_MODEL_BATTERY, DATA_MODEL_VEHICLE, DATA_MODEL_CAMERA };
#define DATA_MODEL_READING 32 /* bytes a reading needs under battery and vehicle */
#define DATA_MODEL_MAX_LANES 16
#define DATA_MODEL_SEG_HDR(lanes) (32u + 2u * (lanes)) /* bytes of a segment's header */

typedef struct data_model {
    int kind;                 /* DATA_MODEL_* */
    /* battery: health(c) = 1 - rate * c + noise, rate = fade (x fast_factor for fast cells) */
    double fade;              /* health lost per charge cycle (fraction) */
    double fade_noise;        /* std deviation of the measured health (fraction) */
    double fast_fraction;     /* share of batteries that degrade fast_factor times faster */
    double fast_factor;
    double fail_health;       /* a battery fails when its health drops below this */
    uint32_t cycles_per_sample;
    /* vehicle: each vehicle drives along one road (a row or a column) of a grid x grid block
     * torus; roads in congested_fraction are slowed by congestion_factor */
    uint32_t grid, cell_blocks; /* a roadside gateway cell is cell_blocks x cell_blocks blocks */
    double block_m, speed_mps, speed_noise, congested_fraction, congestion_factor;
    uint32_t gateways;        /* roadside gateways (set by data_new from the roles) */
    /* vehicle, insurance: driver risk rho = uniform [0,1) per device; per reading a speeding
     * event with probability speeding * (0.5 + rho), harsh braking braking * (0.5 + rho)
     * (both 0: no events, bytes 28..29 stay zero) */
    double speeding, braking;
    /* camera: camera c watches approach c mod approaches of intersection c / approaches, with
     * `lanes` lanes; each lane of approach a of intersection i has Poisson arrivals at
     * flow_vph * (1 + flow_spread * (2u - 1)), u uniform per (i, a); segments of
     * bitrate_bps * sample interval / 8 bytes */
    uint32_t approaches, lanes;
    double flow_vph, flow_spread, bitrate_bps;
} data_model;

/* A decoded segment header (camera). */
typedef struct data_model_seg {
    uint64_t t, j;
    uint32_t dev, intersection, approach, lanes;
    uint32_t count[DATA_MODEL_MAX_LANES];
} data_model_seg;

/* A decoded reading (fields of the other model are zero). */
typedef struct data_model_rd {
    uint64_t t;
    uint32_t dev, value;
    uint32_t cycle, health_ppm, soc_pm; int32_t temp_dc;          /* battery */
    uint32_t segment, speed_cms, gateway, handovers;             /* vehicle */
    uint32_t speeding, braking;                                  /* vehicle events (0/1) */
} data_model_rd;

data_model data_model_default(void);
/* NULL if m is usable with reading_size bytes per reading, else what is wrong. */
const char *data_model_check(const data_model *m, uint32_t reading_size);
/* The aggregated value of device dev at sample j (generic: data_reading_value). */
uint32_t data_model_value(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s);
/* Fill the reading (size bytes, >= 16; >= 32 unless generic) of dev's sample j taken at t. */
void data_model_reading(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                        uint64_t t, uint8_t *p, uint32_t size);
void data_model_decode(const data_model *m, const uint8_t *p, data_model_rd *out);
/* The gateway index (0..gateways-1) dev uploads its sample j through: vehicle: the roadside
 * gateway of its current cell; otherwise dev mod gateways. */
uint32_t data_model_gateway(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                            uint32_t gateways);
/* Ground truth, battery: the degradation rate of dev, whether it is a fast one, and the first
 * sample whose noiseless health is below fail_health (UINT64_MAX: never). */
double data_model_fade_rate(const data_model *m, uint64_t seed, uint32_t dev);
int data_model_fast(const data_model *m, uint64_t seed, uint32_t dev);
uint64_t data_model_fail_sample(const data_model *m, uint64_t seed, uint32_t dev);
/* Ground truth, vehicle: whether the road of segment s is congested. */
int data_model_congested(const data_model *m, uint64_t seed, uint32_t segment);
/* Ground truth, insurance: dev's driver risk in [0,1) and its per-reading event probabilities. */
double data_model_risk(const data_model *m, uint64_t seed, uint32_t dev);
double data_model_p_speeding(const data_model *m, uint64_t seed, uint32_t dev);
double data_model_p_braking(const data_model *m, uint64_t seed, uint32_t dev);

/* Camera: bytes of one segment (bitrate x sample_s / 8, at least the header). */
uint64_t data_model_segment_bytes(const data_model *m, double sample_s);
/* Bytes [off, off + len) of camera dev's segment j starting at t (len may be anything). */
void data_model_segment(const data_model *m, uint64_t seed, uint32_t dev, uint64_t j, double sample_s,
                        uint64_t t, uint64_t off, uint8_t *p, uint64_t len);
/* Decode a segment's header from its first len bytes: 0, or -1 if it is not one. */
int data_model_segment_decode(const uint8_t *p, uint64_t len, data_model_seg *out);
/* Ground truth, camera: the per-lane demand (vehicles per hour) of approach a of intersection i,
 * and the vehicles counted on one lane of dev's segment j (Poisson of flow x sample_s). */
double data_model_lane_flow(const data_model *m, uint64_t seed, uint32_t intersection, uint32_t approach);
uint32_t data_model_lane_count(const data_model *m, uint64_t seed, uint32_t dev, uint32_t lane, uint64_t j,
                               double sample_s);

#endif
