/* core/stk/stk.c: the protocol stack: one cp_proto over several layers, each called with a
 * wrapping env that shifts its message types, timer tags and metric ids into its own range of
 * the engine's. Invariant: outside a handler the wrappers hold nothing of value; on every entry
 * from the engine all of them are refreshed from the engine's env, so a layer's env always
 * names the node and call that is running. */
#include "core/stk/stk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wrap {
    cp_env env; /* what the layer sees; env.engine points back at this wrap */
    stk *s;
    cp_env *real;
    uint32_t layer;
} wrap;

typedef struct slot {
    const cp_proto_ops *ops;
    void *self;
    uint16_t tbase, mbase;
} slot;

struct stk {
    slot l[STK_MAX_LAYERS];
    wrap w[STK_MAX_LAYERS];
    uint32_t n;
    uint32_t types, metrics;
    int sealed;
    cp_proto_ops ops;
    char *name;
    char **tnames, **mnames;
};

static const cp_env_ops wrap_ops;

static wrap *wrap_of(cp_env *e) { return (wrap *)e->engine; }
static cp_env *real_of(cp_env *e) { return wrap_of(e)->real; }

static cp_time w_now(cp_env *e) { return env_now(real_of(e)); }
static int w_send(cp_env *e, cp_node to, cp_msg *m) { return env_send(real_of(e), to, m); }
static void w_cpu(cp_env *e, cp_time ns) { env_cpu(real_of(e), ns); }
static int w_cancel(cp_env *e, uint64_t id) { return env_timer_cancel(real_of(e), id); }
static void w_free(cp_env *e, cp_msg *m) { real_of(e)->ops->msg_free(real_of(e), m); }

static uint64_t w_timer(cp_env *e, cp_time delay, uint64_t tag)
{
    wrap *w = wrap_of(e);
    if (tag >> STK_TAG_SHIFT) {
        fprintf(stderr, "stk: layer %s set timer tag %llu (>= 2^60)\n", w->s->l[w->layer].ops->name,
                (unsigned long long)tag);
        abort();
    }
    return env_timer(w->real, delay, (uint64_t)w->layer << STK_TAG_SHIFT | tag);
}

static void w_metric(cp_env *e, uint32_t id, double v)
{
    wrap *w = wrap_of(e);
    env_metric(w->real, w->s->l[w->layer].mbase + id, v);
}

static cp_msg *w_msg_new(cp_env *e, uint16_t type, uint32_t len, uint32_t wire)
{
    wrap *w = wrap_of(e);
    return env_msg_new(w->real, (uint16_t)(w->s->l[w->layer].tbase + type), len, wire);
}

static const cp_env_ops wrap_ops = {w_now, w_send, w_timer, w_cancel, w_cpu, w_metric, w_msg_new, w_free};

/* Refreshes every layer's env from the engine's; returns nothing: the wrappers are ready. */
static void enter(stk *s, cp_env *real)
{
    for (uint32_t i = 0; i < s->n; i++) {
        cp_env *e = &s->w[i].env;
        e->self = real->self, e->n_nodes = real->n_nodes, e->rng = real->rng;
        e->cpu_factor = real->cpu_factor, e->dev_class = real->dev_class;
        s->w[i].real = real;
    }
}

cp_env *stk_env(cp_env *env, uint32_t layer)
{
    if (!env || env->ops != &wrap_ops) return NULL;
    stk *s = wrap_of(env)->s;
    return layer < s->n ? &s->w[layer].env : NULL;
}

static void start_all(void *self, cp_env *env, int restart)
{
    stk *s = self;
    enter(s, env);
    for (uint32_t i = 0; i < s->n; i++) {
        const cp_proto_ops *o = s->l[i].ops;
        if (restart && o->restart) o->restart(s->l[i].self, &s->w[i].env);
        else if (o->start) o->start(s->l[i].self, &s->w[i].env);
    }
}

static void st_start(void *self, cp_env *env) { start_all(self, env, 0); }
static void st_restart(void *self, cp_env *env) { start_all(self, env, 1); }

static void st_message(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    stk *s = self;
    uint32_t i = s->n;
    while (i > 0 && m->type < s->l[i - 1].tbase) i--;
    if (i == 0) return;
    i--;
    enter(s, env);
    if (s->l[i].ops->on_message) s->l[i].ops->on_message(s->l[i].self, &s->w[i].env, from, m);
}

static void st_timer(void *self, cp_env *env, uint64_t tag)
{
    stk *s = self;
    uint32_t i = (uint32_t)(tag >> STK_TAG_SHIFT);
    if (i >= s->n || !s->l[i].ops->on_timer) return;
    enter(s, env);
    s->l[i].ops->on_timer(s->l[i].self, &s->w[i].env, tag & ((1ull << STK_TAG_SHIFT) - 1));
}

static void st_finish(void *self, cp_env *env)
{
    stk *s = self;
    enter(s, env);
    for (uint32_t i = 0; i < s->n; i++)
        if (s->l[i].ops->finish) s->l[i].ops->finish(s->l[i].self, &s->w[i].env);
}

stk *stk_new(void) { return calloc(1, sizeof(stk)); }

static void free_names(char **v, uint32_t n)
{
    for (uint32_t i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

void stk_free(stk *s)
{
    if (!s) return;
    free_names(s->tnames, s->types);
    free_names(s->mnames, s->metrics);
    free(s->name);
    free(s);
}

int stk_add(stk *s, const cp_proto_ops *ops, void *self)
{
    if (s->sealed || s->n == STK_MAX_LAYERS) return -1;
    if (s->types + ops->n_msg_types > UINT16_MAX || s->metrics + ops->n_metrics > UINT16_MAX) return -1;
    uint32_t i = s->n++;
    s->l[i] = (slot){ops, self, (uint16_t)s->types, (uint16_t)s->metrics};
    s->w[i] = (wrap){.env = {.ops = &wrap_ops, .engine = &s->w[i]}, .s = s, .layer = i};
    s->types += ops->n_msg_types;
    s->metrics += ops->n_metrics;
    return (int)i;
}

/* "<layer>:<name>" for each of a layer's names, appended to v at base. */
static int prefixed(char **v, uint32_t base, const char *layer, const char *const *names, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        size_t len = strlen(layer) + strlen(names[k]) + 2;
        if (!(v[base + k] = malloc(len))) return -1;
        snprintf(v[base + k], len, "%s:%s", layer, names[k]);
    }
    return 0;
}

static int build_names(stk *s)
{
    size_t nl = 1;
    for (uint32_t i = 0; i < s->n; i++) nl += strlen(s->l[i].ops->name) + 1;
    s->name = calloc(1, nl);
    s->tnames = calloc(s->types + 1u, sizeof *s->tnames);
    s->mnames = calloc(s->metrics + 1u, sizeof *s->mnames);
    if (!s->name || !s->tnames || !s->mnames) return -1;
    for (uint32_t i = 0; i < s->n; i++) {
        const cp_proto_ops *o = s->l[i].ops;
        if (i) strcat(s->name, "+");
        strcat(s->name, o->name);
        if (prefixed(s->tnames, s->l[i].tbase, o->name, o->msg_type_names, o->n_msg_types) ||
            prefixed(s->mnames, s->l[i].mbase, o->name, o->metric_names, o->n_metrics))
            return -1;
    }
    return 0;
}

const cp_proto_ops *stk_ops(stk *s)
{
    if (!s->n) return NULL;
    if (s->sealed) return &s->ops;
    if (build_names(s)) return NULL;
    s->sealed = 1;
    s->ops = (cp_proto_ops){
        .name = s->name, .start = st_start, .on_message = st_message, .on_timer = st_timer,
        .msg_type_names = (const char *const *)s->tnames, .n_msg_types = (uint16_t)s->types,
        .metric_names = (const char *const *)s->mnames, .n_metrics = (uint16_t)s->metrics,
        .finish = st_finish, .restart = st_restart};
    return &s->ops;
}

uint32_t stk_layers(const stk *s) { return s->n; }

uint16_t stk_type(const stk *s, uint32_t layer, uint16_t t)
{
    return layer < s->n ? (uint16_t)(s->l[layer].tbase + t) : UINT16_MAX;
}
