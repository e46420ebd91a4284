/* libFuzzer target for the data platform's message handlers (core/data): the input's first
 * byte picks the message type and the receiving role, the second the sender, the rest is the
 * message; it is delivered through the real engine (sim/des) to a node of a small data world
 * that has started, and every handler must reject or handle it without a crash, an overread or
 * a leak (each handler reads through data_wire.c's bounds-checked reader). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/data/data.h"
#include "sim/des/des.h"

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

static net *small_net(uint32_t n)
{
    static const cp_time rtt[1] = {CP_MS(2)};
    static const char *const names[1] = {"all"};
    static const net_class cls[1] = {{"server", 1.0, 0, 0, 0}};
    net_cfg nc = {1, names, rtt, NET_JITTER_NONE, 0, 0.0, 1, cls};
    net *nt = net_new(&nc, n);
    for (uint32_t i = 0; nt && i < n; i++) net_place(nt, i, 0, 0);
    return nt;
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
    if (size < 2) return 0;
    data_cfg c = data_cfg_default();
    c.devices = 2, c.gateways = 2, c.proxies = 2, c.buyers = 1, c.committee = 2;
    c.replicas = 1, c.trades = 0, c.pre_t = 1, c.pre_n = 2, c.agg_t = 1;
    uint32_t n = c.devices + c.gateways + c.proxies + c.buyers + c.committee;
    char err[256];
    data *d = data_new(&c, n, 1, err, sizeof err);
    net *nt = small_net(n);
    des_cfg dc = {1, n, CP_S(1), nt, data_ops(), d, NULL, NULL, NULL, NULL};
    des *e = d && nt ? des_new(&dc) : NULL;
    cp_msg *m = e ? malloc(sizeof(cp_msg) + size - 2) : NULL; /* flags 0: released with free() */
    if (m) {
        des_run(e); /* every node started; the run stops at 1 s */
        m->refs = 1, m->flags = 0, m->type = (uint16_t)(in[0] % DATA_N_MSG);
        m->len = m->wire_size = (uint32_t)(size - 2);
        memcpy(m->data, in + 2, size - 2);
        des_deliver(e, in[1] % n, (in[0] / DATA_N_MSG) % n, m, des_now(e));
        des_advance(e, des_now(e));
    }
    des_free(e);
    data_free(d);
    net_free(nt);
    return 0;
}
