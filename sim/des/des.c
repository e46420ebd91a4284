/* sim/des/des.c: the built-in engine's dispatch loop, virtual CPUs, timers and the engine
 * side of core/env.h (contract in des.h).
 *
 * Invariants:
 *   - events leave the pending set in (time, seq) order, and `now` never decreases;
 *   - a node's waiting queue is non-empty exactly when one EV_CPUFREE event is pending for it,
 *     at the time its CPU becomes free; queued events run in arrival order;
 *   - a timer slot is released only when its event leaves the pending set (fired or stale), so
 *     a timer id is never reused while its event is pending;
 *   - every message reference taken for a delivery is dropped exactly once. */
#include "sim/des/des.h"

#include <stdlib.h>
#include <string.h>

#include "sim/des/evl.h"
#include "core/vec.h"

enum { EV_START = 1, EV_MSG, EV_DOWN, EV_TIMER, EV_CPUFREE, EV_CALL, EV_RESTART };

#define NONE32 UINT32_MAX
/* Payloads up to these sizes come from the engine's free lists (blocks of 128, 512 and 1024
 * bytes with the header): small messages stay small in cache, and a reply carrying a few dozen
 * contacts or hashes costs no malloc. Larger ones are malloc'd. */
#define MSG_POOLS 3
static const uint32_t pool_len[MSG_POOLS] = {128 - sizeof(cp_msg), 512 - sizeof(cp_msg), 1024 - sizeof(cp_msg)};
#define MSG_FLAG_POOL0 1u /* flags: pool index + 1; 0 = malloc'd */

typedef struct timer_slot {
    uint64_t tag;
    uint32_t gen;
    uint32_t node; /* owner while in use; next free slot while free */
} timer_slot;

typedef struct wait_rec {
    des_ev ev;
    uint32_t next;
} wait_rec;

typedef struct call_rec {
    des_call_fn fn;
    void *arg;
    uint32_t index;
} call_rec;

/* Everything the engine keeps per node, in one cache line. */
typedef struct node_state {
    cp_time busy_until;
    cp_time cpu_total;
    uint32_t wq_head, wq_tail;
    cp_rng rng;
    uint8_t down, started; /* crashed now; start() has run */
} __attribute__((aligned(64))) node_state;

struct des {
    des_cfg cfg;
    evl q;
    uint64_t seq;
    cp_time now;
    node_state *nodes;
    timer_slot *timers;
    uint32_t n_timers, cap_timers, free_timer;
    wait_rec *waits;
    uint32_t n_waits, cap_waits, free_wait;
    call_rec *calls;
    uint32_t n_calls, cap_calls;
    cp_msg *msg_pool[MSG_POOLS];  /* free lists threaded through the first word of data[] */
    des_type_stats *types;
    des_metric_rec *metrics;
    size_t n_metrics, cap_metrics;
    cp_env env;
    cp_time cur_start, cur_cpu;
    des_stats stats;
    int oom;
    void *backend;  /* cfg.backend's instance */
};

static const cp_env_ops des_env_ops;

/* ---- small helpers ---------------------------------------------------------------- */

static int grow(void **arr, uint32_t *cap, size_t elem)
{
    uint32_t ncap = *cap ? *cap * 2 : 256;
    void *p = realloc(*arr, (size_t)ncap * elem);
    if (!p) return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

static void push(des *d, cp_time t, int kind, cp_node node, uint32_t aux, void *ptr)
{
    des_ev e = {t, (++d->seq << 8) | (uint64_t)kind, node, aux, ptr};
    if (evl_push(&d->q, &e) != 0) d->oom = 1;
    if (d->q.n > d->stats.max_pending) d->stats.max_pending = d->q.n;
}

static int ev_kind(const des_ev *e) { return (int)(e->key & 0xff); }

/* ---- messages --------------------------------------------------------------------- */

static cp_msg *msg_alloc(des *d, uint32_t len)
{
    for (unsigned k = 0; k < MSG_POOLS; k++) {
        if (len > pool_len[k]) continue;
        cp_msg *m = d->msg_pool[k];
        if (m)
            memcpy(&d->msg_pool[k], m->data, sizeof(cp_msg *));
        else
            m = malloc(sizeof(cp_msg) + pool_len[k]);
        if (m) m->flags = (uint16_t)(MSG_FLAG_POOL0 + k);
        return m;
    }
    cp_msg *m = malloc(sizeof(cp_msg) + len);
    if (m) m->flags = 0;
    return m;
}

static void msg_release(des *d, cp_msg *m)
{
    if (m->flags) {
        unsigned k = m->flags - MSG_FLAG_POOL0;
        memcpy(m->data, &d->msg_pool[k], sizeof(cp_msg *));
        d->msg_pool[k] = m;
    } else {
        free(m);
    }
}

static void msg_unref(des *d, cp_msg *m)
{
    if (--m->refs == 0) msg_release(d, m);
}

/* ---- env ops ---------------------------------------------------------------------- */

static cp_time op_now(cp_env *env)
{
    des *d = env->engine;
    return cp_time_add(d->cur_start, d->cur_cpu);
}

static int op_send(cp_env *env, cp_node to, cp_msg *m)
{
    des *d = env->engine;
    if (to >= d->cfg.n_nodes || m->type >= d->cfg.proto->n_msg_types) return -1;
    des_type_stats *ts = &d->types[m->type];
    ts->sent++;
    ts->sent_bytes += m->wire_size;
    net_tx tx;
    cp_time t = cp_time_add(d->cur_start, d->cur_cpu);
    if (d->backend) {
        m->refs++;
        return d->cfg.backend->send(d->backend, d, env->self, to, m, t, env->rng);
    }
    if (net_send(d->cfg.net, env->self, to, m->wire_size, t, env->rng, &tx) != NET_SENT) {
        ts->dropped++;
        return 0;
    }
    m->refs++;
    if (tx.needs_downlink)
        push(d, tx.first_bit, EV_DOWN, to, env->self, m);
    else
        push(d, tx.deliver, EV_MSG, to, env->self, m);
    return 0;
}

static uint64_t op_timer_set(cp_env *env, cp_time delay, uint64_t tag)
{
    des *d = env->engine;
    uint32_t s = d->free_timer;
    if (s != NONE32) {
        d->free_timer = d->timers[s].node;
    } else {
        if (d->n_timers == d->cap_timers &&
            grow((void **)&d->timers, &d->cap_timers, sizeof *d->timers) != 0) {
            d->oom = 1;
            return 0;
        }
        s = d->n_timers++;
        d->timers[s].gen = 0;
    }
    timer_slot *ts = &d->timers[s];
    ts->tag = tag;
    ts->node = env->self;
    ts->gen++;
    push(d, cp_time_add(cp_time_add(d->cur_start, d->cur_cpu), delay), EV_TIMER, env->self, s,
         (void *)(uintptr_t)ts->gen);
    return ((uint64_t)ts->gen << 32) | (uint64_t)(s + 1);
}

static int op_timer_cancel(cp_env *env, uint64_t id)
{
    des *d = env->engine;
    uint32_t s = (uint32_t)(id & 0xffffffffu) - 1, gen = (uint32_t)(id >> 32);
    if (s >= d->n_timers) return -1;
    timer_slot *ts = &d->timers[s];
    if (ts->gen != gen || ts->node != env->self) return -1;
    ts->gen++; /* the pending event now carries a stale generation */
    return 0;
}

static void op_cpu(cp_env *env, cp_time ns)
{
    des *d = env->engine;
    d->cur_cpu = cp_time_add(d->cur_cpu, ns);
}

static void op_metric(cp_env *env, uint32_t id, double v)
{
    des *d = env->engine;
    if (d->n_metrics == d->cap_metrics) {
        size_t ncap = d->cap_metrics ? d->cap_metrics * 2 : 4096;
        des_metric_rec *p = realloc(d->metrics, ncap * sizeof *p);
        if (!p) {
            d->oom = 1;
            return;
        }
        d->metrics = p;
        d->cap_metrics = ncap;
    }
    d->metrics[d->n_metrics++] = (des_metric_rec){cp_time_add(d->cur_start, d->cur_cpu), env->self, id, v};
}

static cp_msg *op_msg_new(cp_env *env, uint16_t type, uint32_t len, uint32_t wire_size)
{
    cp_msg *m = msg_alloc(env->engine, len);
    if (!m) return NULL;
    m->refs = 1;
    m->type = type;
    m->len = len;
    m->wire_size = wire_size > len ? wire_size : len;
    return m;
}

static void op_msg_free(cp_env *env, cp_msg *m) { msg_release(env->engine, m); }

static const cp_env_ops des_env_ops = {
    op_now, op_send, op_timer_set, op_timer_cancel, op_cpu, op_metric, op_msg_new, op_msg_free,
};

/* ---- lifecycle -------------------------------------------------------------------- */

des *des_new(const des_cfg *cfg)
{
    char err[256];
    return des_new_ex(cfg, err, sizeof err);
}

des *des_new_ex(const des_cfg *cfg, char *err, size_t len)
{
    des *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->cfg = *cfg;
    evl_init(&d->q);
    size_t n = cfg->n_nodes ? cfg->n_nodes : 1;
    d->nodes = vec_big(n * sizeof *d->nodes, 0);
    d->types = calloc(cfg->proto->n_msg_types + 1u, sizeof *d->types);
    if (!d->nodes || !d->types) {
        des_free(d);
        return NULL;
    }
    for (uint32_t i = 0; i < cfg->n_nodes; i++) {
        memset(&d->nodes[i], 0, sizeof d->nodes[i]);
        d->nodes[i].wq_head = d->nodes[i].wq_tail = NONE32;
        rng_seed(&d->nodes[i].rng, cfg->seed, i, 0);
    }
    d->free_timer = d->free_wait = NONE32;
    d->env.ops = &des_env_ops;
    d->env.engine = d;
    d->env.n_nodes = cfg->n_nodes;
    if (cfg->backend) {
        d->backend = cfg->backend->init(d, cfg->net, cfg->n_nodes, cfg->end, err, len);
        if (!d->backend) {
            des_free(d);
            return NULL;
        }
    }
    return d;
}

static void drop_msg_ev(void *ctx, const des_ev *e)
{
    int k = ev_kind(e);
    if (k == EV_MSG || k == EV_DOWN) msg_unref(ctx, e->ptr);
}

static void drop_pending_msgs(des *d)
{
    evl_each(&d->q, drop_msg_ev, d);
    for (uint32_t n = 0; n < d->cfg.n_nodes && d->nodes; n++)
        for (uint32_t w = d->nodes[n].wq_head; w != NONE32; w = d->waits[w].next)
            if (ev_kind(&d->waits[w].ev) == EV_MSG) msg_unref(d, d->waits[w].ev.ptr);
}

void des_free(des *d)
{
    if (!d) return;
    if (d->backend) d->cfg.backend->free(d->backend); /* hands back the messages it carries */
    drop_pending_msgs(d);
    for (unsigned k = 0; k < MSG_POOLS; k++)
        while (d->msg_pool[k]) {
            cp_msg *m = d->msg_pool[k];
            memcpy(&d->msg_pool[k], m->data, sizeof(cp_msg *));
            free(m);
        }
    evl_free(&d->q);
    free(d->nodes);
    free(d->timers);
    free(d->waits);
    free(d->calls);
    free(d->types);
    free(d->metrics);
    free(d);
}

int des_call_at(des *d, cp_time t, des_call_fn fn, void *arg, uint32_t index)
{
    if (d->n_calls == d->cap_calls && grow((void **)&d->calls, &d->cap_calls, sizeof *d->calls))
        return -1;
    d->calls[d->n_calls] = (call_rec){fn, arg, index};
    push(d, t, EV_CALL, 0, d->n_calls++, NULL);
    return d->oom ? -1 : 0;
}

/* ---- dispatch --------------------------------------------------------------------- */

/* A timer event whose timer was not cancelled since (its slot's generation is the event's). */
static inline int timer_live(const des *d, const des_ev *e) { return d->timers[e->aux].gen == (uint32_t)(uintptr_t)e->ptr; }

/* Release a timer slot; returns 1 if the event was live (not cancelled). */
static int timer_take(des *d, const des_ev *e, uint64_t *tag)
{
    timer_slot *ts = &d->timers[e->aux];
    int live = timer_live(d, e);
    *tag = ts->tag;
    ts->node = d->free_timer;
    d->free_timer = e->aux;
    return live;
}

/* An event for a crashed node: nothing runs; a message is lost, a timer slot is released. */
static void lose(des *d, const des_ev *e)
{
    if (ev_kind(e) == EV_MSG) {
        des_msg_drop(d, e->ptr);
    } else if (ev_kind(e) == EV_TIMER) {
        uint64_t tag;
        timer_take(d, e, &tag);
    }
}

static void run_handler(des *d, const des_ev *e)
{
    cp_node n = e->node;
    const cp_proto_ops *p = d->cfg.proto;
    if (d->nodes[n].down) {
        lose(d, e);
        return;
    }
    uint32_t cls = net_class_of(d->cfg.net, n);
    d->env.self = n;
    d->env.rng = &d->nodes[n].rng;
    d->env.dev_class = cls;
    d->env.cpu_factor = d->cfg.cpu_factor ? d->cfg.cpu_factor[cls] : 1.0;
    d->cur_start = d->now;
    d->cur_cpu = 0;
    d->stats.handled++;
    switch (ev_kind(e)) {
    case EV_START:
        d->nodes[n].started = 1;
        if (p->start) p->start(d->cfg.proto_self, &d->env);
        break;
    case EV_RESTART: {
        void (*fn)(void *, cp_env *) = d->nodes[n].started && p->restart ? p->restart : p->start;
        d->nodes[n].started = 1;
        if (fn) fn(d->cfg.proto_self, &d->env);
        break;
    }
    case EV_MSG: {
        cp_msg *m = e->ptr;
        des_type_stats *ts = &d->types[m->type];
        ts->delivered++;
        ts->delivered_bytes += m->wire_size;
        net_count_delivered(d->cfg.net, n, m->wire_size);
        p->on_message(d->cfg.proto_self, &d->env, e->aux, m);
        msg_unref(d, m);
        break;
    }
    case EV_TIMER: {
        uint64_t tag;
        if (timer_take(d, e, &tag)) p->on_timer(d->cfg.proto_self, &d->env, tag);
        break;
    }
    }
    d->nodes[n].busy_until = cp_time_add(d->now, d->cur_cpu);
    d->nodes[n].cpu_total = cp_time_add(d->nodes[n].cpu_total, d->cur_cpu);
}

static void wait_push(des *d, const des_ev *e)
{
    uint32_t w = d->free_wait;
    if (w != NONE32) {
        d->free_wait = d->waits[w].next;
    } else {
        if (d->n_waits == d->cap_waits && grow((void **)&d->waits, &d->cap_waits, sizeof *d->waits)) {
            d->oom = 1;
            return;
        }
        w = d->n_waits++;
    }
    node_state *ns = &d->nodes[e->node];
    d->waits[w].ev = *e;
    d->waits[w].next = NONE32;
    if (ns->wq_tail == NONE32) {
        ns->wq_head = w;
        push(d, ns->busy_until, EV_CPUFREE, e->node, 0, NULL);
    } else {
        d->waits[ns->wq_tail].next = w;
    }
    ns->wq_tail = w;
    d->stats.queued++;
}

/* An event for a node's CPU: run it now, or queue it behind the current work. */
static void to_cpu(des *d, const des_ev *e)
{
    node_state *ns = &d->nodes[e->node];
    if (ns->busy_until > d->now || ns->wq_head != NONE32)
        wait_push(d, e);
    else
        run_handler(d, e);
}

static void cpu_free(des *d, cp_node n)
{
    node_state *ns = &d->nodes[n];
    uint32_t w = ns->wq_head;
    des_ev e = d->waits[w].ev;
    ns->wq_head = d->waits[w].next;
    if (ns->wq_head == NONE32) ns->wq_tail = NONE32;
    d->waits[w].next = d->free_wait;
    d->free_wait = w;
    run_handler(d, &e);
    if (ns->wq_head != NONE32) push(d, ns->busy_until, EV_CPUFREE, n, 0, NULL);
}

static void on_msg_arrival(des *d, const des_ev *e)
{
    if (!net_connected(d->cfg.net, e->aux, e->node)) {
        net_count_dropped_partition(d->cfg.net, e->node);
        des_msg_drop(d, e->ptr);
        return;
    }
    to_cpu(d, e);
}

static void dispatch(des *d, const des_ev *e)
{
    switch (ev_kind(e)) {
    case EV_MSG:
        on_msg_arrival(d, e);
        break;
    case EV_DOWN: {
        cp_msg *m = e->ptr;
        cp_time t = net_downlink(d->cfg.net, e->aux, e->node, m->wire_size, d->now);
        push(d, t, EV_MSG, e->node, e->aux, m);
        break;
    }
    case EV_TIMER: {
        /* a cancelled timer must not occupy the CPU queue: drop it here */
        if (!timer_live(d, e)) {
            uint64_t tag;
            timer_take(d, e, &tag);
            break;
        }
        to_cpu(d, e);
        break;
    }
    case EV_START:
    case EV_RESTART:
        to_cpu(d, e);
        break;
    case EV_CPUFREE:
        cpu_free(d, e->node);
        break;
    case EV_CALL: {
        call_rec *c = &d->calls[e->aux];
        c->fn(d, c->arg, c->index);
        break;
    }
    }
}

/* Hide the coming events' cache misses behind the current event's work, in two stages: the
 * engine's lines and the protocol's first lines (stage 0) for the next two events (the root
 * and its smallest child), and the protocol's dependent lines (stage 1) for the next one.
 * A timer is most often a cancelled one (an RPC answered in time), which needs no node state:
 * stage 0 fetches only its slot, and stage 1 the node's first lines if it is still live. */
static inline void prefetch_stage0(des *d, const des_ev *e)
{
    int k = ev_kind(e);
    if (k == EV_TIMER) { /* most timers are cancelled ones: only their slot, to tell (stage 1) */
        __builtin_prefetch(&d->timers[e->aux]);
        return;
    }
    __builtin_prefetch(&d->nodes[e->node], 1);
    if (k == EV_MSG) {
        __builtin_prefetch(e->ptr);
        net_prefetch(d->cfg.net, e->node);
    }
    if (d->cfg.proto->prefetch && k == EV_MSG) d->cfg.proto->prefetch(d->cfg.proto_self, e->node, e->ptr, 0);
}

static inline void prefetch_ahead(des *d)
{
    const des_ev *a = d->q.near.a, *n1 = &a[0];
    size_t n = d->q.near.n;
    if (n > 1) {
        size_t best = 1, end = n < EVQ_ARITY + 1 ? n : EVQ_ARITY + 1;
        for (size_t k = 2; k < end; k++)
            if (evq_less(&a[k], &a[best])) best = k;
        prefetch_stage0(d, &a[best]);
    }
    int k = ev_kind(n1);
    if (k == EV_TIMER && !timer_live(d, n1)) return; /* a cancelled timer: nothing to fetch */
    __builtin_prefetch(&d->nodes[n1->node], 1);
    if (k == EV_MSG) net_prefetch(d->cfg.net, n1->node);
    if (d->cfg.proto->prefetch && (k == EV_MSG || k == EV_TIMER)) /* a live timer had no stage 0 */
        d->cfg.proto->prefetch(d->cfg.proto_self, n1->node, k == EV_MSG ? n1->ptr : NULL, k == EV_MSG);
}

static void step(des *d)
{
    des_ev e;
    evl_pop(&d->q, &e);
    if (d->q.n) prefetch_ahead(d);
    d->now = e.time;
#ifdef CPSIM_SLOW_ENGINE /* test-only: burn host time per event, for the regression gate's check */
    for (volatile int burn = 0; burn < CPSIM_SLOW_ENGINE; burn++) {
    }
#endif
    dispatch(d, &e);
    if ((++d->stats.events & 0xfffff) == 0 && d->cfg.progress)
        d->cfg.progress(d->cfg.progress_arg, d->now, d->cfg.end, d->stats.events);
}

void des_set_down(des *d, cp_node node, int down)
{
    if (node >= d->cfg.n_nodes || d->nodes[node].down == (down != 0)) return;
    d->nodes[node].down = down != 0;
    if (!down) push(d, d->now, EV_RESTART, node, 0, NULL);
}

int des_is_down(const des *d, cp_node node) { return d->nodes[node].down; }

cp_time des_next(const des *d) { return d->q.n && !d->oom ? evl_peek(&d->q)->time : CP_TIME_NEVER; }

void des_advance(des *d, cp_time t)
{
    if (t > d->cfg.end) t = d->cfg.end;
    while (d->q.n && !d->oom && evl_peek(&d->q)->time <= t) step(d);
}

void des_deliver(des *d, cp_node from, cp_node to, cp_msg *m, cp_time t)
{
    push(d, t < d->now ? d->now : t, EV_MSG, to, from, m);
}

void des_msg_drop(des *d, cp_msg *m)
{
    d->types[m->type].dropped++;
    msg_unref(d, m);
}

void des_backend_stats(const des *d, eng_stats *out)
{
    memset(out, 0, sizeof *out);
    if (d->backend) d->cfg.backend->stats(d->backend, out);
}

int des_backend_airtime(const des *d, cp_node node, double *tx_s, double *rx_s)
{
    if (!d->backend || !d->cfg.backend->airtime) return 0;
    return d->cfg.backend->airtime(d->backend, node, tx_s, rx_s);
}

static void finish(des *d)
{
    d->stats.end_time = des_next(d) != CP_TIME_NEVER ? d->cfg.end : d->now;
    if (d->cfg.proto->finish && d->cfg.n_nodes) {
        d->env.self = 0;
        d->env.rng = &d->nodes[0].rng;
        d->cur_start = d->now, d->cur_cpu = 0;
        d->cfg.proto->finish(d->cfg.proto_self, &d->env);
    }
}

int des_run(des *d)
{
    for (uint32_t i = 0; i < d->cfg.n_nodes; i++) push(d, 0, EV_START, i, 0, NULL);
    int rc = 0;
    if (d->backend) {
        rc = d->cfg.backend->run(d->backend, d, d->cfg.end);
    } else {
        while (d->q.n && !d->oom) {
            if (evl_peek(&d->q)->time > d->cfg.end) break;
            step(d);
        }
    }
    finish(d);
    return d->oom || rc ? -1 : 0;
}

/* ---- read-out --------------------------------------------------------------------- */

const des_stats *des_get_stats(const des *d) { return &d->stats; }
const des_type_stats *des_type_stats_get(const des *d) { return d->types; }
cp_time des_cpu_busy(const des *d, cp_node node) { return d->nodes[node].cpu_total; }
net *des_net(des *d) { return d->cfg.net; }
cp_time des_now(const des *d) { return d->now; }
size_t des_bytes_per_node(void) { return sizeof(node_state); }

const des_metric_rec *des_metrics(const des *d, size_t *n)
{
    *n = d->n_metrics;
    return d->metrics;
}
