/* sim/world/roles.c: what each node group is for. Every group of a protocol with roles names
 * one (`role: validator`); the protocol's counts (consensus.validators, data.devices,
 * iot.ev.piles, ...) come from the groups, and the world numbers the nodes role by role in the
 * protocol's order (validators first, then proposers, ...), groups of one role in file order.
 * So changing one group's count never moves another node into another role, and group
 * references (proposers.5) keep naming the same node. Run as the schema's finish hook, before
 * anything is built: every error is located at the group's line or the key that disagrees.
 *
 * Invariant: after a load without error, nodes[g].first is the world id of group g's first
 * node, the groups tile 0..n-1, and every count slot of the protocol equals its groups' sum.
 * A scenario with no role on any group keeps the old reading (groups in file order, counts
 * from the sections) so that older files still load. */
#include <stdio.h>
#include <string.h>

#include "sim/world/world.h"

#define NO_COUNT ((size_t)-1)
#define SLOTS_MAX 12

typedef struct role_slot {
    const char *name;       /* as written in `role:` */
    const char *alias;      /* a second name for the same nodes, or NULL */
    size_t count_off;       /* uint32_t count in wld_cfg, or NO_COUNT */
    const char *count_key;  /* its key path (given: must agree with the groups) */
    uint32_t min;           /* fewest nodes the protocol can run with */
} role_slot;

#define CNT(m) offsetof(wld_cfg, m)
static const role_slot peer_slots[] = {{"peer", NULL, NO_COUNT, NULL, 0}};
static const role_slot chain_slots[] = {
    {"validator", NULL, CNT(consensus.validators), "consensus.validators", 4},
    {"proposer", NULL, CNT(consensus.proposers), "consensus.proposers", 1},
    {"twin", NULL, NO_COUNT, NULL, 0},
};
static const role_slot client_slots[] = {{"client", "civilian", NO_COUNT, NULL, 0}};
static const role_slot data_slots[] = {
    {"device", NULL, CNT(data.devices), "data.devices", 1},
    {"gateway", NULL, CNT(data.gateways), "data.gateways", 1},
    {"proxy", NULL, CNT(data.proxies), "data.proxies", 0},
    {"buyer", NULL, CNT(data.buyers), "data.buyers", 0},
    {"committee", NULL, CNT(data.committee), "data.committee", 0},
};
static const role_slot ev_slots[] = {
    {"pile", NULL, CNT(iot.ev.piles), "iot.ev.piles", 1},
    {"ev", NULL, CNT(iot.ev.evs), "iot.ev.evs", 1},
    {"rider", NULL, CNT(iot.ev.riders), "iot.ev.riders", 0},
};
static const role_slot park_slots[] = {
    {"lock", NULL, CNT(iot.park.locks), "iot.park.locks", 1},
    {"driver", NULL, CNT(iot.park.drivers), "iot.park.drivers", 1},
};
static const role_slot log_slots[] = {
    {"hub", "scanner", CNT(iot.log.hubs), "iot.log.hubs", 3},
    {"indexer", NULL, CNT(iot.log.indexers), "iot.log.indexers", 1},
    {"client", NULL, CNT(iot.log.clients), "iot.log.clients", 1},
};
#define N_OF(a) (sizeof a / sizeof a[0])

typedef struct slots {
    const role_slot *s[SLOTS_MAX];
    size_t n;
    const char *what;       /* for messages: "protocol: lbft" */
} slots;

static void add(slots *t, const role_slot *s, size_t n)
{
    for (size_t i = 0; i < n && t->n < SLOTS_MAX; i++) t->s[t->n++] = &s[i];
}

/* The roles of the scenario's protocol, in the order the world numbers their nodes. */
static void slots_of(const wld_cfg *c, slots *t)
{
    static const char *const what[] = {"protocol: flood", "protocol: phold", "protocol: lbft", "protocol: dht",
                                       "protocol: data", "protocol: iot"};
    t->n = 0;
    t->what = c->protocol >= 0 && c->protocol <= WLD_PROTO_IOT ? what[c->protocol] : "the protocol";
    switch (c->protocol) {
    case WLD_PROTO_LBFT: add(t, chain_slots, N_OF(chain_slots)), add(t, client_slots, 1); break;
    case WLD_PROTO_DATA:
        if (c->data.chain == WLD_CHAIN_LBFT) add(t, chain_slots, N_OF(chain_slots));
        add(t, data_slots, N_OF(data_slots));
        break;
    case WLD_PROTO_IOT:
        add(t, chain_slots, N_OF(chain_slots));
        if (c->iot.app == IOT_APP_EV) add(t, ev_slots, N_OF(ev_slots));
        else if (c->iot.app == IOT_APP_PARK) add(t, park_slots, N_OF(park_slots));
        else add(t, log_slots, N_OF(log_slots));
        break;
    default: add(t, peer_slots, 1); break;
    }
}

static int slot_index(const slots *t, const char *role)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->s[i]->name, role) || (t->s[i]->alias && !strcmp(t->s[i]->alias, role))) return (int)i;
    return -1;
}

static void role_list(const slots *t, char *buf, size_t len)
{
    int k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < t->n && k >= 0 && (size_t)k < len; i++)
        k += snprintf(buf + k, len - (size_t)k, "%s%s", i ? ", " : "", t->s[i]->name);
}

static void bad_role(const slots *t, const wld_group_cfg *g, size_t gi, scn_check *k)
{
    const char *names[SLOTS_MAX];
    char list[256], path[64];
    for (size_t i = 0; i < t->n; i++) names[i] = t->s[i]->name;
    const char *near = scn_nearest(g->role, strlen(g->role), names, t->n);
    role_list(t, list, sizeof list);
    snprintf(path, sizeof path, "nodes.%zu.role", gi);
    scn_check_error(k, path, "%s has no role \"%s\"%s%s%s; expected one of: %s", t->what, g->role,
                    near ? " (did you mean " : "", near ? near : "", near ? "?)" : "", list);
}

/* Every group has a role of the protocol (role mode); 0 or -1 (reported). */
static int check_roles(const wld_cfg *c, const slots *t, scn_check *k)
{
    char list[256], path[64];
    int bad = 0;
    role_list(t, list, sizeof list);
    for (size_t g = 0; g < c->n_groups; g++) {
        const wld_group_cfg *gr = &c->nodes[g];
        if (!*gr->role) {
            snprintf(path, sizeof path, "nodes.%zu", g);
            scn_check_error(k, path, "missing role: every group of %s names what its nodes do (role: one of %s)",
                            t->what, list);
            bad = 1;
        } else if (slot_index(t, gr->role) < 0) {
            bad_role(t, gr, g, k);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* nodes[].first: role by role in the protocol's order, groups of a role in file order. */
static void order_nodes(wld_cfg *c, const slots *t, uint64_t *sum, int role_mode)
{
    uint64_t v = 0;
    if (!role_mode) {
        for (size_t g = 0; g < c->n_groups; g++) c->nodes[g].first = v, v += c->nodes[g].count;
        return;
    }
    for (size_t s = 0; s < t->n; s++) {
        sum[s] = 0;
        for (size_t g = 0; g < c->n_groups; g++)
            if (slot_index(t, c->nodes[g].role) == (int)s) c->nodes[g].first = v, v += c->nodes[g].count,
                                                             sum[s] += c->nodes[g].count;
    }
}

static int first_group(const wld_cfg *c, const slots *t, size_t s)
{
    for (size_t g = 0; g < c->n_groups; g++)
        if (slot_index(t, c->nodes[g].role) == (int)s) return (int)g;
    return -1;
}

/* A slot's count against the protocol's needs, and against its key if given. */
static void check_slot(wld_cfg *c, const slots *t, size_t s, uint64_t sum, scn_check *k)
{
    const role_slot *r = t->s[s];
    int g = first_group(c, t, s);
    char path[64];
    snprintf(path, sizeof path, g >= 0 ? "nodes.%d.count" : "nodes", g);
    if (sum < r->min) {
        scn_check_error(k, path, "%s needs at least %u node%s of role %s; %s", t->what, r->min, r->min == 1 ? "" : "s",
                        r->name, g >= 0 ? "the groups of that role have fewer" : "no group has that role");
        return;
    }
    if (r->count_off == NO_COUNT) return;
    uint32_t *dst = (uint32_t *)((char *)c + r->count_off);
    if (scn_check_given(k, r->count_key) && *dst != sum) {
        scn_check_error(k, r->count_key, "%u disagrees with the %llu nodes of role %s (%s, line %d); remove this key: "
                        "the groups give the count", *dst, (unsigned long long)sum, r->name, path, scn_check_line(k, path));
        return;
    }
    *dst = (uint32_t)sum;
    if (!strcmp(r->name, "validator") && (sum - 1) % 3 != 0)
        scn_check_error(k, path, "%llu validators (role: validator): LBFT needs 3f+1 of them (4, 7, 10, ...)",
                        (unsigned long long)sum);
}

/* A section only the protocols that run it may hold. */
static void check_sections(const wld_cfg *c, const slots *t, scn_check *k)
{
    int lbft = c->protocol == WLD_PROTO_LBFT || c->protocol == WLD_PROTO_IOT ||
               (c->protocol == WLD_PROTO_DATA && c->data.chain == WLD_CHAIN_LBFT);
    int dht = c->protocol == WLD_PROTO_DHT || (c->protocol == WLD_PROTO_IOT && c->iot.app == IOT_APP_EV) ||
              (c->protocol == WLD_PROTO_DATA && c->data.storage == WLD_STORE_DHT);
    const struct { const char *key; int runs; const char *how; } sec[] = {
        {"flood", c->protocol == WLD_PROTO_FLOOD, "protocol: flood"},
        {"phold", c->protocol == WLD_PROTO_PHOLD, "protocol: phold"},
        {"consensus", lbft, "protocol: lbft, protocol: iot or data.chain: lbft"},
        {"dht", dht, "protocol: dht, iot.app: ev-charging or data.storage: dht"},
        {"data", c->protocol == WLD_PROTO_DATA, "protocol: data"},
        {"iot", c->protocol == WLD_PROTO_IOT, "protocol: iot"},
    };
    for (size_t i = 0; i < N_OF(sec); i++)
        if (!sec[i].runs && scn_check_given(k, sec[i].key))
            scn_check_error(k, sec[i].key, "a %s section, but %s does not run it (the section is for %s); remove "
                            "the section or change the protocol", sec[i].key, t->what, sec[i].how);
}

static void declare_groups(const wld_cfg *c, scn_check *k)
{
    scn_group g[256];
    size_t n = 0;
    for (size_t i = 0; i < c->n_groups && n < 256; i++)
        g[n++] = (scn_group){c->nodes[i].name, c->nodes[i].first, c->nodes[i].count};
    scn_check_groups(k, g, n);
}

void wld_roles_finish(void *obj, scn_check *k)
{
    wld_cfg *c = obj;
    slots t;
    uint64_t sum[SLOTS_MAX] = {0};
    int role_mode = 0;
    slots_of(c, &t);
    check_sections(c, &t, k);
    for (size_t g = 0; g < c->n_groups; g++) role_mode |= c->nodes[g].role && *c->nodes[g].role;
    if (role_mode && check_roles(c, &t, k) != 0) return;
    order_nodes(c, &t, sum, role_mode);
    c->ordered = true;
    for (size_t s = 0; role_mode && s < t.n; s++) check_slot(c, &t, s, sum[s], k);
    declare_groups(c, k);
}
