/* core/lbft/lbft.c: the LBFT 2.0 state machine (contract in lbft.h).
 *
 * Invariants: a validator signs at most one normal block per height (last_signed); it inserts
 * a block only with a certificate of >= 2f+1 (impeach: >= f+1) verified commit signatures of
 * distinct validators over that block's hash; heights advance only by insertion; the impeach
 * deadline is the only timer (one per height, cancelled when the height closes). Every message
 * is decoded by the strict decoder before use; every signature is verified before it counts.
 * Two honest validators inserting different blocks at one height is counted as a violation
 * (lbft_rec.c). The other concerns live in the files lbft_int.h lists. */
#include "core/lbft/lbft_int.h"

static const char *const msg_names[LBFT_N_MSG] = {
    "preprepare", "prepare", "commit", "validate", "impeach_prepare", "impeach_commit",
    "impeach_validate", "newblock", "tx", "sync",
};

static void handle(lbft *l, cp_env *env, uint32_t from, cp_msg *m);

static void enter_height(lbft *l, cp_env *env, vstate *v)
{
    v->state = IDLE;
    v->have_block = v->have_body = v->sent_validate = 0;
    v->impeaching = v->isigned_c = v->isent_validate = 0;
    v->cause = LBFT_CAUSE_NONE;
    lbft_set_clear(&v->prep, l->n), lbft_set_clear(&v->comm, l->n);
    lbft_set_clear(&v->iprep, l->n), lbft_set_clear(&v->icomm, l->n);
    lbft_make_hdr(l, v->ihdr, v->height, v->head, v->head_time + l->cfg.period + l->cfg.impeach_timeout, NONE, 1, NULL, 0);
    cr_hash(v->ihash, v->ihdr, HDR);
    cp_time deadline = v->head_time + l->cfg.period + l->cfg.impeach_timeout, now = env_now(env);
    if (v->timer) env_timer_cancel(env, v->timer);
    v->timer = v->height <= l->cfg.heights ? env_timer(env, deadline > now ? deadline - now : 0, v->height) : 0;
    uint32_t nf = v->n_future;
    cp_msg **fut = v->future;
    v->future = NULL, v->n_future = v->cap_future = 0;
    for (uint32_t i = 0; i < nf; i++) { /* replay what arrived early */
        handle(l, env, NONE, fut[i]);
        env_msg_unref(env, fut[i]);
    }
    free(fut);
}

static const uint64_t no_txs[1] = {0};

/* Keep a height's certified block for peers that sync (takes a reference). */
static void store_block(lbft *l, uint64_t h, cp_msg *m)
{
    if (h >= l->cap_store) {
        uint64_t cap = (h + 1) * 2;
        cp_msg **a = realloc(l->store, cap * sizeof *a);
        if (!a) return;
        memset(a + l->cap_store, 0, (cap - l->cap_store) * sizeof *a);
        l->store = a, l->cap_store = cap;
    }
    if (l->store[h]) return;
    env_msg_ref(m);
    l->store[h] = m;
}

/* Insert a certified block and move to the next height. A block learnt by sync is not echoed
 * (CPChain inserts synced blocks through the chain, outside the consensus messages). */
static void insert_ex(lbft *l, cp_env *env, vstate *v, const uint8_t hdr[HDR], const uint8_t hash[32],
                      const uint8_t *seal, const sigset *cert, int impeach, const uint64_t *ids, uint32_t ntx,
                      int synced)
{
    lbft_record(l, env, hdr, hash, cert, ids, ntx);
    int type = impeach ? LBFT_MSG_IMPEACH_VALIDATE : LBFT_MSG_VALIDATE;
    cp_msg *m = synced ? NULL : lbft_build(l, env, type, hdr, seal, cert, ids, ntx);
    if (m) { /* echo of Validate */
        lbft_to_validators(l, env, m, hdr_height(hdr));
        env_msg_unref(env, m);
    }
    m = lbft_build(l, env, LBFT_MSG_NEWBLOCK, hdr, seal, cert, ids, ntx); /* the block to proposers */
    if (m) {
        if (!synced) lbft_to_proposers(l, env, m, 0);
        if (!synced) lbft_civilians_send(l, env, m);
        store_block(l, hdr_height(hdr), m);
        env_msg_unref(env, m);
    }
    memcpy(v->head, hash, 32);
    v->head_time = hdr_time(hdr);
    v->height++;
    enter_height(l, env, v);
}

static void insert(lbft *l, cp_env *env, vstate *v, const uint8_t hdr[HDR], const uint8_t hash[32],
                   const uint8_t *seal, const sigset *cert, int impeach, const uint64_t *ids, uint32_t ntx)
{
    insert_ex(l, env, v, hdr, hash, seal, cert, impeach, ids, ntx, 0);
}

/* ---- validator: normal path ---------------------------------------------------------- */

#ifdef LBFT_BROKEN_QUORUM /* test-only build: a normal quorum of 2f, to show the checker finds forks */
int lbft_quorum(const lbft *l, int impeach) { return impeach ? (int)l->f + 1 : 2 * (int)l->f; }
#else
int lbft_quorum(const lbft *l, int impeach) { return impeach ? (int)l->f + 1 : 2 * (int)l->f + 1; }
#endif

static void sign_prepare(lbft *l, cp_env *env, vstate *v)
{
    uint8_t pm[39], sig[64];
    lbft_prepare_msg(pm, v->hash);
    lbft_sign_as(l, env, sig, pm, sizeof pm);
    lbft_set_add(&v->prep, ME, sig);
    v->last_signed = v->height;
    v->state = PREPARE;
}

/* Advance as far as the signatures allow, broadcasting what changed.
 * At 2f+1 prepares a validator signs commit, from Prepare and also from Idle, without the
 * block in hand (CPChain lbft2.go: IdleHandler passes prepares to PrepareHandler,
 * handlePrepareMsg -> oncePrepareCertificateSatisfied -> composeCommitMsg). At 2f+1 commits,
 * from Idle, Prepare or Commit, it composes Validate if it holds the block, else passes the
 * commit certificate on and stays in Commit (handleCommitMsg -> onceCommitCertificateSatisfied,
 * composeValidateMsg fails without the block in the cache). Impeach states take no normal
 * votes (on_vote). */
static void cascade(lbft *l, cp_env *env, vstate *v, int prepared_now)
{
    int sent_prep = prepared_now;
    int may_commit = v->state == PREPARE || (v->state == IDLE && v->last_signed != v->height);
    if (may_commit && (int)v->prep.count >= lbft_quorum(l, 0)) {
        uint8_t sig[64];
        lbft_sign_as(l, env, sig, v->hash, 32);
        lbft_set_add(&v->comm, ME, sig);
        v->last_signed = v->height;
        if (v->state == IDLE) v->st.idle_commits++;
        v->state = COMMIT;
        lbft_bcast(l, env, LBFT_MSG_PREPARE, v->hdr, v->seal, &v->prep, NULL, 0);
        sent_prep = 0;
        lbft_bcast(l, env, LBFT_MSG_COMMIT, v->hdr, v->seal, &v->comm, NULL, 0);
    }
    if (sent_prep) lbft_bcast(l, env, LBFT_MSG_PREPARE, v->hdr, v->seal, &v->prep, NULL, 0);
    if (v->state == VALIDATE || v->sent_validate || (int)v->comm.count < lbft_quorum(l, 0)) return;
    if (v->have_body) {
        v->sent_validate = 1;
        v->state = VALIDATE;
        lbft_bcast(l, env, LBFT_MSG_VALIDATE, v->hdr, v->seal, &v->comm, v->txs ? v->txs : no_txs, v->ntx);
    } else if (v->state != COMMIT) {
        v->state = COMMIT;
        lbft_bcast(l, env, LBFT_MSG_COMMIT, v->hdr, v->seal, &v->comm, NULL, 0);
    }
}

/* A preprepared block this validator does not accept (late or too early) is still kept, as
 * CPChain's handlePreprepareMsg adds every block to its cache before checking it: with a
 * commit certificate for it the validator can compose Validate. One candidate per height:
 * kept only if it is the candidate, or there is none yet. */
static void cache_block(lbft *l, vstate *v, const uint8_t *b, const uint8_t hash[32])
{
    int cand = v->prep.count || v->comm.count;
    if (v->have_body || (cand && memcmp(hash, v->hash, 32) != 0)) return;
    uint32_t ntx;
    if (lbft_body_ids(l, b, &v->txs, &v->cap_txs, &ntx) != 0) return;
    v->ntx = ntx;
    memcpy(v->hdr, b + 1, HDR), memcpy(v->hash, hash, 32), memcpy(v->seal, b + 1 + HDR, SEAL);
    v->have_body = 1;
}

static void on_preprepare(lbft *l, cp_env *env, vstate *v, const uint8_t *b)
{
    const uint8_t *hdr = b + 1, *seal = b + 1 + HDR;
    cp_time t = hdr_time(hdr), now = env_now(env);
    if (v->have_block && lbft_byzantine(l, ME) && !hdr_impeach(hdr) && hdr_prop(hdr) == lbft_proposer_of(l, v->height) &&
        memcmp(hdr + 8, v->head, 32) == 0) {
        uint8_t other[32];
        cr_hash(other, hdr, HDR);
        if (memcmp(other, v->hash, 32) != 0 && lbft_verify_as(l, env, hdr_prop(hdr), seal, other, 32))
            lbft_double_sign(l, env, hdr, seal, other);
        return;
    }
    /* only Idle handles a preprepare; impeach states ignore it, so a validator that signed the
     * impeach block refuses the normal one (lbft2.go: IdleHandler, ImpeachPrepareHandler) */
    if (v->have_block || v->state != IDLE || hdr_impeach(hdr)) return;
    if (memcmp(hdr + 8, v->head, 32) != 0 || hdr_prop(hdr) != lbft_proposer_of(l, v->height)) return;
    if (v->impeaching) {
        v->st.impeach_refused++;
        return;
    }
    uint8_t hash[32];
    cr_hash(hash, hdr, HDR);
    if (t < v->head_time + l->cfg.period || now > v->head_time + l->cfg.period + l->cfg.block_delay) {
        v->st.late_refused++;
        cache_block(l, v, b, hash);
        return;
    }
    if (v->last_signed == v->height) return; /* one normal block per height */
    if (!lbft_verify_as(l, env, hdr_prop(hdr), seal, hash, 32)) return;
    uint32_t ntx;
    if (lbft_body_ids(l, b, &v->txs, &v->cap_txs, &ntx) != 0) return; /* list does not match the header */
    v->ntx = ntx;
    cost_charge(env, l->cfg.costs, COST_VERIFY, ntx); /* checking the block's transactions */
    if ((v->prep.count || v->have_body) && memcmp(hash, v->hash, 32) != 0)
        lbft_set_clear(&v->prep, l->n), lbft_set_clear(&v->comm, l->n);
    memcpy(v->hdr, hdr, HDR), memcpy(v->hash, hash, 32), memcpy(v->seal, seal, SEAL);
    v->have_block = v->have_body = 1;
    lbft_bcast(l, env, LBFT_MSG_PREPREPARE, v->hdr, v->seal, NULL, v->txs ? v->txs : no_txs, v->ntx); /* echo */
    sign_prepare(l, env, v);
    cascade(l, env, v, 1);
}

/* Take the header of a prepare/commit message as this height's candidate; 0 if it names a
 * different block than the one already in hand. */
static int adopt(lbft *l, vstate *v, const uint8_t *hdr)
{
    if (hdr_impeach(hdr) || memcmp(hdr + 8, v->head, 32) != 0) return 0;
    /* a candidate in hand: the same header bytes are the same hash, no need to hash again */
    if (v->have_body || v->prep.count || v->comm.count) return memcmp(hdr, v->hdr, HDR) == 0;
    memcpy(v->hdr, hdr, HDR);
    cr_hash(v->hash, hdr, HDR);
    return 1;
}

static void on_vote(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (v->impeaching || !adopt(l, v, b + 1)) return;
    if (!v->have_body) memcpy(v->seal, b + 1 + HDR, SEAL);
    if (b[0] == LBFT_MSG_PREPARE) {
        uint8_t pm[39];
        lbft_prepare_msg(pm, v->hash);
        lbft_merge(l, env, &v->prep, b, len, pm, sizeof pm);
    } else {
        lbft_merge(l, env, &v->comm, b, len, v->hash, 32);
    }
    cascade(l, env, v, 0);
}

/* A Validate for another block than ours: insert it if its certificate holds, unless this
 * validator already broadcast Validate for its own block (CPChain: "a different hash was
 * already validated at this height"). */
static void on_other_validate(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    const uint8_t *hdr = b + 1;
    if (v->sent_validate || hdr_impeach(hdr) || memcmp(hdr + 8, v->head, 32) != 0) return;
    sigset cert = {0, NULL, NULL};
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    uint8_t hash[32];
    cr_hash(hash, hdr, HDR);
    if (lbft_set_alloc(&cert, l->n) == 0 && lbft_body_ids(l, b, &ids, &cap, &ntx) == 0) {
        lbft_merge(l, env, &cert, b, len, hash, 32);
        if ((int)cert.count >= lbft_quorum(l, 0)) {
            uint8_t h2[HDR], seal[SEAL];
            memcpy(h2, hdr, HDR), memcpy(seal, b + 1 + HDR, SEAL);
            if (v->impeaching) v->st.validate_in_impeach++;
            insert(l, env, v, h2, hash, seal, &cert, 0, ids ? ids : no_txs, ntx);
        }
    }
    lbft_set_free(&cert);
    free(ids);
}

/* A normal Validate: ignored in the impeach states until this validator sent the impeach
 * Validate; then it is in Validate, where a normal Validate is still inserted (lbft2.go:
 * onceImpeachCommitCertificateSatisfied returns consensus.Validate, ValidateHandler). */
static void on_validate(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (v->impeaching && !v->isent_validate) return;
    if (!adopt(l, v, b + 1)) {
        on_other_validate(l, env, v, b, len);
        return;
    }
    uint32_t ntx;
    if (lbft_body_ids(l, b, &v->txs, &v->cap_txs, &ntx) != 0) return;
    v->ntx = ntx;
    memcpy(v->seal, b + 1 + HDR, SEAL);
    lbft_merge(l, env, &v->comm, b, len, v->hash, 32);
    if ((int)v->comm.count < lbft_quorum(l, 0)) return;
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    memcpy(hdr, v->hdr, HDR), memcpy(hash, v->hash, 32), memcpy(seal, v->seal, SEAL);
    if (v->impeaching) v->st.validate_in_impeach++;
    insert(l, env, v, hdr, hash, seal, &v->comm, 0, v->txs ? v->txs : no_txs, v->ntx);
}

/* ---- validator: impeachment ---------------------------------------------------------- */

static void icascade(lbft *l, cp_env *env, vstate *v)
{
    if (v->impeaching && !v->isigned_c && (int)v->iprep.count >= lbft_quorum(l, 1)) {
        uint8_t sig[64];
        lbft_sign_as(l, env, sig, v->ihash, 32);
        lbft_set_add(&v->icomm, ME, sig);
        v->isigned_c = 1;
        lbft_bcast(l, env, LBFT_MSG_IMPEACH_PREPARE, v->ihdr, NULL, &v->iprep, NULL, 0);
        lbft_bcast(l, env, LBFT_MSG_IMPEACH_COMMIT, v->ihdr, NULL, &v->icomm, NULL, 0);
    }
    if (!v->isent_validate && (int)v->icomm.count >= lbft_quorum(l, 1) && v->impeaching) {
        v->isent_validate = 1;
        lbft_bcast(l, env, LBFT_MSG_IMPEACH_VALIDATE, v->ihdr, NULL, &v->icomm, no_txs, 0);
    }
}

static uint8_t impeach_cause(const lbft *l, const vstate *v)
{
    if (!v->have_block) return LBFT_CAUSE_NO_BLOCK;
    if ((int)v->prep.count < lbft_quorum(l, 0)) return LBFT_CAUSE_NO_PREPARE;
    if ((int)v->comm.count < lbft_quorum(l, 0)) return LBFT_CAUSE_NO_COMMIT;
    return LBFT_CAUSE_NO_VALIDATE;
}

static void start_impeach(lbft *l, cp_env *env, vstate *v)
{
    uint8_t pm[39], sig[64];
    v->cause = impeach_cause(l, v);
    v->impeaching = 1;
    v->timer = 0;
    lbft_prepare_msg(pm, v->ihash);
    lbft_sign_as(l, env, sig, pm, sizeof pm);
    lbft_set_add(&v->iprep, ME, sig);
    lbft_bcast(l, env, LBFT_MSG_IMPEACH_PREPARE, v->ihdr, NULL, &v->iprep, NULL, 0);
    icascade(l, env, v);
}

static void on_impeach(lbft *l, cp_env *env, vstate *v, const uint8_t *b, size_t len)
{
    if (memcmp(b + 1, v->ihdr, HDR) != 0) return; /* not this height's impeach block */
    if (b[0] == LBFT_MSG_IMPEACH_PREPARE) {
        uint8_t pm[39];
        lbft_prepare_msg(pm, v->ihash);
        lbft_merge(l, env, &v->iprep, b, len, pm, sizeof pm);
    } else {
        lbft_merge(l, env, &v->icomm, b, len, v->ihash, 32);
    }
    if (b[0] == LBFT_MSG_IMPEACH_VALIDATE && (int)v->icomm.count >= lbft_quorum(l, 1)) {
        uint8_t hdr[HDR], hash[32];
        memcpy(hdr, v->ihdr, HDR), memcpy(hash, v->ihash, 32);
        insert(l, env, v, hdr, hash, NULL, &v->icomm, 1, no_txs, 0);
        return;
    }
    icascade(l, env, v);
}

/* ---- proposers ----------------------------------------------------------------------- */

static void schedule_proposal(lbft *l, cp_env *env, pstate *p)
{
    uint64_t h = p->height + 1;
    if (h > l->cfg.heights || lbft_proposer_of(l, h) != ME) return;
    cp_time at = p->head_time + l->cfg.period, now = env_now(env);
    env_timer(env, at > now ? at - now : 0, h);
}

static void propose(lbft *l, cp_env *env, pstate *p, uint64_t h)
{
    if (p->height + 1 != h) return;
    cp_time now = env_now(env), t = p->head_time + l->cfg.period;
    uint8_t hdr[HDR], hash[32], seal[SEAL];
    uint64_t *ids = malloc(((size_t)l->cfg.max_txs + 1) * sizeof *ids);
    if (!ids) return;
    uint32_t ntx = lbft_pick_txs(l, p, ids);
    cp_time bt = t > now ? t : now;
    lbft_make_hdr(l, hdr, h, p->head, bt, ME, 0, ids, ntx);
    cr_hash(hash, hdr, HDR);
    lbft_sign_as(l, env, seal, hash, 32);
    if (!lbft_in_list(l->cfg.equivocators, l->cfg.n_equivocators, ME))
        lbft_bcast(l, env, LBFT_MSG_PREPREPARE, hdr, seal, NULL, ids, ntx);
    else
        lbft_equivocate(l, env, p, hdr, seal, ids, ntx);
    free(ids);
}

/* A block with its certificate reached a proposer: insert if it extends the head. */
static void on_newblock(lbft *l, cp_env *env, pstate *p, const uint8_t *b, size_t len)
{
    const uint8_t *hdr = b + 1;
    if (hdr_height(hdr) != p->height + 1 || memcmp(hdr + 8, p->head, 32) != 0) return;
    uint8_t hash[32];
    if (!lbft_cert_ok(l, env, b, hash)) return;
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    if (lbft_body_ids(l, b, &ids, &cap, &ntx) != 0) {
        free(ids);
        return;
    }
    lbft_mark_txs(l, ids, ntx, hdr_height(hdr));
    if (l->lg) lbft_lg_included(l->lg, (uint32_t)(p - l->p), ids, ntx);
    free(ids);
    p->height++;
    memcpy(p->head, hash, 32);
    p->head_time = hdr_time(hdr);
    schedule_proposal(l, env, p);
}

/* ---- sync: catching up after a crash or a gap ------------------------------------------ */

/* Ask `to` (or, with NONE, every validator) for the blocks from height `from` on; at most one
 * request per half period. */
static void ask_sync(lbft *l, cp_env *env, cp_time *last, uint64_t from, uint32_t to)
{
    cp_time now = env_now(env);
    if (*last && now < *last + l->cfg.period / 2) return;
    *last = now ? now : 1;
    cp_msg *m = env_msg_new(env, LBFT_MSG_SYNC, SYNCLEN, SYNCLEN + 20);
    if (!m) return;
    m->data[0] = LBFT_MSG_SYNC;
    put64(m->data + 1, from);
    if (to != NONE) env_send(env, to, m);
    for (uint32_t i = 0; to == NONE && i < l->n; i++)
        if (i != env->self) env_send(env, i, m);
    env_msg_unref(env, m);
}

/* A validator answers a sync request with the blocks it has inserted from that height on. */
static void on_sync(lbft *l, cp_env *env, vstate *v, uint32_t from, const uint8_t *b)
{
    uint64_t h = get64(b + 1);
    for (uint32_t k = 0; k < SYNC_BATCH && h < v->height && h < l->cap_store; k++, h++)
        if (l->store[h]) env_send(env, from, l->store[h]);
}

/* A validator learns a certified block of its open height from a sync answer (or a relay). */
static void on_sync_block(lbft *l, cp_env *env, vstate *v, const uint8_t *b)
{
    const uint8_t *hdr = b + 1;
    if (memcmp(hdr + 8, v->head, 32) != 0) return;
    int imp = hdr_impeach(hdr);
    sigset cert = {0, NULL, NULL};
    uint64_t *ids = NULL;
    uint32_t cap = 0, ntx = 0;
    uint8_t hash[32], h2[HDR], seal[SEAL];
    cr_hash(hash, hdr, HDR);
    if (lbft_set_alloc(&cert, l->n) == 0 && lbft_body_ids(l, b, &ids, &cap, &ntx) == 0) {
        lbft_merge(l, env, &cert, b, 0, hash, 32);
        if ((int)cert.count >= lbft_quorum(l, imp)) {
            memcpy(h2, hdr, HDR), memcpy(seal, b + 1 + HDR, SEAL);
            insert_ex(l, env, v, h2, hash, seal, &cert, imp, ids ? ids : no_txs, ntx, 1);
        }
    }
    lbft_set_free(&cert);
    free(ids);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static void buffer_future(lbft *l, vstate *v, cp_msg *m)
{
    if (v->n_future == v->cap_future) {
        uint32_t cap = v->cap_future ? v->cap_future * 2 : 16;
        if (cap > 16 * l->n + 64) return; /* bounded: a flood of future messages is dropped */
        cp_msg **a = realloc(v->future, cap * sizeof *a);
        if (!a) return;
        v->future = a, v->cap_future = cap;
    }
    env_msg_ref(m);
    v->future[v->n_future++] = m;
}

static void handle(lbft *l, cp_env *env, uint32_t from, cp_msg *m)
{
    const uint8_t *b = m->data;
    if (lbft_decode_check(b, m->len, l->n) != 0) {
        l->malformed++;
        return;
    }
    if (env->self >= l->base) { /* clients and civilians */
        if (l->nciv && b[0] == LBFT_MSG_NEWBLOCK) lbft_on_civ_block(l, env, from, m);
        return;
    }
    if (ME >= l->n) {
        pstate *p = pstate_of(l, env->self);
        if (b[0] == LBFT_MSG_NEWBLOCK && hdr_height(b + 1) > p->height + 1 && from != NONE)
            ask_sync(l, env, &p->sync_at, p->height + 1, from); /* it missed blocks */
        if (b[0] == LBFT_MSG_NEWBLOCK) on_newblock(l, env, p, b, m->len);
        if (b[0] == LBFT_MSG_TX) lbft_on_tx(l, env, p, m);
        return;
    }
    if (b[0] == LBFT_MSG_TX) return;
    vstate *v = vstate_of(l, env->self);
    if (b[0] == LBFT_MSG_SYNC) {
        if (from != NONE) on_sync(l, env, v, from, b);
        return;
    }
    uint64_t h = hdr_height(b + 1);
    if (b[0] == LBFT_MSG_NEWBLOCK) { /* blocks a sync brought; later ones wait their turn */
        if (h == v->height) on_sync_block(l, env, v, b);
        else if (h > v->height) buffer_future(l, v, m);
        return;
    }
    if (h == v->height + 1) buffer_future(l, v, m);
    if (h > v->height + 1 && from != NONE) ask_sync(l, env, &v->sync_at, v->height, from); /* behind */
    if (h != v->height) return;
    switch (b[0]) {
    case LBFT_MSG_PREPREPARE: on_preprepare(l, env, v, b); break;
    case LBFT_MSG_PREPARE: case LBFT_MSG_COMMIT: on_vote(l, env, v, b, m->len); break;
    case LBFT_MSG_VALIDATE: on_validate(l, env, v, b, m->len); break;
    default: on_impeach(l, env, v, b, m->len); break;
    }
}

static void lb_message(void *self, cp_env *env, cp_node from, cp_msg *m) { handle(self, env, from, m); }

static void lb_timer(void *self, cp_env *env, uint64_t tag)
{
    lbft *l = self;
    if (tag == CLIENT_TAG) {
        lbft_client_fire(l, env);
        return;
    }
    if (tag & RESEND_BIT) {
        lbft_resend(l, env, tag);
        return;
    }
    if (ME >= l->n) {
        propose(l, env, pstate_of(l, env->self), tag);
        return;
    }
    vstate *v = vstate_of(l, env->self);
    if (v->height == tag && !v->impeaching) start_impeach(l, env, v);
}

static void genesis(uint8_t hash[32])
{
    uint8_t hdr[HDR] = {0};
    cr_hash(hash, hdr, HDR);
}

static void lb_start(void *self, cp_env *env)
{
    lbft *l = self;
    if (env->self < l->base && ME < l->n) {
        vstate *v = vstate_of(l, env->self);
        v->height = 1;
        genesis(v->head);
        v->head_time = 0;
        enter_height(l, env, v);
    } else if (env->self < l->base) {
        pstate *p = pstate_of(l, env->self);
        genesis(p->head);
        schedule_proposal(l, env, p);
    } else {
        if (l->nciv) genesis(l->civ_head[env->self - l->civ0]);
        if (lbft_has_load(l)) lbft_client_arm(l, env, 1);
    }
}

static void lb_finish(void *self, cp_env *env)
{
    lbft *l = self;
    for (uint32_t i = 0; i < l->n + l->cfg.n_twins; i++) {
        vstate *v = &l->v[i];
        for (uint32_t k = 0; k < v->n_future; k++) env_msg_unref(env, v->future[k]);
        v->n_future = 0;
    }
    for (uint64_t h = 0; h < l->cap_store; h++)
        if (l->store[h]) env_msg_unref(env, l->store[h]), l->store[h] = NULL;
}

/* A crashed node comes back with its chain (CPChain keeps it in its database) but no timers:
 * a validator re-arms its impeach deadline and asks the validators for the blocks it missed;
 * a proposer re-schedules its proposal and asks too; a client resumes submitting. */
static void lb_restart(void *self, cp_env *env)
{
    lbft *l = self;
    if (env->self < l->base && ME < l->n) {
        vstate *v = vstate_of(l, env->self);
        v->timer = 0; /* the old timer died with the crash */
        v->sync_at = 0;
        enter_height(l, env, v);
        ask_sync(l, env, &v->sync_at, v->height, NONE);
    } else if (env->self < l->base) {
        pstate *p = pstate_of(l, env->self);
        p->sync_at = 0;
        schedule_proposal(l, env, p);
        ask_sync(l, env, &p->sync_at, p->height + 1, NONE);
    } else if (lbft_has_load(l)) {
        lbft_client_arm(l, env, 1);
    }
}

static const cp_proto_ops lbft_proto = {
    "lbft", lb_start, lb_message, lb_timer, msg_names, LBFT_N_MSG, NULL, 0, lb_finish, lb_restart, NULL,
};

const cp_proto_ops *lbft_ops(void) { return &lbft_proto; }

/* ---- lifecycle ----------------------------------------------------------------------- */
lbft *lbft_new(const lbft_cfg *cfg, uint32_t n_nodes)
{
    uint32_t n = cfg->validators, base = n + cfg->proposers + cfg->n_twins;
    if (n < 4 || n > 1000 || (n - 1) % 3 || cfg->proposers < 1 || base > n_nodes || !lbft_twins_ok(cfg) ||
        cfg->term_len < 1 || cfg->view_len < 1 || !cfg->memo || !cfg->costs ||
        (cfg->block_delay >= cfg->impeach_timeout && !cfg->late_blocks) ||
        (cfg->tx_rate > 0 && base == n_nodes) || cfg->tx_rate < 0)
        return NULL;
    lbft *l = calloc(1, sizeof *l);
    if (!l) return NULL;
    l->cfg = *cfg;
    l->n = n, l->f = (n - 1) / 3, l->n_nodes = n_nodes;
    l->tw0 = n + cfg->proposers, l->base = base;
    uint32_t keys = n + cfg->proposers;
    l->keys = malloc((size_t)keys * sizeof *l->keys);
    l->v = calloc(n + cfg->n_twins, sizeof *l->v); /* twins' slots are indexed by twin order */
    l->p = calloc(cfg->proposers + cfg->n_twins, sizeof *l->p);
    l->node_pk = malloc((size_t)n_nodes * 32);
    l->node_pk_set = calloc(n_nodes, 1);
    if (cr_memo_enabled(cfg->memo)) l->vcache = calloc(2 * (size_t)keys, sizeof *l->vcache);
    int bad = !l->keys || !l->v || !l->p || !l->node_pk || !l->node_pk_set ||
              (cr_memo_enabled(cfg->memo) && !l->vcache);
    for (uint32_t i = 0; !bad && i < n + cfg->n_twins; i++)
        bad = lbft_set_alloc(&l->v[i].prep, n) || lbft_set_alloc(&l->v[i].comm, n) || lbft_set_alloc(&l->v[i].iprep, n) ||
              lbft_set_alloc(&l->v[i].icomm, n);
    for (uint32_t i = 0; !bad && i < keys; i++) {
        cr_keypair_derive(&l->keys[i], cfg->seed, i);
    }
    if (!bad && cfg->civ_degree) bad = lbft_civilians_new(l);
    if (!bad && cfg->ledger) {
        uint32_t cap = cfg->max_txs * 8 > 1024 ? cfg->max_txs * 8 : 1024;
        bad = !(l->lg = lbft_lg_new(n_nodes, cfg->proposers + cfg->n_twins, cap, base, 1000000000000ull, cfg->seed));
    }
    if (bad) {
        lbft_free(l);
        return NULL;
    }
    return l;
}

void lbft_free(lbft *l)
{
    if (!l) return;
    for (uint32_t i = 0; l->v && i < l->n + l->cfg.n_twins; i++) {
        lbft_set_free(&l->v[i].prep), lbft_set_free(&l->v[i].comm), lbft_set_free(&l->v[i].iprep), lbft_set_free(&l->v[i].icomm);
        free(l->v[i].future); /* the references were dropped in lb_finish */
        free(l->v[i].txs);
    }
    for (uint32_t i = 0; l->p && i < l->cfg.proposers + l->cfg.n_twins; i++) free(l->p[i].pool);
    free(l->tx), free(l->tx_ext), free(l->node_pk), free(l->node_pk_set);
    free(l->civ_height), free(l->civ_head), free(l->civ_arrival);
    graph_free(&l->civ);
    free(l->keys), free(l->vcache), free(l->v), free(l->p), free(l->blocks), free(l->first_hash), free(l->first_set), free(l->vlist);
    free(l->first_prop), free(l->terms), free(l->term_set), free(l->store);
    lbft_lg_free(l->lg);
    free(l);
}


const lbft_vstats *lbft_validator_stats(const lbft *l, uint32_t validator)
{
    return validator < l->n ? &l->v[validator].st : NULL;
}
