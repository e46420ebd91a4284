/* core/lbft/lbft_int.h: internals shared by the files of core/lbft (not for other modules).
 *
 * Files by concern: lbft.c the state machine (validators' normal path and impeachment,
 * proposers, sync, dispatch, lifecycle); lbft_msg.c messages, signatures and sending;
 * lbft_elect.c the proposer schedule and the DPoR election; lbft_rec.c the checker and the
 * observer's records; lbft_load.c clients and transactions; lbft_fault.c fault injection;
 * lbft_civ.c civilians; lbft_lg.c the ledger.
 *
 * Layout of a message: type (1), header (HDR), seal (SEAL), the signer bitmap (one 64-bit
 * word per 64 validators), the present signatures in index order, then the transaction count
 * (4) and ids (8 each). Node roles: validators 0..n-1, proposers n..n+p-1, twin instances
 * tw0..base-1, then clients and civilians. */
#ifndef LBFT_INT_H
#define LBFT_INT_H

#include "core/lbft/lbft.h"
#include "core/dpor/dpor.h"
#include "core/lbft/lbft_lg.h"
#include "core/graph/graph.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define HDR 88           /* height 8, parent 32, time 8, proposer 4, impeach 1, pad 3, tx digest 32 */
#define SEAL 64
#define SIGS_AT (1 + HDR + SEAL) /* the signer bitmap, then the present signatures */
#define SLOT 65          /* CPChain's wire form: one 65-byte slot per validator, empty = zeros */
#define NONE UINT32_MAX
#define TXLEN (1 + 8 + 4 + 4 + 64) /* type, id, client, pad, signature */
#define CLIENT_TAG ((1ull << 60) - 1) /* above any height; below 2^60 (env.h) */
#define RESEND_BIT (1ull << 59)       /* resend timers: RESEND_BIT | resends << 52 | id */
#define RESEND_ID ((1ull << 52) - 1)
#define SYNCLEN 9        /* type, first height wanted */
#define SYNC_BATCH 256   /* blocks sent per sync request at most */

enum { IDLE, PREPARE, COMMIT, VALIDATE };

typedef struct sigset {
    uint32_t count;
    uint64_t *have;      /* bitmap of n bits */
    uint8_t (*sig)[64];  /* n signatures */
} sigset;

/* The last (message, signature) verified per signer and message form (32-byte hash, or the
 * 39-byte "Prepare" form): every validator checks the same signatures of a height, so one
 * exact comparison replaces the memo's hashing for all but the first. Used only when the
 * memo is on (it is a memo: identical inputs, identical result). */
typedef struct vcache_slot {
    uint8_t msg[39], len, used, valid;
    uint8_t sig[64];
} vcache_slot;

typedef struct vstate {
    uint64_t height;            /* the open height: head + 1 */
    uint8_t head[32];
    cp_time head_time;
    int state;
    int have_block;             /* the proposer's block for this height was accepted */
    int have_body;              /* the candidate's transactions are in hand (accepted, or kept though
                                   late: cache_block), so Validate can be composed */
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    sigset prep, comm;
    int sent_validate;
    uint8_t ihdr[HDR], ihash[32];
    sigset iprep, icomm;
    int impeaching, isigned_c, isent_validate;
    uint8_t cause;              /* LBFT_CAUSE_* when the impeach deadline fired */
    uint64_t timer;
    uint64_t last_signed;       /* height of the last normal block signed */
    cp_msg **future;            /* messages for height + 1, replayed on entering it */
    uint32_t n_future, cap_future;
    uint64_t *txs;              /* the accepted block's transaction ids */
    uint32_t ntx, cap_txs;
    cp_time sync_at;            /* last sync request (rate limit) */
    lbft_vstats st;             /* lbft_validator_stats */
} vstate;

typedef struct pstate {
    uint64_t height;            /* head height */
    uint8_t head[32];
    cp_time head_time;
    uint64_t *pool;             /* pending transaction ids, oldest first */
    uint32_t n_pool, cap_pool;
    cp_time sync_at;
} pstate;

struct lbft {
    lbft_cfg cfg;
    uint32_t n, f, n_nodes;
    uint32_t tw0, base;         /* twin instances: nodes tw0 .. base - 1 (twins[i] at tw0 + i);
                                   clients and civilians from base on */
    cr_keypair *keys;           /* validators' and proposers' key pairs (each node signs with its own) */
    vcache_slot *vcache;        /* (validators + proposers) x 2, NULL when the memo is off */
    vstate *v;
    pstate *p;
    lbft_block_rec *blocks;
    uint64_t n_blocks, cap_blocks;
    uint8_t (*first_hash)[32];  /* per height: the first hash any validator inserted */
    uint8_t *first_set;
    uint32_t *first_prop;       /* per height: its proposer, NONE for an impeach block */
    uint32_t *terms;            /* elected proposer lists, term_len per term (term index) */
    uint8_t *term_set;
    uint64_t n_terms;
    uint64_t hash_cap;
    uint64_t violations, malformed, bad_sigs, resends;
    lbft_violation *vlist;
    uint64_t n_vlist, cap_vlist;
    lbft_tx_rec *tx;
    uint8_t *tx_ext;            /* per transaction: 1 if another layer submitted it (lbft_submit) */
    uint64_t n_tx, cap_tx;
    lbft_commit_fn hook;        /* lbft_set_commit_hook */
    void *hook_ctx;
    uint8_t (*node_pk)[32];     /* public keys of every node, derived on first use */
    uint8_t *node_pk_set;
    uint32_t nciv, civ0;        /* civilians: nodes civ0 .. civ0 + nciv - 1 */
    graph civ;                  /* their relay graph (civilian indices) */
    uint64_t *civ_height;       /* per civilian: its head height */
    uint8_t (*civ_head)[32];
    cp_time *civ_arrival;       /* (heights + 1) x nciv */
    lbft_lg *lg;                /* ledger mode (cfg.ledger), else NULL */
    cp_msg **store;             /* per height: the certified block (NEWBLOCK form) first inserted;
                                   what validators send a peer that syncs (identical bytes on every
                                   honest validator, so kept once) */
    uint64_t cap_store;
};

/* ---- roles ---- */

/* The validator or proposer a node plays: itself, or for a twin instance the node it twins
 * (same key, same validator index or proposer seat). */
static inline uint32_t role_of(const lbft *l, uint32_t node)
{
    return node >= l->tw0 && node < l->base ? l->cfg.twins[node - l->tw0] : node;
}
#define ME role_of(l, env->self)

static inline vstate *vstate_of(lbft *l, uint32_t node)
{
    return node < l->n ? &l->v[node] : &l->v[l->n + (node - l->tw0)];
}
static inline pstate *pstate_of(lbft *l, uint32_t node)
{
    return node < l->tw0 ? &l->p[node - l->n] : &l->p[l->cfg.proposers + (node - l->tw0)];
}

/* ---- encoding ---- */

static inline void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
static inline uint64_t hdr_height(const uint8_t *h) { return get64(h); }
static inline cp_time hdr_time(const uint8_t *h) { return get64(h + 40); }
static inline uint32_t hdr_prop(const uint8_t *h) { return (uint32_t)(h[48] | h[49] << 8 | h[50] << 16 | (uint32_t)h[51] << 24); }
static inline int hdr_impeach(const uint8_t *h) { return h[52]; }

static inline uint32_t get32(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24); }

/* The signature part of a message: a bitmap of `words` 64-bit little-endian words (bit i =
 * validator i signed), then the signatures of the set bits in index order. Receivers find
 * new signers with word operations, so a message costs O(n / 64 + new signatures). */
static inline uint32_t bm_words(uint32_t n) { return (n + 63) / 64; }
static inline uint32_t sig_count(const uint8_t *b, uint32_t words)
{
    uint32_t c = 0;
    for (uint32_t w = 0; w < words; w++) c += (uint32_t)__builtin_popcountll(get64(b + SIGS_AT + 8 * w));
    return c;
}
static inline const uint8_t *sigs_of(const uint8_t *b, uint32_t words) { return b + SIGS_AT + 8 * (size_t)words; }
/* Offset of the body (transaction count) in a message with cnt signatures. */
static inline size_t body_at(uint32_t words, uint32_t cnt) { return SIGS_AT + 8 * (size_t)words + (size_t)cnt * 64; }

/* ---- lbft_msg.c: messages, signatures, sending ---- */

void lbft_tx_digest(const lbft *l, uint8_t d[32], const uint64_t *ids, uint32_t n);
void lbft_make_hdr(const lbft *l, uint8_t h[HDR], uint64_t height, const uint8_t parent[32], cp_time t, uint32_t prop,
                   int imp, const uint64_t *ids, uint32_t ntx);
void lbft_prepare_msg(uint8_t m[39], const uint8_t hash[32]);  /* "Prepare" || hash */
void lbft_sign_as(lbft *l, cp_env *env, uint8_t sig[64], const void *msg, size_t len);
int lbft_verify_as(lbft *l, cp_env *env, uint32_t signer, const uint8_t sig[64], const void *msg, size_t len);
int lbft_set_alloc(sigset *s, uint32_t n);
void lbft_set_clear(sigset *s, uint32_t n);
void lbft_set_free(sigset *s);
void lbft_set_add(sigset *s, uint32_t idx, const uint8_t sig[64]);
void lbft_merge(lbft *l, cp_env *env, sigset *s, const uint8_t *b, size_t len, const void *msg, size_t mlen);
cp_msg *lbft_build(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal, const sigset *s,
                   const uint64_t *ids, uint32_t ntx);
void lbft_bcast(lbft *l, cp_env *env, int type, const uint8_t hdr[HDR], const uint8_t *seal, const sigset *s,
                const uint64_t *ids, uint32_t ntx);
void lbft_to_validators(lbft *l, cp_env *env, cp_msg *m, uint64_t height);
void lbft_to_proposers(lbft *l, cp_env *env, cp_msg *m, int split);
int lbft_body_ids(const lbft *l, const uint8_t *b, uint64_t **out, uint32_t *cap, uint32_t *n);
int lbft_cert_ok(lbft *l, cp_env *env, const uint8_t *b, uint8_t hash[32]);

/* ---- lbft.c: the state machine ---- */

int lbft_quorum(const lbft *l, int impeach);  /* normal 2f+1, impeach f+1 */

/* ---- lbft_elect.c: schedule and election ---- */

void lbft_elect_term(lbft *l, uint64_t cp);   /* at checkpoint cp: the term three ahead */

/* ---- lbft_rec.c: checker and observer ---- */

void lbft_add_violation(lbft *l, cp_time t, uint32_t node, uint64_t height, int kind);
void lbft_violate(lbft *l, cp_env *env, uint64_t height, int kind);
void lbft_mark_txs(lbft *l, const uint64_t *ids, uint32_t ntx, uint64_t height);
/* Every insertion by a validator: the transactions' heights, the checker's steps, the ledger
 * and the election on a height's first insertion, the observer's records (lbft_rec.c). */
void lbft_record(lbft *l, cp_env *env, const uint8_t hdr[HDR], const uint8_t hash[32], const sigset *cert,
                 const uint64_t *ids, uint32_t ntx);

/* ---- lbft_load.c: clients and transactions ---- */

uint32_t lbft_pick_txs(lbft *l, pstate *p, uint64_t *ids);
void lbft_on_tx(lbft *l, cp_env *env, pstate *p, cp_msg *m);
int lbft_has_load(const lbft *l);
void lbft_client_arm(lbft *l, cp_env *env, int first);
void lbft_client_fire(lbft *l, cp_env *env);
void lbft_resend(lbft *l, cp_env *env, uint64_t tag);

/* ---- lbft_fault.c: fault injection ---- */

int lbft_in_list(const uint32_t *list, uint32_t n, uint32_t node);
int lbft_twinned(const lbft *l, uint32_t role);
int lbft_side_of(const lbft *l, uint32_t node, uint64_t height);
int lbft_twins_ok(const lbft_cfg *cfg);
int lbft_offline(const lbft *l, uint32_t node);
int lbft_byzantine(const lbft *l, uint32_t node);
void lbft_double_sign(lbft *l, cp_env *env, const uint8_t *hdr, const uint8_t *seal, const uint8_t hash[32]);
uint32_t lbft_faulty_validators(const lbft *l);
void lbft_equivocate(lbft *l, cp_env *env, const pstate *p, const uint8_t hdr[HDR], const uint8_t seal[SEAL],
                     const uint64_t *ids, uint32_t ntx);

/* ---- lbft_civ.c: civilians ---- */

int lbft_civilians_new(lbft *l);
void lbft_civilians_send(lbft *l, cp_env *env, cp_msg *m);
void lbft_on_civ_block(lbft *l, cp_env *env, uint32_t from, cp_msg *m);

#endif
