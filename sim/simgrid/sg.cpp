/* sim/simgrid/sg.cpp: the SimGrid backend (sim/engine.h), named "simgrid".
 *
 * SimGrid owns the clock and the links' bandwidth; cpsim's runtime (sim/des) keeps the nodes'
 * CPUs, timers and event order. The scenario's network becomes a SimGrid platform built in
 * code: one star zone, one host per node, and per host a split-duplex link whose up and down
 * bandwidths are the node's device-class uplink and downlink. A message is a SimGrid
 * communication from the sender's host to the receiver's over those two links, so concurrent
 * messages share bandwidth by SimGrid's flow model (CM02, with the latency and bandwidth
 * correction factors set to 1 and no cross-traffic, so a lone message takes size / rate
 * exactly as on the built-in engine). Propagation (region RTT / 2 + access latencies +
 * jitter), loss and partitions come from sim/net's path model and are added after the
 * transfer, drawn from the same RNG stream in the same order as the built-in engine.
 *
 * Event-driven: no SimGrid actor per node (the reference measurements show actors abort at
 * 10^5 nodes); maestro runs kernel timers: one wakes the runtime at its next event time, and
 * one starts each transfer whose send time lies after SimGrid's clock (CPU time charged
 * inside a handler). The invariant: after every callback, the runtime's next event time has a
 * pending timer at or before it.
 *
 * SimGrid's engine is a process-wide singleton: one simulation per process on this backend
 * (the CLI runs one scenario per process; sweeps fork per run). */
extern "C" {
#include "sim/des/des.h"
#include "sim/engine.h"
#include "sim/net/net.h"
}

#include <simgrid/kernel/Timer.hpp>
#include <simgrid/s4u.hpp>
#include <xbt/log.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <unordered_set>
#include <vector>

namespace sg4 = simgrid::s4u;
using simgrid::kernel::timer::Timer;

namespace {

constexpr double UNLIMITED = 1e18; /* bytes/s standing for "no rate limit" */

struct xfer {
    cp_node from, to;
    cp_msg *m;
    cp_time lat;
    sg4::CommPtr comm;
};

struct sg_eng {
    des *d = nullptr;
    net *nm = nullptr;
    cp_time end = 0;
    cp_time armed = CP_TIME_NEVER; /* earliest pending wake-up */
    std::vector<sg4::Host *> hosts;
    std::unordered_set<xfer *> live; /* started or waiting to start */
    std::vector<xfer *> done;
    eng_stats st = {};
};

bool engine_made = false;
sg_eng *current = nullptr; /* the one instance SimGrid's signals report to */

double secs(cp_time t) { return (double)t * 1e-9; }
cp_time nanos(double s) { return (cp_time)std::llround(s * 1e9); }
double rate(uint64_t bps) { return bps ? (double)bps / 8.0 : UNLIMITED; }

void arm(sg_eng *g, cp_time t);

void wake(sg_eng *g, cp_time t)
{
    eng_woke(&g->armed, t);
    for (xfer *x : g->done) delete x;
    g->done.clear();
    des_advance(g->d, t);
    arm(g, des_next(g->d));
}

void arm(sg_eng *g, cp_time t)
{
    if (!eng_arm(&g->armed, t, g->end)) return;
    g->st.scheduled++;
    Timer::set(secs(t), [g, t]() { wake(g, t); });
}

void on_done(const sg4::Activity &a)
{
    const auto *c = dynamic_cast<const sg4::Comm *>(&a);
    sg_eng *g = current;
    if (!c || !g) return;
    auto *x = c->get_data<xfer>();
    if (!x) return;
    cp_time t = nanos(sg4::Engine::get_clock()) + x->lat;
    des_deliver(g->d, x->from, x->to, x->m, t);
    g->live.erase(x);
    g->done.push_back(x); /* released at the next wake-up, outside SimGrid's signal */
    arm(g, des_next(g->d));
}

void start(sg_eng *g, xfer *x)
{
    x->comm = sg4::Comm::sendto_init(g->hosts[x->from], g->hosts[x->to]);
    x->comm->set_payload_size(x->m->wire_size);
    x->comm->set_data(x);
    x->comm->start();
}

void configure(void)
{
    xbt_log_control_set("root.thres:critical");
    sg4::Engine::set_config("network/model:CM02");
    sg4::Engine::set_config("network/latency-factor:1");
    sg4::Engine::set_config("network/bandwidth-factor:1");
    sg4::Engine::set_config("network/weight-S:0");
    sg4::Engine::set_config("network/crosstraffic:0");
    sg4::Engine::set_config("network/TCP-gamma:0");
}

void platform(sg_eng *g, uint32_t n)
{
    auto *zone = sg4::create_star_zone("cpsim");
    g->hosts.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        const net_class *k = net_class_get(g->nm, net_class_of(g->nm, i));
        std::string id = std::to_string(i);
        sg4::Host *h = zone->create_host("n" + id, 1e9);
        auto *l = zone->create_split_duplex_link("l" + id, 1e9);
        l->get_link_up()->set_bandwidth(rate(k->up_bps));
        l->get_link_down()->set_bandwidth(rate(k->down_bps));
        l->set_latency(0);
        zone->add_route(h->get_netpoint(), nullptr, nullptr, nullptr,
                        {sg4::LinkInRoute(l, sg4::LinkInRoute::Direction::UP)}, true);
        g->hosts.push_back(h);
    }
    zone->seal();
}

/* ---- the backend table ------------------------------------------------------------ */

void *sg_init(des *d, net *nm, uint32_t n, cp_time end, char *err, size_t len)
{
    if (engine_made) {
        snprintf(err, len, "engine simgrid: SimGrid runs one simulation per process");
        return nullptr;
    }
    engine_made = true;
    int argc = 1;
    char arg0[] = "cpsim", *argv[] = {arg0, nullptr};
    new sg4::Engine(&argc, argv); /* lives until the process exits (SimGrid's singleton) */
    configure();
    auto *g = new sg_eng;
    g->d = d, g->nm = nm, g->end = end;
    platform(g, n);
    sg4::Activity::on_completion_cb(on_done);
    current = g;
    return g;
}

int sg_run(void *self, des *d, cp_time end)
{
    auto *g = static_cast<sg_eng *>(self);
    arm(g, des_next(d));
    sg4::Engine::get_instance()->run_until(secs(end) + 1e-9);
    return 0;
}

int sg_send(void *self, des *d, cp_node from, cp_node to, cp_msg *m, cp_time t, cp_rng *rng)
{
    auto *g = static_cast<sg_eng *>(self);
    cp_time lat;
    if (net_path(g->nm, from, to, m->wire_size, rng, &lat) != NET_SENT) {
        des_msg_drop(d, m);
        return 0;
    }
    g->st.transfers++;
    const net_class *a = net_class_get(g->nm, net_class_of(g->nm, from));
    const net_class *b = net_class_get(g->nm, net_class_of(g->nm, to));
    if (from == to || (!a->up_bps && !b->down_bps)) { /* nothing for a flow model to share */
        cp_time tx = std::max(net_tx_time(m->wire_size, a->up_bps), net_tx_time(m->wire_size, b->down_bps));
        des_deliver(d, from, to, m, t + tx + lat);
        return 0;
    }
    auto *x = new xfer{from, to, m, lat, nullptr};
    g->live.insert(x);
    if (t <= nanos(sg4::Engine::get_clock())) {
        start(g, x);
    } else {
        g->st.scheduled++;
        Timer::set(secs(t), [g, x]() { start(g, x); });
    }
    return 0;
}

void sg_stats(const void *self, eng_stats *out) { *out = static_cast<const sg_eng *>(self)->st; }

/* SimGrid keeps its kernel timers in a function-local static heap whose destructor runs
 * before the engine's own shutdown at process exit; a timer still pending then is unlinked
 * from a freed heap. Remove every pending timer (ours are the only ones) while both live. */
void drop_timers(void)
{
    auto &heap = simgrid::kernel::timer::kernel_timers();
    while (!heap.empty()) heap.top().second->remove();
}

void sg_free(void *self)
{
    auto *g = static_cast<sg_eng *>(self);
    drop_timers();
    for (xfer *x : g->live) { /* still in flight at the end */
        des_msg_drop(g->d, x->m);
        if (x->comm) x->comm->set_data(nullptr);
        delete x;
    }
    for (xfer *x : g->done) delete x;
    current = nullptr;
    delete g;
}

} // namespace

extern "C" const eng_backend sg_backend = {
    ENG_VERSION, "simgrid", "SimGrid 3.32: flow-level bandwidth sharing (CM02) on the scenario's links",
    sg_init, sg_run, sg_send, sg_stats, sg_free, nullptr,
};
