/* sim/net/net.c: per-message latency, jitter, loss, FIFO uplink/downlink serialization and
 * partition groups (contract in net.h).
 *
 * Invariant: every node's uplink and downlink serve messages one at a time in the order the
 * engine hands them over (send order for the uplink, first-bit arrival order for the
 * downlink), so `up_free`/`down_free` never move backwards; all randomness comes from the
 * sender's RNG stream passed in by the engine. */
#include "sim/net/net.h"

#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

/* Static attributes, read for both ends of every message: kept small and apart from the
 * per-node dynamic state so that the array stays cache-resident. */
typedef struct net_node {
    uint16_t region;
    uint16_t group;
    uint8_t cls;
    uint8_t pad[3];
} net_node;

/* Dynamic state of one node: its queues and counters, one cache line. */
typedef struct net_dyn {
    cp_time up_free;
    cp_time down_free;
    net_node_stats st;
} __attribute__((aligned(64))) net_dyn;

struct net {
    net_cfg cfg;
    cp_time *rtt;
    net_class *classes;
    net_node *nodes;
    net_dyn *dyn;
    uint32_t n_nodes;
    uint32_t cut_nodes; /* nodes outside group 0: while 0, everyone is connected */
    int uniform;        /* one region and one class: every node is (region 0, class 0) */
    uint8_t access[256];/* per class: NET_ACCESS_* */
    cp_node *ap;        /* radio cells (net_attach), allocated on first use */
    double *xy;
};

/* A node's region and class; a uniform network never reads the per-node array (one miss
 * less for each end of every message). */
static inline uint32_t region_of(const net *n, cp_node v) { return n->uniform ? 0 : n->nodes[v].region; }
static inline uint32_t cls_of(const net *n, cp_node v) { return n->uniform ? 0 : n->nodes[v].cls; }

cp_time net_tx_time(uint64_t bytes, uint64_t bps)
{
    if (bps == 0) return 0;
    unsigned __int128 bits_ns = (unsigned __int128)bytes * 8u * 1000000000u;
    unsigned __int128 ns = (bits_ns + bps - 1) / bps;
    return ns >= CP_TIME_NEVER ? CP_TIME_NEVER : (cp_time)ns;
}

size_t net_bytes_per_node(void) { return sizeof(net_node) + sizeof(net_dyn); }

net *net_new(const net_cfg *cfg, uint32_t n_nodes)
{
    net *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->cfg = *cfg;
    size_t nr = cfg->n_regions;
    n->rtt = malloc(nr * nr * sizeof *n->rtt);
    n->classes = malloc(cfg->n_classes * sizeof *n->classes);
    n->nodes = calloc(n_nodes ? n_nodes : 1, sizeof *n->nodes);
    n->dyn = vec_big((n_nodes ? n_nodes : 1) * sizeof *n->dyn, 1);
    if (!n->rtt || !n->classes || !n->nodes || !n->dyn) {
        net_free(n);
        return NULL;
    }
    memcpy(n->rtt, cfg->rtt, nr * nr * sizeof *n->rtt);
    memcpy(n->classes, cfg->classes, cfg->n_classes * sizeof *n->classes);
    n->cfg.rtt = n->rtt;
    n->cfg.classes = n->classes;
    n->n_nodes = n_nodes;
    n->uniform = cfg->n_regions == 1 && cfg->n_classes == 1;
    return n;
}

void net_free(net *n)
{
    if (!n) return;
    free(n->rtt);
    free(n->classes);
    free(n->nodes);
    free(n->dyn);
    free(n->ap);
    free(n->xy);
    free(n);
}

void net_place(net *n, cp_node node, uint32_t region, uint32_t cls)
{
    n->nodes[node].region = (uint16_t)region;
    n->nodes[node].cls = (uint8_t)cls;
}

uint32_t net_region_of(const net *n, cp_node node) { return region_of(n, node); }
uint32_t net_class_of(const net *n, cp_node node) { return cls_of(n, node); }
const net_class *net_class_get(const net *n, uint32_t cls) { return &n->classes[cls]; }
uint32_t net_n_regions(const net *n) { return n->cfg.n_regions; }
const net_node_stats *net_stats(const net *n, cp_node node) { return &n->dyn[node].st; }

void net_set_access(net *n, uint32_t cls, int access)
{
    if (cls < 256) n->access[cls] = (uint8_t)access;
}

int net_access_of(const net *n, uint32_t cls) { return cls < 256 ? n->access[cls] : NET_ACCESS_WIRED; }

int net_attach(net *n, cp_node v, cp_node ap, double x, double y)
{
    if (!n->ap) {
        n->ap = malloc((size_t)n->n_nodes * sizeof *n->ap);
        n->xy = calloc((size_t)n->n_nodes * 2, sizeof *n->xy);
        if (!n->ap || !n->xy) return -1;
        for (uint32_t i = 0; i < n->n_nodes; i++) n->ap[i] = NET_NO_AP;
    }
    n->ap[v] = ap, n->xy[2 * (size_t)v] = x, n->xy[2 * (size_t)v + 1] = y;
    return 0;
}

cp_node net_ap_of(const net *n, cp_node v) { return n->ap ? n->ap[v] : NET_NO_AP; }

void net_pos(const net *n, cp_node v, double *x, double *y)
{
    *x = n->xy ? n->xy[2 * (size_t)v] : 0, *y = n->xy ? n->xy[2 * (size_t)v + 1] : 0;
}

cp_time net_rtt(const net *n, uint32_t ra, uint32_t rb)
{
    return n->rtt[(size_t)ra * n->cfg.n_regions + rb];
}

void net_set_rtt(net *n, uint32_t ra, uint32_t rb, cp_time rtt)
{
    n->rtt[(size_t)ra * n->cfg.n_regions + rb] = rtt;
    n->rtt[(size_t)rb * n->cfg.n_regions + ra] = rtt;
}

void net_set_group(net *n, cp_node node, uint16_t group)
{
    n->cut_nodes += (group != 0) - (n->nodes[node].group != 0);
    n->nodes[node].group = group;
}

int net_connected(const net *n, cp_node from, cp_node to)
{
    return n->cut_nodes == 0 || n->nodes[from].group == n->nodes[to].group;
}

static cp_time jitter_draw(const net *n, cp_rng *rng)
{
    switch (n->cfg.jitter_dist) {
    case NET_JITTER_UNIFORM:
        return n->cfg.jitter ? (cp_time)rng_below(rng, n->cfg.jitter) : 0;
    case NET_JITTER_EXP:
        return (cp_time)rng_exp(rng, (double)n->cfg.jitter);
    default:
        return 0;
    }
}

static cp_time one_way(const net *n, cp_node from, cp_node to, cp_rng *rng)
{
    cp_time lat = net_rtt(n, region_of(n, from), region_of(n, to)) / 2;
    lat += n->classes[cls_of(n, from)].access_latency + n->classes[cls_of(n, to)].access_latency;
    return lat + jitter_draw(n, rng);
}

int net_path(net *n, cp_node from, cp_node to, uint32_t wire, cp_rng *rng, cp_time *lat)
{
    net_dyn *ad = &n->dyn[from];
    if (!net_connected(n, from, to)) {
        ad->st.dropped_partition++;
        return NET_DROP_PARTITION;
    }
    if (n->cfg.loss > 0 && rng_unit(rng) < n->cfg.loss) {
        ad->st.dropped_loss++;
        return NET_DROP_LOSS;
    }
    ad->st.bytes_up += wire;
    ad->st.msgs_up++;
    *lat = from == to ? 0 : one_way(n, from, to, rng);
    return NET_SENT;
}

int net_send(net *n, cp_node from, cp_node to, uint32_t wire, cp_time t, cp_rng *rng, net_tx *tx)
{
    net_dyn *ad = &n->dyn[from];
    const net_class *ca = &n->classes[cls_of(n, from)];
    cp_time start = t > ad->up_free ? t : ad->up_free, lat;
    int rc = net_path(n, from, to, wire, rng, &lat);
    if (rc != NET_SENT) return rc;
    cp_time tx_up = net_tx_time(wire, ca->up_bps);
    ad->up_free = cp_time_add(start, tx_up);
    tx->first_bit = cp_time_add(start, lat);
    tx->needs_downlink = n->classes[cls_of(n, to)].down_bps != 0;
    tx->deliver = cp_time_add(tx->first_bit, tx_up);
    return NET_SENT;
}

cp_time net_downlink(net *n, cp_node from, cp_node to, uint32_t wire, cp_time t)
{
    net_dyn *bd = &n->dyn[to];
    const net_class *cb = &n->classes[cls_of(n, to)];
    cp_time start = t > bd->down_free ? t : bd->down_free;
    cp_time done = cp_time_add(start, net_tx_time(wire, cb->down_bps));
    cp_time up_done = cp_time_add(t, net_tx_time(wire, n->classes[cls_of(n, from)].up_bps));
    if (up_done > done) done = up_done;
    bd->down_free = done;
    return done;
}

void net_count_delivered(net *n, cp_node to, uint32_t wire)
{
    n->dyn[to].st.bytes_down += wire;
    n->dyn[to].st.msgs_down++;
}

void net_count_dropped_partition(net *n, cp_node to) { n->dyn[to].st.dropped_partition++; }

void net_prefetch(const net *n, cp_node node)
{
    __builtin_prefetch(&n->dyn[node], 1);
    if (!n->uniform) __builtin_prefetch(&n->nodes[node]);
}
