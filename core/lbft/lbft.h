/* core/lbft/lbft.h: LBFT 2.0 consensus with impeachment, as CPChain's code runs it (the
 * project's reference notes, sections 5 and 6), on n = 3f+1 validators and a fixed list of
 * proposers taking heights in round-robin within terms of TermLen x ViewLen heights; the
 * proposer list of each term is elected by DPoR (core/dpor) at the checkpoint three terms
 * before, from the candidates' RPT over the chain so far, seeded by the checkpoint's hash.
 *
 * Per height, a validator goes Idle -> Prepare -> Commit -> Validate: it accepts the
 * proposer's block (sealed, on time: now <= parent time + period + block delay), signs a
 * prepare, and broadcasts the prepare signatures it knows (cumulative sets); at 2f+1 prepares
 * it signs a commit; at 2f+1 commits it broadcasts Validate (block + commit certificate); it
 * inserts the block when it hears another validator's Validate, echoes it, and sends the
 * block with its certificate to the proposers. A validator signs at most one normal block per
 * height. One impeach deadline per height, parent time + period + impeach timeout: if the
 * height is still open then, every validator builds the same deterministic empty impeach block
 * and runs the same three phases with quorum f+1.
 *
 * Every signature is real Ed25519 over real bytes, verified through the world's memo and
 * charged to the node's virtual CPU. Sans-IO (core/env.h); roles by node id: validators
 * 0..n-1, proposers n..n+p-1, clients after them: clients sign transactions (Poisson arrivals)
 * and send them to every proposer; a proposer verifies them into its pool and puts the oldest
 * pending ones (up to max_txs) in its block, whose header carries the BLAKE2b digest of the
 * transaction list; validators charge one verification per transaction (the signatures were
 * really verified by the proposers, through the memo).
 * Ownership: lbft_new/lbft_free; the memo and cost table are the caller's. */
#ifndef LBFT_H
#define LBFT_H

#include <stdint.h>

#include "core/crypto/cost.h"
#include "core/crypto/cr.h"
#include "core/env.h"

/* A scheduled change of the clients' total transaction rate: `rate` per second in [at, until). */
typedef struct lbft_burst {
    cp_time at, until;
    double rate;
} lbft_burst;

enum { LBFT_TX_POISSON = 0, LBFT_TX_CONSTANT = 1 };
#define LBFT_RESENDS 8

typedef struct lbft_cfg {
    uint32_t validators;     /* n = 3f+1, 4..1000 */
    uint32_t proposers;      /* >= 1 */
    uint32_t term_len, view_len;
    cp_time period;          /* block interval */
    cp_time impeach_timeout; /* deadline = parent time + period + impeach_timeout */
    cp_time block_delay;     /* acceptance window after parent time + period (CPChain's
                                BlockDelay() is impeach_timeout / 2); lbft_new refuses one
                                >= impeach_timeout unless late_blocks is set */
    int late_blocks;         /* allow block_delay >= impeach_timeout: a block may then arrive
                                after the impeach deadline (validators that signed the impeach
                                block still refuse it) */
    uint64_t heights;        /* stop proposing after this height */
    uint32_t block_size;     /* wire bytes of a block's header and fixed part */
    double tx_rate;          /* transactions per second from all clients, 0 = none */
    int tx_pattern;          /* LBFT_TX_POISSON (exponential gaps per client) or LBFT_TX_CONSTANT
                                (fixed gaps, a random phase per client) */
    const lbft_burst *bursts;/* rate changes over time (the base rate applies outside them) */
    uint32_t n_bursts;
    uint32_t tx_size;        /* wire bytes per transaction */
    uint32_t max_txs;        /* transactions per block at most */
    cp_time tx_resend;       /* ledger mode: a submitter sends a transaction again to every
                                proposer each tx_resend until it is committed (at most
                                LBFT_RESENDS times), as a wallet re-broadcasts a pending one;
                                0 = never. Gossip can miss the elected proposers, and a lost
                                transaction would block its sender's later nonces for good. */
    uint64_t seed;           /* keys: cr_keypair_derive(seed, node) */
    uint32_t default_proposers; /* the first proposers are CPChain's default (Foundation) ones;
                                   the others are RNode candidates elected by DPoR at each
                                   checkpoint for the term after next (terms 0-2: defaults) */
    const uint32_t *byzantine;   /* validators that also sign every other valid block of a height
                                    (double signing); excluded from the invariant checker */
    uint32_t n_byzantine;
    const uint32_t *equivocators;/* proposers that send two different blocks at their heights,
                                    one to the even validators and one to the odd */
    uint32_t n_equivocators;
    uint32_t civ_degree;     /* civilians (the nodes after the proposers) relay blocks over a
                                random graph of this degree; 0 = no civilians */
    uint32_t civ_fanout;     /* each validator sends each inserted block to this many civilians */
    const uint32_t *offline; /* nodes down for the whole run (crash faults): silent validators,
                                proposers whose heights get impeached, mute clients. The engine
                                keeps them down (a crash from t = 0, des_set_down); LBFT reads
                                the list only for the liveness checks */
    uint32_t n_offline;
    const uint32_t *twins;   /* Twins mode: validators or proposers that run a second instance
                                with the same key (nodes validators + proposers + i, before the
                                clients); per height, a seeded split puts every validator
                                instance on side 0 or 1, a twinned node on 0 and its twin on 1,
                                and each instance of a twin pair talks only to its own side (so do
                                clients: a transaction reaches one instance of a twinned proposer,
                                so the two instances' blocks differ). Twinned
                                validators are faulty (not watched by the checker). */
    uint32_t n_twins;
    int ledger;              /* transactions are core/chain transfers (nonces, fees, balances) in
                                per-proposer mempools; headers commit to their Merkle root; the
                                ledger applies every height (lbft_lg.h) */
    cr_memo *memo;
    const cost_table *costs;
} lbft_cfg;

enum {
    LBFT_MSG_PREPREPARE, LBFT_MSG_PREPARE, LBFT_MSG_COMMIT, LBFT_MSG_VALIDATE,
    LBFT_MSG_IMPEACH_PREPARE, LBFT_MSG_IMPEACH_COMMIT, LBFT_MSG_IMPEACH_VALIDATE, LBFT_MSG_NEWBLOCK,
    LBFT_MSG_TX, LBFT_MSG_SYNC, LBFT_N_MSG
};

typedef struct lbft lbft;

/* Per inserted height, as seen by validator 0 (the reference observer). */
typedef struct lbft_block_rec {
    uint64_t height;
    cp_time block_time;      /* header time */
    cp_time inserted;        /* when validator 0 inserted it */
    uint32_t proposer;       /* node id; UINT32_MAX for an impeach block */
    uint8_t impeach;
    uint8_t cause;           /* impeach blocks: what validator 0 had seen when the deadline
                                fired (LBFT_CAUSE_*) */
    uint32_t ntx;            /* transactions in the block */
    uint32_t applied;        /* of which valid when the ledger applied them (= ntx without ledger) */
    uint8_t hash[32];
    uint8_t state_root[32];  /* ledger state after the block (zeros without ledger) */
} lbft_block_rec;

enum {
    LBFT_CAUSE_NONE = 0,       /* a normal block */
    LBFT_CAUSE_NO_BLOCK = 1,   /* no acceptable block arrived (offline, late or invalid proposer) */
    LBFT_CAUSE_NO_PREPARE = 2, /* a block, but no 2f+1 prepare certificate (e.g. equivocation) */
    LBFT_CAUSE_NO_COMMIT = 3,  /* prepared, but no 2f+1 commit certificate */
    LBFT_CAUSE_NO_VALIDATE = 4,/* committed, but no Validate from another validator in time */
};

/* One client transaction: submitted by a client node, committed when validator 0 inserted the
 * block holding it (CP_TIME_NEVER if never). */
typedef struct lbft_tx_rec {
    cp_time submit, commit;
    uint32_t client;
    uint64_t height;         /* block that holds it, 0 if none */
} lbft_tx_rec;

/* An invariant violation seen by the checker inside the run. */
typedef struct lbft_violation {
    cp_time time;
    uint32_t node;           /* the validator whose action broke the invariant */
    uint64_t height;
    uint8_t kind;            /* LBFT_V_* */
} lbft_violation;

enum { LBFT_V_FORK = 1, LBFT_V_SHORT_CERT = 2, LBFT_V_STALL = 3, LBFT_V_HONEST_IMPEACHED = 4 };

/* The liveness checks, run once after the run with the scenario's fault windows [from, until)
 * (crashes, partitions, link changes); `lossy`: the network drops messages (not synchronous).
 *  - LBFT_V_STALL: a fault healed at `until` (before the last height was reached) and validator
 *    0 inserted no block within period + impeach timeout + 1 s of it;
 *  - LBFT_V_HONEST_IMPEACHED: an impeach block at a height whose proposer was honest (not
 *    offline, equivocating or twinned), in a run that was synchronous throughout (no fault
 *    window, no loss) with at most f faulty validators (offline, double-signing or twinned).
 * Each finding is added to the violation list (time, node 0 or the proposer, height). */
typedef struct lbft_window {
    cp_time from, until;     /* until = 0: never healed */
} lbft_window;
void lbft_check_liveness(lbft *l, const lbft_window *w, size_t n, int lossy, cp_time end);

lbft *lbft_new(const lbft_cfg *cfg, uint32_t n_nodes);
void lbft_free(lbft *l);
const cp_proto_ops *lbft_ops(void);

/* Ledger port (core/stk stacks): another protocol on the same nodes submits a core/chain
 * transaction signed by env->self's key (cr_keypair_derive(seed, node); the submitter keeps its
 * own nonces and charges its own signing) with env = LBFT's env for that node (stk_env). It
 * travels like a client's: to two proposers, gossiped on to three others. Returns an id > 0,
 * or 0 (no ledger mode, bytes that do not decode). A node should not also be an LBFT client
 * with tx_rate > 0 (both would sign nonces of one account). */
uint64_t lbft_submit(lbft *l, cp_env *env, const uint8_t *tx, size_t len);
/* Called once per submitted transaction, when the reference observer (validator 0) first
 * inserts a block holding it, from inside that handler (env: validator 0's LBFT env); valid:
 * the ledger applied it (else it was invalid for a counted reason). */
typedef void (*lbft_commit_fn)(void *ctx, cp_env *env, uint64_t id, uint64_t height, int valid);
void lbft_set_commit_hook(lbft *l, lbft_commit_fn fn, void *ctx);

/* Results. */
const lbft_block_rec *lbft_blocks(const lbft *l, uint64_t *n);
const lbft_tx_rec *lbft_txs(const lbft *l, uint64_t *n);
uint64_t lbft_violations(const lbft *l);   /* invariant violations seen (forks, short certs) */
const lbft_violation *lbft_violation_list(const lbft *l, uint64_t *n);
uint64_t lbft_malformed(const lbft *l);
/* Ledger mode: transactions applied, invalid ones by reason (account, key, nonce, funds,
 * signature, record, state: core/chain's chain_reason order) and mempool evictions. -1
 * without ledger. */
#define LBFT_LEDGER_REASONS 7
int lbft_ledger_totals(const lbft *l, uint64_t *applied, uint64_t invalid[LBFT_LEDGER_REASONS], uint64_t *evicted);
uint64_t lbft_bad_signatures(const lbft *l);
/* Ledger mode: transactions sent again by their submitter (cfg.tx_resend). */
uint64_t lbft_resends(const lbft *l);
/* The proposer node of a height (1-based heights). */
uint32_t lbft_proposer_of(const lbft *l, uint64_t height);

/* Per validator (0..n-1), how often it took the paths where CPChain's state machine differs
 * from a plain three-phase one (lbft2.go): commits signed from Idle, without the block
 * (oncePrepareCertificateSatisfied); preprepares refused as outside the acceptance window;
 * preprepares refused because it had signed the impeach block (impeach states ignore them);
 * normal blocks inserted from a Validate after it sent the impeach Validate
 * (onceImpeachCommitCertificateSatisfied leaves it in Validate). */
typedef struct lbft_vstats {
    uint64_t idle_commits, late_refused, impeach_refused, validate_in_impeach;
} lbft_vstats;
const lbft_vstats *lbft_validator_stats(const lbft *l, uint32_t validator);

/* Civilians: how many, and when civilian c first accepted height h (a block with a valid
 * certificate extending its chain); CP_TIME_NEVER if it did not. */
uint32_t lbft_civilians(const lbft *l);
cp_time lbft_civilian_arrival(const lbft *l, uint64_t height, uint32_t civ);

/* Strict decoder of any lbft message (fuzzed): 0 if well-formed. */
int lbft_decode_check(const uint8_t *buf, size_t len, uint32_t validators);

#endif
