/* sim/ns3/ns3.cpp: the libns3 shim: two engine backends (sim/engine.h) on ns-3 3.37.
 *
 * "ns3-light": ns-3's scheduler owns the clock and carries every message event; the links
 *   are cpsim's own model (sim/net: FIFO uplink and downlink queues, region latency, jitter,
 *   loss, partitions), so outcomes match the built-in engine and the run measures ns-3's
 *   scheduler. Scales as far as ns-3's event list does.
 * "ns3": messages travel as real packets. Topology built from the scenario: one ns-3 node per
 *   cpsim node and one router per region; each node has a point-to-point link to its
 *   region's router whose node-side device sends at the node's uplink rate and router-side
 *   device at its downlink rate, with delay = access latency + intra-region RTT / 4; routers
 *   are fully meshed with delay = RTT(a, b) / 2 - RTT(a, a) / 4 - RTT(b, b) / 4 (at least 0),
 *   so that a path's one-way delay is the built-in model's. Nodes run ns-3's IPv4 stack (their
 *   only route is the default one, to their router) and UDP on
 *   port 9; a message is cut into datagrams of at most 1472 bytes (the first 8 bytes of each
 *   carry the message's id) and is delivered when its last byte is in. Loss, partitions and
 *   jitter are applied per message from sim/net's path model (same RNG draws as the built-in
 *   engine): a lost message sends no packets, jitter is added at the receiver. Device queues
 *   are deep (no drops by queue overflow): cpsim's messages are reliable unless `loss` says.
 *   Routers forward by a table computed once with the topology (their region's nodes by
 *   address in a hash map, the other regions by the address's region bits): O(1) per hop.
 *   They carry no IP stack of their own: ns-3's would scan, per packet, every protocol handler
 *   of the node and of its traffic control layer (two per device) and every interface's
 *   addresses, all O(nodes per region); a router is never a packet's destination.
 *
 * Both keep the nodes' CPUs, timers and event order in the cpsim runtime (sim/des): a
 * Simulator event wakes the runtime at its next event time, and after every callback that
 * time has a wake-up pending at or before it. ns-3's simulator and node list are process-
 * wide: one simulation per process at a time (Simulator::Destroy at the end allows the next).
 * No ns-3 type appears outside this file. */
extern "C" {
#include "sim/des/des.h"
#include "sim/engine.h"
#include "sim/net/net.h"
}

#include "ns3/core-module.h"
#include "ns3/internet-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/traffic-control-module.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>
#include <vector>

namespace {

using namespace ns3;

constexpr uint32_t SEG = 1472;           /* UDP payload per datagram (1500-byte MTU) */
constexpr uint64_t UNLIMITED_BPS = 10000000000000ull; /* 10 Tbit/s stands for "no limit" */
constexpr uint16_t PORT = 9;

struct rx {
    cp_node from, to;
    cp_msg *m;
    cp_time jitter;
    uint32_t got, total;
};

/* A router's forwarding table: its region's nodes by address, other regions by index. */
struct router {
    std::unordered_map<uint32_t, Ptr<NetDevice>> hosts;
    std::vector<Ptr<NetDevice>> regions;
    uint64_t unroutable = 0;
};

struct ns_eng {
    des *d = nullptr;
    net *nm = nullptr;
    cp_time end = 0, armed = CP_TIME_NEVER;
    bool packets = false;
    NodeContainer nodes, routers;
    std::vector<Ptr<Socket>> socks;
    std::vector<Ipv4Address> addr;
    std::vector<router> routers_fwd;
    std::unordered_map<uint64_t, rx> inflight;
    uint64_t next_id = 1;
    eng_stats st = {};
};

bool in_use = false;
ns_eng *current = nullptr; /* socket callbacks are free functions: the one live instance */

cp_time now_ns() { return (cp_time)Simulator::Now().GetNanoSeconds(); }
Time after(cp_time t) { return NanoSeconds((int64_t)(t > now_ns() ? t - now_ns() : 0)); }

void arm(ns_eng *g, cp_time t);

void wake(ns_eng *g, cp_time t)
{
    eng_woke(&g->armed, t);
    des_advance(g->d, t);
    arm(g, des_next(g->d));
}

void arm(ns_eng *g, cp_time t)
{
    if (!eng_arm(&g->armed, t, g->end)) return;
    g->st.scheduled++;
    Simulator::Schedule(after(t), [g, t]() { wake(g, t); });
}

void deliver(ns_eng *g, cp_node from, cp_node to, cp_msg *m, cp_time t)
{
    des_deliver(g->d, from, to, m, t);
    arm(g, des_next(g->d));
}

/* ---- light mode: cpsim's link model, ns-3's scheduler ----------------------------- */

/* Take a carried message out of the in-flight table (it holds every message a pending
 * Simulator event refers to, so that the end of the run can release them). */
rx take(ns_eng *g, uint64_t id)
{
    auto it = g->inflight.find(id);
    rx r = it->second;
    g->inflight.erase(it);
    return r;
}

int light_send(ns_eng *g, cp_node from, cp_node to, cp_msg *m, cp_time t, cp_rng *rng)
{
    net_tx tx;
    if (net_send(g->nm, from, to, m->wire_size, t, rng, &tx) != NET_SENT) {
        des_msg_drop(g->d, m);
        return 0;
    }
    uint64_t id = g->next_id++;
    g->inflight[id] = rx{from, to, m, 0, 0, 0};
    g->st.scheduled++;
    if (!tx.needs_downlink) {
        Simulator::Schedule(after(tx.deliver), [g, id, t = tx.deliver]() {
            rx r = take(g, id);
            deliver(g, r.from, r.to, r.m, t);
        });
        return 0;
    }
    Simulator::Schedule(after(tx.first_bit), [g, id, t = tx.first_bit]() {
        rx r = take(g, id);
        deliver(g, r.from, r.to, r.m, net_downlink(g->nm, r.from, r.to, r.m->wire_size, t));
    });
    return 0;
}

/* ---- packet mode ------------------------------------------------------------------- */

void on_packets(Ptr<Socket> s)
{
    ns_eng *g = current;
    Ptr<Packet> p;
    while (g && (p = s->Recv())) {
        uint64_t id = 0;
        p->CopyData(reinterpret_cast<uint8_t *>(&id), sizeof id);
        auto it = g->inflight.find(id);
        if (it == g->inflight.end()) continue;
        it->second.got += p->GetSize();
        if (it->second.got < it->second.total) continue;
        rx done = take(g, id);
        deliver(g, done.from, done.to, done.m, now_ns() + done.jitter);
    }
}

void send_segments(ns_eng *g, uint64_t id, cp_node from, cp_node to, uint32_t total)
{
    uint8_t buf[SEG];
    memset(buf, 0, sizeof buf);
    memcpy(buf, &id, sizeof id);
    for (uint32_t off = 0; off < total; off += SEG) {
        uint32_t len = std::min(SEG, total - off);
        g->socks[from]->SendTo(Create<Packet>(buf, len), 0, InetSocketAddress(g->addr[to], PORT));
        g->st.packets++;
    }
}

cp_time base_latency(ns_eng *g, cp_node from, cp_node to)
{
    uint32_t ra = net_region_of(g->nm, from), rb = net_region_of(g->nm, to);
    const net_class *a = net_class_get(g->nm, net_class_of(g->nm, from));
    const net_class *b = net_class_get(g->nm, net_class_of(g->nm, to));
    return net_rtt(g->nm, ra, rb) / 2 + a->access_latency + b->access_latency;
}

int packet_send(ns_eng *g, cp_node from, cp_node to, cp_msg *m, cp_time t, cp_rng *rng)
{
    cp_time lat;
    if (net_path(g->nm, from, to, m->wire_size, rng, &lat) != NET_SENT) {
        des_msg_drop(g->d, m);
        return 0;
    }
    if (from == to) {
        deliver(g, from, to, m, t + lat);
        return 0;
    }
    uint64_t id = g->next_id++;
    uint32_t total = std::max<uint32_t>(m->wire_size, sizeof id);
    if (total % SEG && total % SEG < sizeof id) total += (uint32_t)sizeof id - total % SEG; /* every datagram
                                                                                       carries the id */
    cp_time base = base_latency(g, from, to);
    g->inflight[id] = rx{from, to, m, lat > base ? lat - base : 0, 0, total};
    g->st.scheduled++;
    Simulator::Schedule(after(t), [g, id, from, to, total]() { send_segments(g, id, from, to, total); });
    return 0;
}

/* Region r's nodes are numbered inside 10.0.0.0 + r * 2^20 (a /12 per region, /30 per link). */
constexpr uint32_t REGION_SHIFT = 20;
Ipv4Address region_base(uint32_t r) { return Ipv4Address(0x0A000000u + (r << REGION_SHIFT)); }

Ptr<NetDevice> next_hop(const router &rt, Ipv4Address dst)
{
    auto h = rt.hosts.find(dst.Get());
    if (h != rt.hosts.end()) return h->second;
    uint32_t a = dst.Get(), r = (a - region_base(0).Get()) >> REGION_SHIFT;
    return a >= region_base(0).Get() && r < rt.regions.size() ? rt.regions[r] : nullptr;
}

/* A router's one protocol handler (all devices, IPv4): the datagram goes out on the device
 * towards its destination, through that device's queue as ns-3's IP forwarding would. */
void forward(router *rt, Ptr<NetDevice>, Ptr<const Packet> p, uint16_t proto, const Address &, const Address &,
             NetDevice::PacketType)
{
    Ipv4Header h;
    p->PeekHeader(h);
    Ptr<NetDevice> out = next_hop(*rt, h.GetDestination());
    if (!out) {
        rt->unroutable++;
        return;
    }
    out->Send(p->Copy(), out->GetBroadcast(), proto);
}

DataRate bps(uint64_t r) { return DataRate(r ? r : UNLIMITED_BPS); }

NetDeviceContainer link(PointToPointHelper &p2p, Ptr<Node> a, Ptr<Node> b, uint64_t rate_ab, uint64_t rate_ba,
                        cp_time delay)
{
    p2p.SetChannelAttribute("Delay", TimeValue(NanoSeconds((int64_t)delay)));
    NetDeviceContainer dev = p2p.Install(a, b);
    dev.Get(0)->SetAttribute("DataRate", DataRateValue(bps(rate_ab)));
    dev.Get(1)->SetAttribute("DataRate", DataRateValue(bps(rate_ba)));
    return dev;
}

Ptr<Ipv4StaticRouting> routing_of(Ptr<Node> n)
{
    Ipv4StaticRoutingHelper h;
    return h.GetStaticRouting(n->GetObject<Ipv4>());
}

/* Access links: node i to its region's router. The node's end gets an address of the
 * link's /30 and its only route, the default one, goes to the link's other address (the
 * router's end, which holds no address: point-to-point devices need no ARP). */
void access_links(ns_eng *g, PointToPointHelper &p2p, uint32_t n, uint32_t nr)
{
    std::vector<Ipv4AddressHelper> ip(nr);
    for (uint32_t r = 0; r < nr; r++) ip[r].SetBase(region_base(r), "255.255.255.252");
    g->addr.resize(n);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t r = net_region_of(g->nm, i);
        const net_class *k = net_class_get(g->nm, net_class_of(g->nm, i));
        cp_time d = k->access_latency + net_rtt(g->nm, r, r) / 4;
        NetDeviceContainer dev = link(p2p, g->nodes.Get(i), g->routers.Get(r), k->up_bps, k->down_bps, d);
        Ipv4InterfaceContainer ifc = ip[r].Assign(NetDeviceContainer(dev.Get(0)));
        ip[r].NewNetwork();
        /* Assign installs ns-3's default queue disc (FQ-CoDel, 1024 flow queues per device:
         * about 1 MB per node and most of the run time); the device's deep FIFO is the model */
        TrafficControlHelper().Uninstall(dev.Get(0));
        g->addr[i] = ifc.GetAddress(0);
        routing_of(g->nodes.Get(i))->SetDefaultRoute(Ipv4Address(g->addr[i].Get() + 1), ifc.Get(0).second);
        g->routers_fwd[r].hosts[g->addr[i].Get()] = dev.Get(1);
    }
}

/* Routers fully meshed; each sends another region's /12 to that region's router. */
void backbone(ns_eng *g, PointToPointHelper &p2p, uint32_t nr)
{
    for (uint32_t a = 0; a < nr; a++)
        for (uint32_t b = a + 1; b < nr; b++) {
            cp_time half = net_rtt(g->nm, a, b) / 2, side = net_rtt(g->nm, a, a) / 4 + net_rtt(g->nm, b, b) / 4;
            NetDeviceContainer dev = link(p2p, g->routers.Get(a), g->routers.Get(b), 0, 0, half > side ? half - side : 0);
            g->routers_fwd[a].regions[b] = dev.Get(0);
            g->routers_fwd[b].regions[a] = dev.Get(1);
        }
}

void topology(ns_eng *g, uint32_t n)
{
    uint32_t nr = net_n_regions(g->nm);
    g->nodes.Create(n);
    g->routers.Create(nr);
    InternetStackHelper stack;
    stack.SetRoutingHelper(Ipv4StaticRoutingHelper());
    stack.Install(g->nodes);
    g->routers_fwd.resize(nr);
    for (uint32_t r = 0; r < nr; r++) {
        g->routers_fwd[r].regions.resize(nr);
        g->routers.Get(r)->RegisterProtocolHandler(MakeBoundCallback(&forward, &g->routers_fwd[r]),
                                                   Ipv4L3Protocol::PROT_NUMBER, nullptr);
    }
    PointToPointHelper p2p;
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("1000000p"));
    access_links(g, p2p, n, nr);
    backbone(g, p2p, nr);
    g->socks.resize(n);
    for (uint32_t i = 0; i < n; i++) {
        g->socks[i] = Socket::CreateSocket(g->nodes.Get(i), UdpSocketFactory::GetTypeId());
        g->socks[i]->Bind(InetSocketAddress(Ipv4Address::GetAny(), PORT));
        g->socks[i]->SetRecvCallback(MakeCallback(&on_packets));
    }
}

/* ---- the backend tables ------------------------------------------------------------ */

void *make(des *d, net *nm, uint32_t n, cp_time end, bool packets, char *err, size_t len)
{
    if (in_use) {
        snprintf(err, len, "engine ns3: one ns-3 simulation per process at a time");
        return nullptr;
    }
    in_use = true;
    auto *g = new ns_eng;
    g->d = d, g->nm = nm, g->end = end, g->packets = packets;
    current = g;
    if (packets) topology(g, n);
    return g;
}

void *init_packets(des *d, net *nm, uint32_t n, cp_time end, char *err, size_t len)
{
    return make(d, nm, n, end, true, err, len);
}

void *init_light(des *d, net *nm, uint32_t n, cp_time end, char *err, size_t len)
{
    return make(d, nm, n, end, false, err, len);
}

int run(void *self, des *d, cp_time end)
{
    auto *g = static_cast<ns_eng *>(self);
    arm(g, des_next(d));
    Simulator::Stop(NanoSeconds((int64_t)end + 1));
    Simulator::Run();
    return 0;
}

int send(void *self, des *d, cp_node from, cp_node to, cp_msg *m, cp_time t, cp_rng *rng)
{
    auto *g = static_cast<ns_eng *>(self);
    g->st.transfers++;
    return g->packets ? packet_send(g, from, to, m, t, rng) : light_send(g, from, to, m, t, rng);
}

void stats(const void *self, eng_stats *out) { *out = static_cast<const ns_eng *>(self)->st; }

void release(void *self)
{
    auto *g = static_cast<ns_eng *>(self);
    for (auto &kv : g->inflight) {
        if (getenv("CPSIM_NS3_DEBUG"))
            fprintf(stderr, "ns3: in flight at the end: id %llu %u->%u type %u got %u of %u\n",
                    (unsigned long long)kv.first, kv.second.from, kv.second.to, kv.second.m->type, kv.second.got,
                    kv.second.total);
        des_msg_drop(g->d, kv.second.m);
    }
    g->inflight.clear();
    g->socks.clear();
    current = nullptr;
    Simulator::Destroy(); /* pending events are discarded; their messages were released above */
    delete g;
    in_use = false;
}

} // namespace

extern "C" const eng_backend ns3_backend = {
    ENG_VERSION, "ns3", "ns-3 3.37: UDP/IPv4 packets over point-to-point links, static routes",
    init_packets, run, send, stats, release,
};

extern "C" const eng_backend ns3_light_backend = {
    ENG_VERSION, "ns3-light", "ns-3 3.37 scheduler with cpsim's link model",
    init_light, run, send, stats, release,
};
