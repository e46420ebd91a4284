/* core/iot/iot_int.h: internals shared by the files of core/iot (not a public contract). */
#ifndef IOT_INT_H
#define IOT_INT_H

#include "core/chain/chain.h"
#include "core/iot/iot.h"
#include "core/vec.h"
#include "core/wire.h"

/* Message kinds (first byte of every message). */
enum { M_NOTE, M_RESERVE, M_RES_OK, M_RES_NO, M_PLUG, M_METER, M_UNPLUG,
       M_HELLO, M_OFFER, M_FULL, M_OPEN, M_LEAVE, M_BILL, M_PAYSIG,
       M_SHIP, M_QUERY, M_HISTORY, M_N };

/* Timer tags: kind in bits 40..47, an index below (tags stay below 2^48 < 2^60). */
#define ITAG(kind, i) (((uint64_t)(kind) << 40) | (uint64_t)(i))
enum { T_NEED = 1, T_RETRY, T_ARRIVE, T_CHARGED, T_RES_TO, T_VISIT, T_LEAVE, T_PARCEL, T_SCAN, T_QUERY,
       T_RIDE, T_RIDE_RETRY, T_WALKED, T_RIDE_TO, T_TRIP, T_RENT_TO, T_PARKED }; /* from T_RIDE: iot_travel.c */

/* Directory cookies: op in the top byte, a round in bits 40..55, a slot in 32..39, an index. */
#define DCOOKIE(op, round, slot, i) (((uint64_t)(op) << 56) | ((uint64_t)((round) & 0xffff) << 40) | \
                                     ((uint64_t)((slot) & 0xff) << 32) | (uint64_t)(i))
enum { D_PUT_PILE = 1, D_GET_SLOT, D_PUT_CAR, D_GET_BAY };

#define NONE32 UINT32_MAX
#define IOT_SIG 64
#define PILE_REC 21            /* pile 4, cell 4, free 1, price 8, version 4 (+ signature) */
#define CAR_REC 40             /* car 4, cell 4, bay 1, available 1, soc (per mille) 2, x 4, y 4 (metres),
                                  price_per_min 8, price_per_km 8, version 4 (+ signature) */
#define RENT_REF 0x80000000u   /* a pending transaction's ref names a rental (index below) */

typedef struct pend {          /* a submitted transaction waiting for its commit */
    uint64_t id;
    uint8_t kind;
    uint32_t ref;              /* session or scan index */
    cp_node notify;            /* who gets the NOTE */
    uint8_t *tx;
    uint32_t len;
} pend;

typedef struct pile_st {
    double x, y;
    uint32_t cell, slot, version, session; /* session: reserved or charging, NONE32 if free */
    uint64_t price, res_timer;
    uint8_t open_known;
    double plug_soc;           /* the EV's state of charge at plug-in (from its PLUG) */
    cp_time busy, since;       /* charging time accumulated; start of the current charge */
} pile_st;

typedef struct ev_st {
    double soc;
    uint32_t session;          /* the current need, NONE32 while driving around */
    uint16_t round;            /* directory round of the current need */
    uint32_t gets_left, best;  /* best: pile index found this round, NONE32 if none */
    uint32_t asked;            /* the pile asked or reserved, NONE32 if none */
    uint64_t best_price;
    uint32_t refused[4], n_refused;
    uint32_t cell;
    double x, y;
    uint64_t escrow_seq;
} ev_st;

enum { CAR_IDLE, CAR_RESERVED, CAR_RENTED, CAR_CHARGING, CAR_MOVING, CAR_NSTATES };

typedef struct car_st {        /* a shared car (riders > 0); its battery and position are its ev_st */
    int state;                 /* CAR_* */
    uint32_t cell, bay;        /* the bay it holds (bay NONE32: none) */
    uint32_t version;          /* of its last published record */
    uint32_t rental;           /* reserved or rented, NONE32 if none */
    cp_node rider;             /* the rider of that rental */
    uint64_t res_timer;
    uint64_t note_escrow, hello_escrow; /* the escrow the NOTE and the rider's HELLO named (0: none yet) */
    uint32_t dx, dy;           /* destination (metres), from the HELLO */
    cp_time since, acc[CAR_NSTATES]; /* time of the last state change; time spent in each state */
} car_st;

enum { R_IDLE, R_LOOK, R_WALK, R_WAIT, R_RIDE };

typedef struct rider_st {
    int phase;                 /* R_* */
    uint32_t rental;           /* the current request, NONE32 when idle */
    uint16_t round;
    uint8_t ring;              /* 0: own cell; 1: the 3 x 3 cells around it */
    uint32_t gets_left, best, best_ver, asked, asked_ver;
    uint64_t best_walk;        /* metres on foot to the best car this round */
    uint32_t best_x, best_y;
    uint32_t refused[4], n_refused;
    uint32_t x, y, cell;       /* where the rider stands (metres) */
    uint64_t escrow_seq;
} rider_st;

typedef struct lock_st {
    uint32_t occupied;
    cp_time busy, since;       /* occupied space-time; last change */
} lock_st;

typedef struct drv_st {
    uint32_t visit;
    uint64_t escrow_seq;
} drv_st;

typedef struct parcel_st {
    cp_time created;
    uint32_t route[IOT_MAX_ROUTE], n;
    uint32_t pos;              /* where it is now (route index) */
    uint8_t hash[32];          /* hash of its last scan */
    uint32_t scan0;            /* its first scan's index in the scans array (or NONE32) */
    uint32_t *scans;           /* its scans, in order */
    uint32_t n_scans, cap_scans;
} parcel_st;

typedef struct idx_ent {       /* a committed trace, held by an indexer */
    uint64_t height;
    uint32_t scan;
    uint16_t len;
    uint8_t *tx;
} idx_ent;

typedef struct idx_list {
    idx_ent *e;
    uint32_t n, cap;
} idx_list;

struct iot {
    iot_cfg cfg;
    uint32_t n;
    uint64_t seed;
    cost_table *own_costs;
    const cost_table *costs;
    cp_node first[4];          /* role r: nodes first[r] .. first[r+1]-1 */
    cr_keypair *kp;            /* per node from cfg.first (observer's unused) */
    uint64_t *nonce;           /* per role node: next transaction nonce */
    /* pending transactions, by id */
    pend *pd;
    size_t n_pd, cap_pd;
    uint32_t *pmap;            /* open addressing: pend index or NONE32 */
    size_t pmap_cap;
    uint32_t *pfree;           /* free pend slots */
    size_t n_pfree, cap_pfree;
    /* apps */
    iot_session *ses;
    size_t n_ses, cap_ses;
    pile_st *pile;
    ev_st *ev;
    uint32_t *cell_count;      /* piles per cell */
    car_st *car;               /* riders > 0: per EV */
    rider_st *rider;
    uint32_t *bay_car;         /* cell * bays + bay: the car in it, NONE32 if free */
    uint32_t *bays_free;       /* per cell */
    iot_rental *rent;
    size_t n_rent, cap_rent;
    lock_st *lock;
    drv_st *drv;
    uint32_t *adj_off, *adj;   /* hub graph: adj[adj_off[h] .. adj_off[h+1]) */
    parcel_st *parcel;
    size_t n_parcel;
    iot_scan *scan;
    size_t n_scan, cap_scan;
    idx_list *index;           /* per parcel: the committed traces its indexer holds */
    iot_query *q;
    size_t n_q;
    iot_counts cnt;
    cp_time role_cpu[3];
    uint8_t *buf;              /* encode scratch */
    size_t buf_cap;
};

/* iot.c */
void iot_charge(iot *a, cp_env *env, cost_op op, double units);
const cr_keypair *iot_key(const iot *a, cp_node v);
uint32_t iot_new_session(iot *a, cp_node user, cp_node infra, cp_time need);
/* Submit a signed transaction of env->self; NOTE to `notify` on commit. The id, or 0. */
uint64_t iot_submit(iot *a, cp_env *env, const uint8_t *tx, size_t len, uint8_t kind, uint32_t ref,
                    cp_node notify);
double iot_draw(cp_rng *r, int dist, double mean);

/* iot_wire.c: a bounds-checked writer and a strict reader; signed messages; transactions. */
typedef wire_w iw;
typedef wire_r ir;
#define iw_u8 wire_put_u8
#define iw_u16 wire_put_u16
#define iw_u32 wire_put_u32
#define iw_u64 wire_put_u64
#define iw_bytes wire_put_bytes
#define ir_init wire_r_init
#define ir_u8 wire_get_u8
#define ir_u16 wire_get_u16
#define ir_u32 wire_get_u32
#define ir_u64 wire_get_u64
#define ir_bytes wire_get_bytes
#define ir_done wire_done
void iw_init(iw *w, iot *a); /* a writer on the app's message buffer */
/* Signature over BLAKE2b-256("cpsim-iot" || b) by env->self (charged); its check with v's key. */
void iot_sign_body(iot *a, cp_env *env, const uint8_t *b, size_t n, uint8_t sig[64]);
int iot_check_body(iot *a, cp_env *env, cp_node v, const uint8_t *b, size_t n, const uint8_t sig[64]);
/* Sign w's bytes as env->self (appends 64 bytes) and send to `to`. 0 or negative. */
int iot_send_signed(iot *a, cp_env *env, cp_node to, iw *w);
/* A signed message from `from` that the receiver's role expects (expected = 0: its kind or
 * sender is wrong for this role; counted malformed, not verified): verifies the trailing
 * signature (charged); on success r covers the body after the kind byte and 1 is returned,
 * else the message is counted bad. */
int iot_open_signed(iot *a, cp_env *env, cp_node from, const cp_msg *m, int expected, ir *r);
/* Verify sig over the 32-byte digest d with node v's key (charged): 1 if good. */
int iot_check_digest(iot *a, cp_env *env, cp_node v, const uint8_t d[32], const uint8_t sig[64]);
/* Transactions of env->self (signed, charged), encoded into out (CHAIN_TX_MAX): the length. */
size_t iot_tx_settle(iot *a, cp_env *env, uint64_t escrow, uint64_t pay, const uint8_t sig[64], uint8_t *out);
/* The payee settles session x's escrow with the payer's countersignature sig over
 * (escrow, pay): checked against from's key (bad_sig counted, 0 returned) and submitted
 * (chain reference ref); 1 if submitted. */
/* The payer's side of session x: reserved now, escrow id (env->self << 32 | ++*seq), an
 * ESCROW_OPEN of `deposit` to payee submitted (chain reference ref). */
void iot_open_escrow(iot *a, cp_env *env, iot_session *x, uint64_t *seq, cp_node payee, uint64_t deposit, uint32_t ref);
int iot_settle_countersigned(iot *a, cp_env *env, cp_node from, iot_session *x, const uint8_t sig[64], uint32_t ref);
/* The payer's side: countersign (escrow, pay) (hash and signature charged), append the
 * signature to w (the message so far: kind and session) and send w, signed, to the payee. */
void iot_countersign(iot *a, cp_env *env, cp_node to, iw *w, uint64_t escrow, uint64_t pay);
size_t iot_tx_trace(iot *a, cp_env *env, uint64_t parcel, uint32_t hub, uint8_t event, uint64_t t,
                    const uint8_t hash[32], uint8_t *out);
/* Decode a transaction strictly, check its key is its sender's and its signature (charged): 0 ok. */
int iot_tx_read(iot *a, cp_env *env, const uint8_t *b, size_t len, chain_tx *tx);
uint64_t iot_get64(const uint8_t *p);
uint32_t iot_get32(const uint8_t *p);

/* iot_model.c */
int iot_model_make(iot *a);
/* The cell of (x, y) km if it has piles, else the one with piles whose centre is nearest. */
uint32_t iot_pile_cell_near(const iot *a, double x, double y);
void iot_model_free(iot *a);

/* iot_ev.c */
void iot_ev_start(iot *a, cp_env *env);
void iot_ev_timer(iot *a, cp_env *env, int kind, uint32_t i);
void iot_ev_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m);
void iot_ev_note(iot *a, cp_env *env, const chain_tx *tx, int valid);
void iot_ev_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *v, uint32_t len);
/* A shared car below soc_low charges from where it stands (the pile flow; riders > 0). */
void iot_ev_need(iot *a, cp_env *env, uint32_t v);

/* iot_travel.c: shared travel (riders > 0). The EV side hands over a car's start, its timers
 * from T_RIDE on, the messages riders send and cars get from riders (RESERVE, HELLO, PAYSIG),
 * NOTEs of escrows riders opened, bay lookups, and a charged car (iot_travel_charged, at the
 * pile `pile`). */
int iot_travel_make(iot *a);
void iot_travel_free(iot *a);
void iot_travel_start(iot *a, cp_env *env);
void iot_travel_timer(iot *a, cp_env *env, int kind, uint32_t i);
void iot_travel_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m);
void iot_travel_note(iot *a, cp_env *env, const chain_tx *tx, int valid);
void iot_travel_dir(iot *a, cp_env *env, uint64_t cookie, int ok, const uint8_t *v, uint32_t len);
void iot_travel_charged(iot *a, cp_env *env, uint32_t v, uint32_t pile);

/* iot_park.c */
void iot_park_start(iot *a, cp_env *env);
void iot_park_timer(iot *a, cp_env *env, int kind, uint32_t i);
void iot_park_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m);
void iot_park_note(iot *a, cp_env *env, const chain_tx *tx, int valid);

/* iot_log.c */
void iot_log_start(iot *a, cp_env *env);
void iot_log_timer(iot *a, cp_env *env, int kind, uint32_t i);
void iot_log_message(iot *a, cp_env *env, cp_node from, uint8_t kind, const cp_msg *m);
void iot_log_note(iot *a, cp_env *env, const chain_tx *tx, uint64_t height, const uint8_t *b, size_t len);

#endif
