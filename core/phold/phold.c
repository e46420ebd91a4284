/* core/phold/phold.c: the PHOLD workload (contract in phold.h). Invariant: the number of
 * messages in flight stays n_nodes * per_node (minus losses), since every receipt sends one. */
#include "core/phold/phold.h"

#include <stdlib.h>
#include <string.h>

struct phold {
    uint32_t n, per_node, payload;
    uint64_t handled;
};

static const char *const phold_names[] = {"phold"};

phold *phold_new(uint32_t n_nodes, uint32_t per_node, uint32_t payload)
{
    if (n_nodes < 2) return NULL;
    phold *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->n = n_nodes;
    p->per_node = per_node;
    p->payload = payload < 8 ? 8 : payload;
    return p;
}

void phold_free(phold *p) { free(p); }
uint64_t phold_handled(const phold *p) { return p->handled; }

static void hop(phold *p, cp_env *env)
{
    cp_node to = (cp_node)rng_below(env->rng, p->n - 1);
    if (to >= env->self) to++;
    cp_msg *m = env_msg_new(env, PHOLD_MSG, p->payload, p->payload);
    if (!m) return;
    uint64_t h = p->handled;
    memcpy(m->data, &h, 8);
    memset(m->data + 8, 0, p->payload - 8);
    env_send(env, to, m);
    env_msg_unref(env, m);
}

static void ph_start(void *self, cp_env *env)
{
    phold *p = self;
    for (uint32_t i = 0; i < p->per_node; i++) hop(p, env);
}

static void ph_message(void *self, cp_env *env, cp_node from, cp_msg *m)
{
    phold *p = self;
    p->handled++;
    hop(p, env);
}

static void ph_timer(void *self, cp_env *env, uint64_t tag) {}

static const cp_proto_ops phold_proto = {
    "phold", ph_start, ph_message, ph_timer, phold_names, PHOLD_N_MSG, NULL, 0, NULL, NULL, NULL,
};

const cp_proto_ops *phold_ops(void) { return &phold_proto; }
