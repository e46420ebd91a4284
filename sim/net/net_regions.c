/* sim/net/net_regions.c: the default region table (round-trip times between regions).
 *
 * Source and accuracy: median round-trip times between one representative city per region
 * (New York, Sao Paulo, Frankfurt, Shanghai, Singapore, Tokyo, Sydney, Johannesburg), as
 * published by public continuous ping statistics between data centres (WonderNetwork's
 * global ping tables and cloud inter-region latency dashboards, 2022-2024), rounded to 5 ms
 * and made symmetric by the cpsim authors from memory of those tables. They are realistic
 * magnitudes, not a measurement of any particular path: a study that depends on them should
 * replace them with its own measurements (scenario key network.rtt). The diagonal is the
 * median RTT between two hosts inside the same region (different cities, same continent).
 * Invariant: symmetric, positive, and the diagonal is the smallest entry of its row. */
#include "sim/net/net.h"

const uint32_t net_default_n_regions = 8;

const char *const net_default_region_names[] = {
    "north_america", "south_america", "europe", "china",
    "southeast_asia", "japan", "oceania", "africa", NULL,
};

#define M CP_MS
const cp_time net_default_rtt[] = {
    /*           NA      SA      EU      CN      SEA     JP      OC      AF   */
    /* NA  */ M(40),  M(125), M(90),  M(195), M(220), M(150), M(195), M(230),
    /* SA  */ M(125), M(30),  M(200), M(320), M(330), M(260), M(300), M(340),
    /* EU  */ M(90),  M(200), M(25),  M(230), M(160), M(230), M(285), M(160),
    /* CN  */ M(195), M(320), M(230), M(30),  M(70),  M(80),  M(170), M(320),
    /* SEA */ M(220), M(330), M(160), M(70),  M(20),  M(70),  M(95),  M(270),
    /* JP  */ M(150), M(260), M(230), M(80),  M(70),  M(10),  M(120), M(300),
    /* OC  */ M(195), M(300), M(285), M(170), M(95),  M(120), M(20),  M(350),
    /* AF  */ M(230), M(340), M(160), M(320), M(270), M(300), M(350), M(40),
};
#undef M
