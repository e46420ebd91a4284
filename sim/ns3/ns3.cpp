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
#include "ns3/lr-wpan-module.h"
#include "ns3/mobility-module.h"
#include "ns3/network-module.h"
#include "ns3/point-to-point-module.h"
#include "ns3/sixlowpan-module.h"
#include "ns3/traffic-control-module.h"
#include "ns3/wifi-module.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

namespace {

using namespace ns3;

constexpr uint32_t SEG = 1472;           /* UDP payload per datagram (1500-byte MTU) */
constexpr uint32_t SEG_WIFI = 1472;      /* UDP over IPv4 on 802.11 (1500-byte MTU) */
constexpr uint32_t SEG6_LRWPAN = 1232;   /* UDP over IPv6 on 6LoWPAN (1280-byte IPv6 MTU) */
constexpr uint64_t UNLIMITED_BPS = 10000000000000ull; /* 10 Tbit/s stands for "no limit" */
constexpr uint16_t PORT = 9;

/* A message in flight: it crosses up to three legs, hop[0] -> hop[1] -> ... (a radio node to
 * its access point, wired between access points or to a wired node, an access point to a
 * radio node); the access point relays it when the leg before is complete. */
struct rx {
    cp_node from, to;
    cp_msg *m;
    cp_time jitter;
    uint32_t got, total;
    uint8_t leg = 0, n_hops = 2;
    cp_node hop[4] = {0, 0, 0, 0};
};

/* Radio airtime of one node (a radio device or an access point), from its PHY's state. */
struct air {
    double tx = 0, rx = 0;
    int64_t since = 0;
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
    /* radio cells (sim/net net_attach): per node its access point, IPv6 address and socket on
     * the cell, and its airtime; cell_access per node in a cell (NET_ACCESS_*, 0: none) */
    std::vector<cp_node> ap;
    std::vector<int> cell_access;
    std::vector<Ipv6Address> addr6;       /* 802.15.4 cells: IPv6 over 6LoWPAN */
    std::vector<Ipv4Address> addr_cell;   /* Wi-Fi cells: IPv4 */
    std::vector<Ptr<Socket>> socks6;
    std::vector<air> airtime;
    std::vector<std::unique_ptr<LrWpanHelper>> lr; /* a helper disposes its channel when destroyed */
    std::vector<uint8_t> joined;  /* per radio device: associated (Wi-Fi) or always (802.15.4) */
    std::unordered_map<cp_node, std::vector<uint64_t>> held; /* legs waiting for a device to join */
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

void start_leg(ns_eng *g, uint64_t id, rx &r);

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
        if (it->second.leg + 2 < it->second.n_hops) { /* an access point relays it on */
            it->second.leg++;
            start_leg(g, id, it->second);
            continue;
        }
        rx done = take(g, id);
        deliver(g, done.from, done.to, done.m, now_ns() + done.jitter);
    }
}

/* Whether the leg a -> b crosses a radio cell (one end is the other's access point). */
bool radio_leg(const ns_eng *g, cp_node a, cp_node b)
{
    return !g->ap.empty() && (g->ap[a] == b || g->ap[b] == a);
}

uint32_t seg_of(const ns_eng *g, cp_node a, cp_node b)
{
    if (!radio_leg(g, a, b)) return SEG;
    cp_node dev = g->ap[a] == b ? a : b;
    return g->cell_access[dev] == NET_ACCESS_LRWPAN ? SEG6_LRWPAN : SEG_WIFI;
}

/* Bytes sent for a message of `wire` bytes in datagrams of at most seg: every datagram
 * carries the 8-byte id. */
uint32_t leg_total(uint32_t wire, uint32_t seg)
{
    uint32_t total = std::max<uint32_t>(wire, sizeof(uint64_t));
    if (total % seg && total % seg < sizeof(uint64_t)) total += (uint32_t)sizeof(uint64_t) - total % seg;
    return total;
}

void send_segments(ns_eng *g, uint64_t id, cp_node from, cp_node to, uint32_t total)
{
    uint8_t buf[SEG];
    memset(buf, 0, sizeof buf);
    memcpy(buf, &id, sizeof id);
    bool radio = radio_leg(g, from, to);
    uint32_t seg = seg_of(g, from, to);
    for (uint32_t off = 0; off < total; off += seg) {
        uint32_t len = std::min(seg, total - off);
        if (radio && g->cell_access[from] == NET_ACCESS_LRWPAN)
            g->socks6[from]->SendTo(Create<Packet>(buf, len), 0, Inet6SocketAddress(g->addr6[to], PORT));
        else if (radio)
            g->socks[from]->SendTo(Create<Packet>(buf, len), 0, InetSocketAddress(g->addr_cell[to], PORT));
        else
            g->socks[from]->SendTo(Create<Packet>(buf, len), 0, InetSocketAddress(g->addr[to], PORT));
        g->st.packets++;
    }
}

void start_leg(ns_eng *g, uint64_t id, rx &r)
{
    cp_node a = r.hop[r.leg], b = r.hop[r.leg + 1];
    if (radio_leg(g, a, b)) { /* a Wi-Fi station not yet associated: the leg waits for it */
        cp_node dev = g->ap[a] == b ? a : b;
        if (!g->joined[dev]) {
            g->held[dev].push_back(id);
            return;
        }
    }
    r.got = 0;
    r.total = leg_total(r.m->wire_size, seg_of(g, a, b));
    send_segments(g, id, a, b, r.total);
}

/* The nodes a message visits: its sender, the sender's access point, the receiver's access
 * point, the receiver (each only if it differs from the one before). */
void route(const ns_eng *g, rx &r)
{
    r.n_hops = 0;
    r.hop[r.n_hops++] = r.from;
    cp_node af = g->ap.empty() ? NET_NO_AP : g->ap[r.from], at = g->ap.empty() ? NET_NO_AP : g->ap[r.to];
    if (af != NET_NO_AP) r.hop[r.n_hops++] = af;
    if (at != NET_NO_AP && r.hop[r.n_hops - 1] != at) r.hop[r.n_hops++] = at;
    if (r.hop[r.n_hops - 1] != r.to) r.hop[r.n_hops++] = r.to;
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
    cp_time base = base_latency(g, from, to);
    rx r{from, to, m, lat > base ? lat - base : 0, 0, 0};
    route(g, r);
    g->inflight[id] = r;
    g->st.scheduled++;
    Simulator::Schedule(after(t), [g, id]() {
        auto it = g->inflight.find(id);
        if (it != g->inflight.end()) start_leg(g, id, it->second);
    });
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

/* ---- radio cells ------------------------------------------------------------------- */

void lr_state(uint32_t v, Time, LrWpanPhyEnumeration was, LrWpanPhyEnumeration)
{
    air &a = current->airtime[v];
    int64_t now = Simulator::Now().GetNanoSeconds();
    if (was == IEEE_802_15_4_PHY_BUSY_TX) a.tx += (double)(now - a.since) / 1e9;
    if (was == IEEE_802_15_4_PHY_BUSY_RX) a.rx += (double)(now - a.since) / 1e9;
    a.since = now;
}

void wifi_assoc(uint32_t v, Mac48Address)
{
    ns_eng *g = current;
    g->joined[v] = 1;
    auto it = g->held.find(v);
    if (it == g->held.end()) return;
    std::vector<uint64_t> ids = std::move(it->second);
    g->held.erase(it);
    for (uint64_t id : ids) {
        auto m = g->inflight.find(id);
        if (m != g->inflight.end()) start_leg(g, id, m->second);
    }
}

void wifi_state(uint32_t v, Time, Time duration, WifiPhyState state)
{
    air &a = current->airtime[v];
    if (state == WifiPhyState::TX) a.tx += duration.GetSeconds();
    if (state == WifiPhyState::RX) a.rx += duration.GetSeconds();
}

/* 802.15.4 with 6LoWPAN (one PAN and channel per cell, the access point its coordinator). */
NetDeviceContainer lrwpan_cell(ns_eng *g, const NodeContainer &cn, const std::vector<cp_node> &ids, uint16_t pan)
{
    g->lr.push_back(std::make_unique<LrWpanHelper>()); /* a channel of its own: log-distance loss */
    LrWpanHelper &lh = *g->lr.back();
    NetDeviceContainer ld = lh.Install(cn);
    lh.AssociateToPan(ld, pan);
    for (uint32_t i = 0; i < ld.GetN(); i++)
        DynamicCast<LrWpanNetDevice>(ld.Get(i))->GetPhy()->TraceConnectWithoutContext(
            "TrxState", MakeBoundCallback(&lr_state, (uint32_t)ids[i]));
    SixLowPanHelper sh;
    return sh.Install(ld);
}

/* 802.11n infrastructure mode: the access point as AP, one SSID and channel per cell. */
NetDeviceContainer wifi_cell(const NodeContainer &cn, const std::vector<cp_node> &ids, uint32_t k)
{
    YansWifiChannelHelper ch = YansWifiChannelHelper::Default();
    YansWifiPhyHelper phy;
    phy.SetChannel(ch.Create());
    WifiHelper wifi;
    wifi.SetStandard(WIFI_STANDARD_80211n);
    WifiMacHelper mac;
    Ssid ssid(("cpsim-" + std::to_string(k)).c_str());
    NodeContainer ap(cn.Get(0)), sta;
    for (uint32_t i = 1; i < cn.GetN(); i++) sta.Add(cn.Get(i));
    mac.SetType("ns3::ApWifiMac", "Ssid", SsidValue(ssid));
    NetDeviceContainer devs = wifi.Install(phy, mac, ap);
    mac.SetType("ns3::StaWifiMac", "Ssid", SsidValue(ssid));
    devs.Add(wifi.Install(phy, mac, sta));
    for (uint32_t i = 0; i < devs.GetN(); i++) {
        Ptr<WifiNetDevice> wd = DynamicCast<WifiNetDevice>(devs.Get(i));
        wd->GetPhy()->GetState()->TraceConnectWithoutContext("State", MakeBoundCallback(&wifi_state, (uint32_t)ids[i]));
        if (i) wd->GetMac()->TraceConnectWithoutContext("Assoc", MakeBoundCallback(&wifi_assoc, (uint32_t)ids[i]));
    }
    return devs;
}

/* Cell k: the access point ids[0] and its devices ids[1..], placed, on one radio channel,
 * with IPv6 addresses 2001:db8:k+1::/64 and a UDP socket each. */
void cell(ns_eng *g, uint32_t k, const std::vector<cp_node> &ids, int access)
{
    NodeContainer cn;
    Ptr<ListPositionAllocator> pos = CreateObject<ListPositionAllocator>();
    for (cp_node v : ids) {
        double x, y;
        net_pos(g->nm, v, &x, &y);
        pos->Add(Vector(x, y, 0));
        cn.Add(g->nodes.Get(v));
        g->cell_access[v] = access;
        g->joined[v] = access != NET_ACCESS_WIFI;
    }
    MobilityHelper mh;
    mh.SetPositionAllocator(pos);
    mh.SetMobilityModel("ns3::ConstantPositionMobilityModel");
    mh.Install(cn);
    NetDeviceContainer devs = access == NET_ACCESS_LRWPAN ? lrwpan_cell(g, cn, ids, (uint16_t)(k + 1))
                                                          : wifi_cell(cn, ids, k);
    if (access == NET_ACCESS_WIFI) { /* IPv4 on the cell: 100.64.0.0/10, a /24 per cell */
        Ipv4AddressHelper ip4;
        ip4.SetBase(Ipv4Address(0x64400000u + (k << 8)), "255.255.255.0");
        Ipv4InterfaceContainer ic = ip4.Assign(devs);
        for (uint32_t i = 0; i < ids.size(); i++) g->addr_cell[ids[i]] = ic.GetAddress(i);
        return;
    }
    char prefix[40];
    snprintf(prefix, sizeof prefix, "2001:db8:%x::", (k + 1) & 0xffff);
    Ipv6AddressHelper ip6;
    ip6.SetBase(Ipv6Address(prefix), Ipv6Prefix(64));
    Ipv6InterfaceContainer ic = ip6.Assign(devs);
    NeighborCacheHelper().PopulateNeighborCache(ic);
    for (uint32_t i = 0; i < ids.size(); i++) {
        cp_node v = ids[i];
        g->addr6[v] = ic.GetAddress(i, 1);
        g->socks6[v] = Socket::CreateSocket(g->nodes.Get(v), UdpSocketFactory::GetTypeId());
        g->socks6[v]->Bind(Inet6SocketAddress(Ipv6Address::GetAny(), PORT));
        g->socks6[v]->SetRecvCallback(MakeCallback(&on_packets));
    }
}

/* The radio cells sim/net describes: one per access point with devices attached. */
void cells(ns_eng *g, uint32_t n)
{
    std::vector<std::vector<cp_node>> of(n);
    bool any = false;
    for (cp_node v = 0; v < n; v++) {
        cp_node a = net_ap_of(g->nm, v);
        if (a == NET_NO_AP) continue;
        if (of[a].empty()) of[a].push_back(a);
        of[a].push_back(v);
        any = true;
    }
    if (!any) return;
    g->ap.assign(n, NET_NO_AP);
    g->cell_access.assign(n, 0);
    g->joined.assign(n, 1);
    g->addr6.resize(n);
    g->addr_cell.resize(n);
    g->socks6.resize(n);
    g->airtime.resize(n);
    for (cp_node v = 0; v < n; v++) g->ap[v] = net_ap_of(g->nm, v);
    uint32_t k = 0;
    for (cp_node a = 0; a < n; a++) {
        if (of[a].empty()) continue;
        cell(g, k++, of[a], net_access_of(g->nm, net_class_of(g->nm, of[a][1])));
    }
}

void topology(ns_eng *g, uint32_t n)
{
    /* no duplicate address detection on the cells: addresses are unique by construction */
    Config::SetDefault("ns3::Icmpv6L4Protocol::DAD", BooleanValue(false));
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
    cells(g, n);
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

int airtime(const void *self, cp_node v, double *tx_s, double *rx_s)
{
    auto *g = static_cast<const ns_eng *>(self);
    if (g->cell_access.empty() || !g->cell_access[v]) return 0;
    *tx_s = g->airtime[v].tx, *rx_s = g->airtime[v].rx;
    return 1;
}

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
    if (getenv("CPSIM_NS3_DEBUG"))
        for (size_t v = 0; v < g->joined.size(); v++)
            if (g->cell_access[v]) fprintf(stderr, "ns3: radio node %zu joined %d tx %.6f rx %.6f\n", v, g->joined[v], g->airtime[v].tx, g->airtime[v].rx);
    g->inflight.clear();
    g->socks.clear();
    g->socks6.clear();
    current = nullptr;
    g->lr.clear();
    Simulator::Destroy(); /* pending events are discarded; their messages were released above */
    delete g;
    in_use = false;
}

} // namespace

extern "C" const eng_backend ns3_backend = {
    ENG_VERSION, "ns3", "ns-3 3.37: UDP/IPv4 packets over point-to-point links, static routes; 802.15.4/6LoWPAN "
    "and 802.11n radio cells", init_packets, run, send, stats, release, airtime,
};

extern "C" const eng_backend ns3_light_backend = {
    ENG_VERSION, "ns3-light", "ns-3 3.37 scheduler with cpsim's link model",
    init_light, run, send, stats, release, nullptr,
};
