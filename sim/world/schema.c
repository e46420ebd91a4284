/* sim/world/schema.c: the scenario schema: every key a scenario file may hold, its type,
 * default, range and one line of documentation (scenarios/README.md is generated from this
 * table by `cpsim schema`, and a test checks the two agree). Invariant: every field of wld_cfg
 * that the world reads is described here and nowhere else. */
#include <stddef.h>

#include "sim/world/world.h"

#define NR 1.0, 0.0 /* no range: min > max */
#define YEAR 31536000e9 /* every duration and time is at most one year (the longest run), so sums of a few never wrap */
#define F(k, t, s, m, d, lo, hi, doc) {k, t, offsetof(s, m), d, lo, hi, NULL, NULL, 0, 0, doc}
#define E(k, s, m, d, names, doc) {k, SCN_ENUM, offsetof(s, m), d, NR, names, NULL, 0, 0, doc}
#define SUB(k, t, s, m, sub, cnt, req, doc) {k, t, offsetof(s, m), NULL, NR, NULL, sub, cnt, req, doc}
#define END {NULL, 0, 0, NULL, NR, NULL, NULL, 0, 0, NULL}

static const char *const table_names[] = {"default", "uniform", NULL};
static const char *const jitter_names[] = {"none", "uniform", "exponential", NULL};
const char *const wld_engine_names[] = {"des", "simgrid", "ns3", "ns3-light", NULL};
static const char *const proto_names[] = {"flood", "phold", "lbft", "dht", "data", "iot", NULL};
static const char *const boot_names[] = {"prefill", "join", NULL};
static const char *const churn_names[] = {"none", "exponential", "weibull", NULL};
static const char *const evict_names[] = {"ping", "cache", NULL};
static const char *const access_names[] = {"wired", "lrwpan", "wifi", "lte", NULL};

static const scn_field rtt_fields[] = {
    F("a", SCN_STR, wld_rtt_cfg, a, NULL, 1.0, 0.0, "first region name"),
    F("b", SCN_STR, wld_rtt_cfg, b, NULL, 1.0, 0.0, "second region name (the entry is symmetric)"),
    F("rtt", SCN_DURATION, wld_rtt_cfg, rtt, NULL, 0, 60e9, "round-trip time between a and b"),
    END,
};
static const scn_schema rtt_schema = {"rtt", sizeof(wld_rtt_cfg), rtt_fields, NULL};

static const scn_field burst_fields[] = {
    F("at", SCN_DURATION, wld_burst_cfg, at, NULL, 0, YEAR, "simulated time the burst starts"),
    F("until", SCN_DURATION, wld_burst_cfg, until, NULL, 0, YEAR, "simulated time it ends (later than at)"),
    F("rate", SCN_FLOAT, wld_burst_cfg, rate, NULL, 0, 1e7, "transactions per second from all clients meanwhile"),
    END,
};
static const scn_schema burst_schema = {"burst", sizeof(wld_burst_cfg), burst_fields, NULL};
static const char *const tx_pattern_names[] = {"poisson", "constant", NULL};

static const scn_field change_fields[] = {
    F("at", SCN_DURATION, wld_change_cfg, at, NULL, 0, YEAR, "simulated time the change starts"),
    F("until", SCN_DURATION, wld_change_cfg, until, "0", 0, YEAR,
      "time the change is undone (0 = never); must be later than at"),
    SUB("partition", SCN_NODES, wld_change_cfg, partition, NULL,
        offsetof(wld_change_cfg, n_partition), 0,
        "nodes (ids, ranges \"a-b\", group references: proposers.0-3, gateways) cut off from all other nodes, together"),
    SUB("crash", SCN_NODES, wld_change_cfg, crash, NULL, offsetof(wld_change_cfg, n_crash), 0,
        "nodes (ids, ranges, group references) that crash at `at` (timers lost, messages to them dropped) and restart at "
        "`until` (the protocol's restart: LBFT re-arms its timer and syncs the blocks it missed)"),
    F("a", SCN_STR, wld_change_cfg, a, "\"\"", 1.0, 0.0, "region of an RTT change"),
    F("b", SCN_STR, wld_change_cfg, b, "\"\"", 1.0, 0.0, "other region of an RTT change"),
    F("rtt", SCN_DURATION, wld_change_cfg, rtt, "0", 0, 60e9, "new RTT between a and b (0 = no RTT change)"),
    END,
};
static const scn_schema change_schema = {"change", sizeof(wld_change_cfg), change_fields, NULL};

static const scn_field net_fields[] = {
    E("table", wld_net_cfg, table, "default", table_names,
      "region latency table: default (8 world regions, see sim/net/net_regions.c) or uniform"),
    F("uniform_rtt", SCN_DURATION, wld_net_cfg, uniform_rtt, "50ms", 0, 60e9,
      "RTT between any two nodes when table is uniform (one region named \"all\")"),
    SUB("rtt", SCN_SEQ, wld_net_cfg, rtt, &rtt_schema, offsetof(wld_net_cfg, n_rtt), 0,
        "overrides of region-pair RTTs: list of {a, b, rtt}"),
    E("jitter_dist", wld_net_cfg, jitter_dist, "uniform", jitter_names,
      "distribution of the extra per-message delay: none, uniform in [0, jitter), exponential with mean jitter"),
    F("jitter", SCN_DURATION, wld_net_cfg, jitter, "0", 0, 60e9, "jitter width (uniform) or mean (exponential)"),
    F("loss", SCN_PROB, wld_net_cfg, loss, "0", 0, 1, "probability that a message is lost"),
    SUB("changes", SCN_SEQ, wld_net_cfg, changes, &change_schema, offsetof(wld_net_cfg, n_changes), 0,
        "scheduled link changes: partitions and RTT changes"),
    END,
};
static const scn_schema net_schema = {"network", sizeof(wld_net_cfg), net_fields, NULL};

static const scn_field class_fields[] = {
    F("cpu_factor", SCN_FLOAT, wld_class_cfg, cpu_factor, "1", 1e-3, 1e6,
      "CPU time multiplier against the reference server core"),
    F("uplink", SCN_RATE, wld_class_cfg, uplink, "1Gbps", 0, 1e15, "uplink rate (0 = unlimited)"),
    F("downlink", SCN_RATE, wld_class_cfg, downlink, "1Gbps", 0, 1e15, "downlink rate (0 = unlimited)"),
    F("access_latency", SCN_DURATION, wld_class_cfg, access_latency, "1ms", 0, 10e9,
      "one-way last-mile latency added at each end of a message"),
    F("cpu_active", SCN_FLOAT, wld_class_cfg, cpu_active, "70", 0, 1e5,
      "watts drawn while the virtual CPU is busy (CPU energy = busy time x this)"),
    F("cpu_idle", SCN_FLOAT, wld_class_cfg, cpu_idle, "60", 0, 1e5, "watts drawn while the CPU is idle"),
    F("radio_tx", SCN_FLOAT, wld_class_cfg, radio_tx, "0", 0, 1e5,
      "watts drawn while the radio transmits (airtime: bytes x 8 / uplink, or measured by ns-3)"),
    F("radio_rx", SCN_FLOAT, wld_class_cfg, radio_rx, "0", 0, 1e5, "watts drawn while the radio receives"),
    F("radio_idle", SCN_FLOAT, wld_class_cfg, radio_idle, "0", 0, 1e5,
      "watts drawn by the radio when neither transmitting nor receiving (sleep or idle listening)"),
    E("access", wld_class_cfg, access, "wired", access_names,
      "how the class reaches the network: wired (the link model above), lrwpan (IEEE 802.15.4 with 6LoWPAN to its "
      "access point as border router), wifi (802.11n infrastructure mode, the access point as AP); lte is not built "
      "(see README.md, Radio access)"),
    F("access_point", SCN_STR, wld_class_cfg, access_point, "gateway", 1.0, 0.0,
      "class whose nodes serve this radio class's cells (devices are spread over them round-robin in id order)"),
    F("radio_range", SCN_FLOAT, wld_class_cfg, radio_range, "10", 0.1, 1e5,
      "metres: each device is placed uniformly at random (by seed) in a disc of this radius around its access point"),
    F("battery", SCN_FLOAT, wld_class_cfg, battery, "0", 0, 1e12,
      "battery capacity in joules (0 = mains powered; 2 AA cells are about 2 x 1.5 V x 2.5 Ah = 27000 J)"),
    END,
};
static const scn_schema class_schema = {"class", sizeof(wld_class_cfg), class_fields, NULL};

static const scn_field group_fields[] = {
    F("name", SCN_STR, wld_group_cfg, name, "\"\"", 1.0, 0.0,
      "the group's name, unique: overrides address the group by it (nodes.validators.count) and node lists refer "
      "to its nodes (validators.0, proposers.2-5, gateways)"),
    F("role", SCN_STR, wld_group_cfg, role, "\"\"", 1.0, 0.0,
      "what the group's nodes do (one role per group, several groups may share one): see Roles above; the "
      "protocol takes its counts from the groups and the world numbers the nodes role by role"),
    F("count", SCN_UINT, wld_group_cfg, count, NULL, 0, 16e6, "number of nodes in the group (0: none, e.g. a role switched off with -p)"),
    F("class", SCN_STR, wld_group_cfg, cls, "server", 1.0, 0.0,
      "device class: sensor, vehicle, gateway, server, or one defined under classes"),
    SUB("regions", SCN_LIST_STR, wld_group_cfg, regions, NULL, offsetof(wld_group_cfg, n_regions), 0,
        "regions the nodes are spread over, uniformly at random by seed (empty = all regions)"),
    END,
};
static const scn_schema group_schema = {"group", sizeof(wld_group_cfg), group_fields, NULL};

static const scn_field flood_fields[] = {
    F("degree", SCN_U32, wld_flood_cfg, degree, "8", 1, 1e6, "outbound connections per node"),
    F("blocks", SCN_U32, wld_flood_cfg, blocks, "10", 0, 1e6, "blocks to create"),
    F("block_size", SCN_SIZE, wld_flood_cfg, block_size, "1MB", 24, 4294967295.0, "bytes per block"),
    F("first", SCN_DURATION, wld_flood_cfg, first, "1s", 0, YEAR, "time of the first block"),
    F("interval", SCN_DURATION, wld_flood_cfg, interval, "10s", 0, YEAR, "time between blocks"),
    F("validate", SCN_DURATION, wld_flood_cfg, validate, "0", 0, YEAR,
      "extra reference-server CPU per block received, beyond the signature check and hashing"),
    F("validate_per_mb", SCN_DURATION, wld_flood_cfg, validate_per_mb, "0", 0, YEAR,
      "extra reference-server CPU per MB received (e.g. executing transactions)"),
    F("source", SCN_INT, wld_flood_cfg, source, "-1", -1, 16e6,
      "node that creates every block, or -1 for a random node per block"),
    END,
};
static const scn_schema flood_schema = {"flood", sizeof(wld_flood_cfg), flood_fields, NULL};

static const scn_field crypto_fields[] = {
    F("sign", SCN_BOOL, wld_crypto_cfg, sign, "true", 1.0, 0.0,
      "sign every block (Ed25519) and verify it at every receiver, charged from the cost table"),
    F("memo", SCN_BOOL, wld_crypto_cfg, memo, "true", 1.0, 0.0,
      "verify each distinct (key, message, signature) once on the host; results are identical either way"),
    F("memo_log2", SCN_U32, wld_crypto_cfg, memo_log2, "20", 4, 28, "memo table size (2^memo_log2 entries)"),
    F("cost_table", SCN_STR, wld_crypto_cfg, cost_table, "\"\"", 1.0, 0.0,
      "crypto cost table written by `cpsim calibrate` (empty: built-in reference costs)"),
    END,
};
static const scn_schema crypto_schema = {"crypto", sizeof(wld_crypto_cfg), crypto_fields, NULL};

static const scn_field lbft_fields[] = {
    F("validators", SCN_U32, wld_lbft_cfg, validators, "7", 4, 1000,
      "validator committee size n = 3f+1 (nodes 0..n-1); with roles: the nodes of role validator (leave it out; given, it must agree)"),
    F("proposers", SCN_U32, wld_lbft_cfg, proposers, "12", 1, 1e6,
      "proposers taking heights in turn (the nodes after the validators); with roles: the nodes of role proposer (leave it out; given, it must agree)"),
    F("term_len", SCN_U32, wld_lbft_cfg, term_len, "12", 1, 1e6, "proposer seats per term (CPChain TermLen)"),
    F("view_len", SCN_U32, wld_lbft_cfg, view_len, "3", 1, 1e6, "blocks per seat per term (CPChain ViewLen)"),
    F("default_proposers", SCN_U32, wld_lbft_cfg, default_proposers, "12", 1, 1e6,
      "the first proposers are default (Foundation) proposers; the rest are RNode candidates elected by DPoR"),
    F("max_init_block", SCN_UINT, wld_lbft_cfg, max_init_block, "180", 0, 1e12,
      "CPChain MaxInitBlockNumber: checkpoints from it minus two terms elect the term three ahead; terms up to "
      "the one after it use the default proposers"),
    F("max_candidates", SCN_U32, wld_lbft_cfg, max_candidates, "100", 1, 4096,
      "CPChain MaximumCandidateNumber: above it, that many candidates are drawn at random per election"),
    F("rpt_window", SCN_U32, wld_lbft_cfg, rpt_window, "100", 1, 1e6,
      "RPT maintenance window: blocks proposed in the heights [checkpoint - window, checkpoint)"),
    F("rpt_penalty_from", SCN_UINT, wld_lbft_cfg, rpt_penalty_from, "1244472", 0, 1e12,
      "the RPT impeach penalty applies at checkpoints from this height on (CPChain: 1244472)"),
    F("period", SCN_DURATION, wld_lbft_cfg, period, "10s", 1e6, 1e13, "block period (CPChain mainnet: 10 s)"),
    F("impeach_timeout", SCN_DURATION, wld_lbft_cfg, impeach_timeout, "10s", 1e6, 1e13,
      "impeach deadline = parent time + period + impeach_timeout"),
    F("block_delay", SCN_DURATION, wld_lbft_cfg, block_delay, "0", 0, 1e13,
      "a block later than parent time + period + block_delay is refused; 0 = impeach_timeout / 2 (CPChain's "
      "BlockDelay); at least impeach_timeout only with late_blocks"),
    F("late_blocks", SCN_BOOL, wld_lbft_cfg, late_blocks, "false", 1.0, 0.0,
      "allow block_delay >= impeach_timeout (a block may arrive after the impeach deadline; CPChain never does)"),
    F("heights", SCN_UINT, wld_lbft_cfg, heights, "100", 1, 1e9, "heights to produce"),
    F("block_size", SCN_SIZE, wld_lbft_cfg, block_size, "1kB", 0, 100e6,
      "wire size of a block without its transactions (header, seal, fixed fields)"),
    F("tx_rate", SCN_FLOAT, wld_lbft_cfg, tx_rate, "0", 0, 1e7,
      "signed transactions per second from all clients; clients are the nodes after the proposers (and twins)"),
    E("tx_pattern", wld_lbft_cfg, tx_pattern, "poisson", tx_pattern_names,
      "arrivals per client: poisson (exponential gaps) or constant (fixed gaps, random phase)"),
    SUB("tx_bursts", SCN_SEQ, wld_lbft_cfg, tx_bursts, &burst_schema, offsetof(wld_lbft_cfg, n_tx_bursts), 0,
        "scheduled rate changes: list of {at, until, rate}; tx_rate applies outside them"),
    F("tx_size", SCN_SIZE, wld_lbft_cfg, tx_size, "250B", 81, 1e6, "wire size of a transaction"),
    F("max_txs", SCN_U32, wld_lbft_cfg, max_txs, "2000", 0, 1e6, "transactions per block at most"),
    F("tx_resend", SCN_DURATION, wld_lbft_cfg, tx_resend, "30s", 0, 1e15,
      "ledger mode: a submitter sends a transaction not yet committed to every proposer again after this (at most 8 times; 0 = never), as a wallet re-broadcasts a pending one"),
    F("civilian_degree", SCN_U32, wld_lbft_cfg, civ_degree, "0", 0, 1e4,
      "civilians (the nodes after the proposers) relay certified blocks over a random graph of this degree; 0 = none"),
    F("civilian_fanout", SCN_U32, wld_lbft_cfg, civ_fanout, "2", 0, 1e4,
      "civilians each validator sends every inserted block to"),
    SUB("offline", SCN_NODES, wld_lbft_cfg, offline, NULL, offsetof(wld_lbft_cfg, n_offline), 0,
        "nodes down for the whole run (proposers.5, validators.0-1, plain ids; an engine crash from t = 0: every "
        "protocol on them is silent): silent validators, or proposers whose heights are impeached"),
    SUB("byzantine", SCN_NODES, wld_lbft_cfg, byzantine, NULL, offsetof(wld_lbft_cfg, n_byzantine), 0,
        "validator ids that double-sign: they also sign every other valid block of a height"),
    SUB("equivocators", SCN_NODES, wld_lbft_cfg, equivocators, NULL, offsetof(wld_lbft_cfg, n_equivocators), 0,
        "proposer ids that send two blocks at their heights (one to even, one to odd validators)"),
    F("ledger", SCN_BOOL, wld_lbft_cfg, ledger, "false", 1.0, 0.0,
      "transactions are signed transfers with nonces and fees, in per-proposer mempools (lowest fee evicted), "
      "blocks commit to their Merkle root, and a ledger applies them (balances, nonces, state root)"),
    SUB("twins", SCN_NODES, wld_lbft_cfg, twins, NULL, offsetof(wld_lbft_cfg, n_twins), 0,
        "Twins mode: validator or proposer ids that run a second instance with the same key (the nodes "
        "right after the proposers); per height a seeded split of the validators, each twin talking to one side"),
    END,
};
static const scn_schema lbft_schema = {"consensus", sizeof(wld_lbft_cfg), lbft_fields, NULL};

static const scn_field dht_fields[] = {
    F("k", SCN_U32, wld_dht_cfg, k, "20", 1, 64, "bucket size and replication factor (contacts per bucket, nodes per value)"),
    F("alpha", SCN_U32, wld_dht_cfg, alpha, "3", 1, 64, "parallel RPCs of a lookup"),
    F("rpc_timeout", SCN_DURATION, wld_dht_cfg, rpc_timeout, "2s", 1e6, 1e12,
      "an RPC without an answer by then fails (its contact leaves the table)"),
    F("probe_gap", SCN_DURATION, wld_dht_cfg, probe_gap, "10s", 0, 1e13,
      "minimum time between two eviction probes (PING of a bucket's oldest contact) of a node"),
    E("eviction", wld_dht_cfg, eviction, "ping", evict_names,
      "a newcomer meeting a full bucket: ping (PING the bucket's oldest contact, replace it if no answer) or "
      "cache (no probe: keep the newcomer in a replacement cache; a contact removed after a timeout is replaced "
      "by the most recent cached newcomer of its bucket; Kademlia paper, section 4.1)"),
    F("replacements", SCN_U32, wld_dht_cfg, replacements, "8", 1, 64,
      "eviction cache: newcomers kept per node (the oldest is overwritten)"),
    E("bootstrap", wld_dht_cfg, bootstrap, "prefill", boot_names,
      "prefill: routing tables start converged; join: node v joins at v * join_spacing through an earlier node"),
    F("join_spacing", SCN_DURATION, wld_dht_cfg, join_spacing, "100ms", 0, 1e12, "join mode: time between two joins"),
    F("republish", SCN_DURATION, wld_dht_cfg, republish, "1h", 0, 31536000e9,
      "every holder republishes each value this often (0 = never)"),
    F("refresh", SCN_DURATION, wld_dht_cfg, refresh, "1h", 0, 31536000e9,
      "every node refreshes one random bucket this often (0 = never)"),
    F("ttl", SCN_DURATION, wld_dht_cfg, ttl, "24h", 1e9, 31536000e9, "a stored value expires after this"),
    E("churn", wld_dht_cfg, churn, "none", churn_names,
      "session length distribution: none (always online), exponential or weibull (mean mean_session)"),
    F("mean_session", SCN_DURATION, wld_dht_cfg, mean_session, "100min", 1e9, 31536000e9,
      "mean online session (100 min: 1 % of the nodes leave per minute)"),
    F("mean_offline", SCN_DURATION, wld_dht_cfg, mean_offline, "10min", 1e9, 31536000e9,
      "mean offline period (exponential)"),
    F("weibull_shape", SCN_FLOAT, wld_dht_cfg, weibull_shape, "0.5", 0.05, 20, "shape of Weibull sessions"),
    F("lookups", SCN_UINT, wld_dht_cfg, lookups, "1000", 0, 1e9,
      "FIND_NODE lookups of random keys by random nodes, at times uniform in [work_start, work_end]"),
    F("stores", SCN_UINT, wld_dht_cfg, stores, "100", 0, 1e9, "STOREs of fresh values in the same window"),
    F("gets", SCN_UINT, wld_dht_cfg, gets, "100", 0, 1e9,
      "FIND_VALUE lookups of stored keys at times uniform in [get_start, get_end] (needs stores)"),
    F("work_start", SCN_DURATION, wld_dht_cfg, work_start, "1s", 0, 31536000e9, "start of the lookup and store window"),
    F("work_end", SCN_DURATION, wld_dht_cfg, work_end, "61s", 0, 31536000e9, "end of the lookup and store window"),
    F("get_start", SCN_DURATION, wld_dht_cfg, get_start, "70s", 0, 31536000e9, "start of the get window"),
    F("get_end", SCN_DURATION, wld_dht_cfg, get_end, "130s", 0, 31536000e9, "end of the get window"),
    F("value_size", SCN_U32, wld_dht_cfg, value_size, "100", 1, 4096, "bytes per stored value"),
    F("cpu_per_msg", SCN_DURATION, wld_dht_cfg, cpu_per_msg, "2us", 0, 1e10,
      "reference-server CPU per message handled (scaled by the device class)"),
    END,
};
static const scn_schema dht_schema = {"dht", sizeof(wld_dht_cfg), dht_fields, NULL};

static const char *const model_names[] = {"generic", "battery", "vehicle", "camera", NULL};
static const char *const vehicle_app_names[] = {"navigation", "insurance", NULL};
static const char *const chain_names[] = {"log", "lbft", NULL};
static const char *const storage_names[] = {"direct", "dht", NULL};

static const scn_field battery_fields[] = {
    F("fade", SCN_FLOAT, wld_battery_cfg, m.fade, "0.001", 0, 1, "state of health lost per charge cycle (fraction)"),
    F("fade_noise", SCN_FLOAT, wld_battery_cfg, m.fade_noise, "0.001", 0, 0.1,
      "standard deviation of the measured state of health (fraction)"),
    F("fast_fraction", SCN_FLOAT, wld_battery_cfg, m.fast_fraction, "0.1", 0, 1,
      "share of batteries (drawn from seed and device) whose cells degrade fast_factor times faster"),
    F("fast_factor", SCN_FLOAT, wld_battery_cfg, m.fast_factor, "5", 1, 1000, "degradation speed-up of the fast batteries"),
    F("fail_health", SCN_FLOAT, wld_battery_cfg, m.fail_health, "0.8", 0.01, 0.99,
      "a battery fails when its (noiseless) state of health drops below this"),
    F("cycles_per_sample", SCN_U32, wld_battery_cfg, m.cycles_per_sample, "1", 1, 1e6, "charge cycles between two readings"),
    F("horizon", SCN_FLOAT, wld_battery_cfg, horizon, "50", 0, 1e9,
      "maintenance detector: flag a battery whose fitted health line reaches fail_health within this many cycles"),
    F("min_points", SCN_U32, wld_battery_cfg, min_points, "5", 2, 1e9, "maintenance detector: readings needed before fitting"),
    END,
};
static const scn_schema battery_schema = {"battery", sizeof(wld_battery_cfg), battery_fields, NULL};

static const scn_field vehicle_fields[] = {
    F("grid", SCN_U32, wld_vehicle_cfg, m.grid, "20", 1, 65535, "the road grid has grid x grid blocks (a torus); each vehicle drives along one row or column"),
    F("block_m", SCN_FLOAT, wld_vehicle_cfg, m.block_m, "100", 1, 1e5, "block length (metres)"),
    F("speed", SCN_FLOAT, wld_vehicle_cfg, m.speed_mps, "12", 0.1, 50, "free-flow speed (m/s)"),
    F("speed_noise", SCN_FLOAT, wld_vehicle_cfg, m.speed_noise, "0.1", 0, 0.3,
      "relative spread of a vehicle's speed (and half of it per reading)"),
    F("congested_fraction", SCN_FLOAT, wld_vehicle_cfg, m.congested_fraction, "0.2", 0, 1, "share of roads that are congested"),
    F("congestion_factor", SCN_FLOAT, wld_vehicle_cfg, m.congestion_factor, "0.3", 0.01, 1, "speed on a congested road relative to free flow"),
    F("cell_blocks", SCN_U32, wld_vehicle_cfg, m.cell_blocks, "5", 1, 65535,
      "a roadside gateway serves a cell of cell_blocks x cell_blocks blocks; a vehicle uploads through its cell's gateway (handover)"),
    F("map_window", SCN_DURATION, wld_vehicle_cfg, map_window, "5min", 1e6, 1e15, "navigation consumer: one congestion map per window"),
    F("speeding", SCN_FLOAT, wld_vehicle_cfg, m.speeding, "0", 0, 0.66,
      "insurance: probability of a speeding event per reading at mean risk (driver risk r uniform in [0,1): x (0.5 + r)); 0: none"),
    F("braking", SCN_FLOAT, wld_vehicle_cfg, m.braking, "0", 0, 0.66,
      "insurance: probability of a harsh-braking event per reading at mean risk (x (0.5 + r) like speeding); 0: none"),
    E("app", wld_vehicle_cfg, app, "navigation", vehicle_app_names,
      "the consumer of the decrypted readings: navigation (congestion map) or insurance (premium per driver from the trades)"),
    F("base_premium", SCN_FLOAT, wld_vehicle_cfg, base_premium, "400", 0, 1e9,
      "insurance: premium = base_premium + per_speeding x speeding events/h + per_braking x harsh brakings/h"),
    F("per_speeding", SCN_FLOAT, wld_vehicle_cfg, per_speeding, "10", 0, 1e9, "insurance: premium per speeding event per hour driven"),
    F("per_braking", SCN_FLOAT, wld_vehicle_cfg, per_braking, "20", 0, 1e9, "insurance: premium per harsh braking per hour driven"),
    END,
};
static const scn_schema vehicle_schema = {"vehicle", sizeof(wld_vehicle_cfg), vehicle_fields, NULL};

static const scn_field camera_fields[] = {
    F("approaches", SCN_U32, wld_camera_cfg, m.approaches, "4", 1, 64,
      "cameras per intersection: camera c films approach c mod approaches of intersection c / approaches"),
    F("lanes", SCN_U32, wld_camera_cfg, m.lanes, "2", 1, 16, "lanes per approach, counted separately in each segment's header"),
    F("flow_vph", SCN_FLOAT, wld_camera_cfg, m.flow_vph, "400", 0, 5000, "mean demand per lane (vehicles per hour, Poisson arrivals)"),
    F("flow_spread", SCN_FLOAT, wld_camera_cfg, m.flow_spread, "0.5", 0, 0.99,
      "an approach's demand is flow_vph x (1 + flow_spread x (2u - 1)), u uniform per (intersection, approach)"),
    F("bitrate", SCN_FLOAT, wld_camera_cfg, m.bitrate_bps, "1.6e6", 1e3, 1e9,
      "video bitrate (bit/s): a segment (one per sample_interval = upload_interval) has bitrate x interval / 8 bytes"),
    F("plan_window", SCN_DURATION, wld_camera_cfg, plan_window, "5min", 1e6, 1e15,
      "analytics: one signal timing plan per intersection per window, from the counts of the segments in it"),
    F("phases", SCN_U32, wld_camera_cfg, phases, "2", 1, 64, "signal phases; phase p serves approaches a with a mod phases = p"),
    F("sat_flow", SCN_FLOAT, wld_camera_cfg, sat_flow, "1800", 1, 1e5, "saturation flow per lane (vehicles per hour of green)"),
    F("lost_time", SCN_DURATION, wld_camera_cfg, lost_time, "4s", 0, 1e12, "lost time per phase (Webster's L = phases x this)"),
    F("min_cycle", SCN_DURATION, wld_camera_cfg, min_cycle, "30s", 1e9, 1e13, "shortest signal cycle"),
    F("max_cycle", SCN_DURATION, wld_camera_cfg, max_cycle, "180s", 1e9, 1e13, "longest signal cycle (used when demand saturates)"),
    END,
};
static const scn_schema camera_schema = {"camera", sizeof(wld_camera_cfg), camera_fields, NULL};

static const scn_field data_fields[] = {
    F("devices", SCN_U32, wld_data_cfg, devices, "100", 1, 1e7,
      "data owners producing readings: nodes 0..devices-1 (each device owns its stream); with roles: the nodes of role device (leave it out; given, it must agree)"),
    F("gateways", SCN_U32, wld_data_cfg, gateways, "10", 1, 1e6,
      "the next nodes: gateways (device d uploads through gateway d mod gateways) and storage replicas; gateway 0 aggregates; with roles: the nodes of role gateway (leave it out; given, it must agree)"),
    F("proxies", SCN_U32, wld_data_cfg, proxies, "5", 0, 1e6, "the next nodes: re-encryption proxies; with roles: the nodes of role proxy (leave it out; given, it must agree)"),
    F("buyers", SCN_U32, wld_data_cfg, buyers, "5", 0, 1e6, "the next nodes: data buyers; with roles: the nodes of role buyer (leave it out; given, it must agree)"),
    F("committee", SCN_U32, wld_data_cfg, committee, "5", 0, 255, "the next nodes: the aggregation committee (threshold key holders); with roles: the nodes of role committee (leave it out; given, it must agree)"),
    F("sample_interval", SCN_DURATION, wld_data_cfg, sample_interval, "1s", 1e6, 1e13, "a reading per device this often"),
    F("enc_interval", SCN_DURATION, wld_data_cfg, enc_interval, "10min", 1e6, 1e15,
      "a fresh data key (PRE capsule) per device this often; one trade authorization covers one such epoch; a multiple of upload_interval"),
    F("upload_interval", SCN_DURATION, wld_data_cfg, upload_interval, "1min", 1e6, 1e15,
      "a device seals, chunks and uploads its batch this often (one data-record transaction each)"),
    F("data_end", SCN_DURATION, wld_data_cfg, data_end, "30min", 1e6, 31536000e9, "devices stop producing after this"),
    F("reading_size", SCN_SIZE, wld_data_cfg, reading_size, "32B", 16, 4096, "bytes per reading"),
    F("chunk_size", SCN_SIZE, wld_data_cfg, chunk_size, "1kB", 64, 4194304,
      "bytes per stored chunk, up to 4 MiB (a batch has at most 31 chunks: one record transaction)"),
    F("replicas", SCN_U32, wld_data_cfg, replicas, "3", 1, 8,
      "gateways holding each chunk: the XOR-closest gateway DHT ids to the chunk hash"),
    F("trades", SCN_U32, wld_data_cfg, trades, "10", 0, 1e7,
      "orders by random buyers for random owners' finished epochs, at times uniform in [trade_start, trade_end]"),
    F("trade_start", SCN_DURATION, wld_data_cfg, trade_start, "20min", 0, 31536000e9, "start of the order window"),
    F("trade_end", SCN_DURATION, wld_data_cfg, trade_end, "30min", 0, 31536000e9, "end of the order window"),
    F("epochs_per_order", SCN_U32, wld_data_cfg, epochs_per_order, "1", 1, 1e5, "consecutive epochs bought per order"),
    F("pre_t", SCN_U32, wld_data_cfg, pre_t, "2", 1, 64, "cfrags the buyer needs per epoch (threshold)"),
    F("pre_n", SCN_U32, wld_data_cfg, pre_n, "3", 1, 64, "proxies (kfrags) per order"),
    F("dishonest", SCN_U32, wld_data_cfg, dishonest, "0", 0, 64,
      "the first proxies send wrong cfrags (detected by the buyer's verification and reported)"),
    F("corrupt_gateway", SCN_INT, wld_data_cfg, corrupt_gateway, "-1", -1, 16e6,
      "a gateway node id that serves corrupted chunks (detected by their content address), or -1"),
    F("seller_timeout", SCN_DURATION, wld_data_cfg, seller_timeout, "1min", 1e6, 1e15,
      "the buyer withdraws if the seller has not confirmed by then"),
    F("deliver_timeout", SCN_DURATION, wld_data_cfg, deliver_timeout, "2min", 1e6, 1e15,
      "the trade is disputed if the buyer has not decrypted by then after the seller's confirmation"),
    F("fetch_timeout", SCN_DURATION, wld_data_cfg, fetch_timeout, "10s", 1e6, 1e15,
      "chunks not received by then are fetched again from the next replica; storage: dht: a gateway's STORE round waits this x 2^round before re-storing unacknowledged chunks"),
    F("fetch_window", SCN_U32, wld_data_cfg, fetch_window, "0", 0, 1e9,
      "chunks a buyer has requested and not yet received, per order; each chunk received requests the next (0: all at once)"),
    F("agg_window", SCN_DURATION, wld_data_cfg, agg_window, "5min", 0, 1e15,
      "aggregation window: each device sends one encrypted reading per window (0 = no aggregation)"),
    F("agg_grace", SCN_DURATION, wld_data_cfg, agg_grace, "30s", 0, 1e15,
      "the aggregator closes a window this long after its end"),
    F("agg_t", SCN_U32, wld_data_cfg, agg_t, "3", 1, 255, "partial decryptions combined (committee threshold)"),
    F("cpu_per_msg", SCN_DURATION, wld_data_cfg, cpu_per_msg, "5us", 0, 1e10,
      "reference-server CPU per message handled, beyond the crypto charged from the cost table"),
    E("device_model", wld_data_cfg, device_model, "generic", model_names,
      "what the readings are: generic (hashed values), battery (EV battery health), vehicle (segment speeds on a road grid) or camera (video segments with vehicle counts; upload_interval = sample_interval); battery and vehicle need reading_size >= 32B"),
    E("chain", wld_data_cfg, chain, "log", chain_names,
      "where data-record and trade transactions go: log (the platform's own log, ready at once) or lbft (LBFT from "
      "the consensus section runs on the first nodes in ledger mode; the data roles follow them; buyers see a "
      "record once its block is in)"),
    E("storage", wld_data_cfg, storage, "direct", storage_names,
      "how a chunk's holders are found: direct (the replicas gateways XOR-closest to its hash, computed) or dht "
      "(a Kademlia DHT from the dht section runs on the gateways, proxies and buyers; a gateway stores each chunk at "
      "the replicas closest nodes its lookup finds, a buyer looks them up before fetching)"),
    F("price_per_epoch", SCN_UINT, wld_data_cfg, price_per_epoch, "100", 0, 1e15,
      "value an order locks in escrow per epoch bought; paid to the seller when the buyer confirms (chain: lbft)"),
    F("subscribe", SCN_BOOL, wld_data_cfg, subscribe, "false", 1.0, 0.0,
      "buyers buy every epoch of every device once uploaded (device d: buyer d mod buyers); replaces the random trades"),
    F("subscribe_lag", SCN_DURATION, wld_data_cfg, subscribe_lag, "30s", 0, 1e15,
      "a subscription order for epoch e is placed at (e+1)*enc_interval + upload_interval + this"),
    F("subscribe_fraction", SCN_FLOAT, wld_data_cfg, subscribe_fraction, "1", 0, 1,
      "share of the devices a subscription buys (probe vehicles): device d is in if a uniform draw from (seed, d) "
      "is below this; 1: every device. The others still upload, nobody buys them"),
    SUB("battery", SCN_MAP, wld_data_cfg, battery, &battery_schema, 0, 0, "battery model and maintenance detector (device_model: battery)"),
    SUB("vehicle", SCN_MAP, wld_data_cfg, vehicle, &vehicle_schema, 0, 0, "vehicle model and its consumer: congestion map or insurance premiums (device_model: vehicle)"),
    SUB("camera", SCN_MAP, wld_data_cfg, camera, &camera_schema, 0, 0, "camera model and signal-timing analytics (device_model: camera)"),
    END,
};
static const scn_schema data_schema = {"data", sizeof(wld_data_cfg), data_fields, NULL};

static const char *const iot_app_names[] = {"ev-charging", "parking", "logistics", NULL};
static const char *const iot_dist_names[] = {"exponential", "uniform", "fixed", NULL};

static const scn_field iot_ev_fields[] = {
    F("piles", SCN_U32, iot_ev_cfg, piles, "8", 1, 1e6, "charging piles: the first nodes of the app's roles; pile p stands in cell p mod cells; with roles: the nodes of role pile (leave it out; given, it must agree)"),
    F("evs", SCN_U32, iot_ev_cfg, evs, "12", 1, 1e6, "electric vehicles: the next nodes; with roles: the nodes of role ev (leave it out; given, it must agree)"),
    F("grid_w", SCN_U32, iot_ev_cfg, grid_w, "2", 1, 4096, "road grid width (cells)"),
    F("grid_h", SCN_U32, iot_ev_cfg, grid_h, "2", 1, 4096, "road grid height (cells)"),
    F("cell_km", SCN_FLOAT, iot_ev_cfg, cell_km, "1", 0.01, 1000, "cell side (km)"),
    F("speed_kmh", SCN_FLOAT, iot_ev_cfg, speed_kmh, "30", 1, 300, "driving speed to a pile (Manhattan distance)"),
    F("capacity_kwh", SCN_FLOAT, iot_ev_cfg, capacity_kwh, "40", 1, 1000, "battery capacity"),
    F("drive_kw", SCN_FLOAT, iot_ev_cfg, drive_kw, "10", 0.1, 1000, "average power drawn while driving"),
    F("soc_low", SCN_FLOAT, iot_ev_cfg, soc_low, "0.2", 0.01, 0.98, "state of charge below which an EV looks for a pile"),
    F("soc_target", SCN_FLOAT, iot_ev_cfg, soc_target, "0.8", 0.02, 0.99, "state of charge an EV charges up to"),
    F("soc0_min", SCN_FLOAT, iot_ev_cfg, soc0_min, "0.25", 0.01, 0.99,
      "initial state of charge uniform in [soc0_min, soc_target] (= soc_target: every EV starts full)"),
    F("pile_kw", SCN_FLOAT, iot_ev_cfg, pile_kw, "50", 0.1, 1000,
      "charging power up to 80 %, then tapering linearly to 0 at 100 % (a CC-CV curve)"),
    F("price_min", SCN_UINT, iot_ev_cfg, price_min, "200", 0, 1e12, "lowest pile price per kWh (token units)"),
    F("price_max", SCN_UINT, iot_ev_cfg, price_max, "400", 0, 1e12, "highest pile price per kWh (each pile's uniform in between)"),
    F("deposit", SCN_UINT, iot_ev_cfg, deposit, "20000", 1, 1e15, "escrow locked per session: the most a session pays"),
    F("retry", SCN_DURATION, iot_ev_cfg, retry, "1min", 1e6, 1e15, "no free pile in the cell (a rider: no car in reach): look again after this"),
    F("reserve_timeout", SCN_DURATION, iot_ev_cfg, reserve_timeout, "30min", 1e6, 1e15,
      "a pile frees a reservation not plugged in by then (a shared car: not unlocked by then)"),
    F("riders", SCN_U32, iot_ev_cfg, riders, "0", 0, 1e6,
      "shared travel: rider devices (the nodes after the EVs), who rent the EVs as a shared fleet; 0: no rentals; with roles: the nodes of role rider (leave it out; given, it must agree)"),
    F("bays", SCN_U32, iot_ev_cfg, bays, "8", 1, 16,
      "riders: parking bays per cell, each a directory slot for the car in it (the fleet must fit: evs <= cells x bays)"),
    F("rider_rate", SCN_FLOAT, iot_ev_cfg, rider_rate, "30", 1e-6, 1e9,
      "riders: trip requests per hour, all riders (Poisson while the riders are idle)"),
    E("trip_dist", iot_ev_cfg, trip_dist, "exponential", iot_dist_names,
      "riders: trip length (Manhattan): exponential, uniform in [0, 2 trip_km] or fixed"),
    F("trip_km", SCN_FLOAT, iot_ev_cfg, trip_km, "3", 0.001, 1e6, "riders: mean trip length"),
    F("walk_kmh", SCN_FLOAT, iot_ev_cfg, walk_kmh, "5", 0.1, 100, "riders: walking speed to the car (Manhattan)"),
    F("max_wait", SCN_DURATION, iot_ev_cfg, max_wait, "10min", 1e6, 1e15,
      "riders: request to unlock at most this: a car farther on foot is not taken; none found in time: unserved "
      "(at most reserve_timeout)"),
    F("price_per_min", SCN_UINT, iot_ev_cfg, price_per_min, "20", 0, 1e12, "riders: fare per started minute"),
    F("price_per_km", SCN_UINT, iot_ev_cfg, price_per_km, "100", 0, 1e12, "riders: fare per km (metered in metres)"),
    F("rental_deposit", SCN_UINT, iot_ev_cfg, rental_deposit, "5000", 1, 1e15,
      "riders: escrow locked per rental: the most a trip pays"),
    END,
};
static const scn_schema iot_ev_schema = {"ev", sizeof(iot_ev_cfg), iot_ev_fields, NULL};

static const scn_field iot_park_fields[] = {
    F("locks", SCN_U32, iot_park_cfg, locks, "4", 1, 1e6, "parking lots, one smart lock (payment server) each: the first nodes of the app's roles; with roles: the nodes of role lock (leave it out; given, it must agree)"),
    F("drivers", SCN_U32, iot_park_cfg, drivers, "20", 1, 1e6, "drivers (in-car devices): the next nodes; with roles: the nodes of role driver (leave it out; given, it must agree)"),
    F("spaces", SCN_U32, iot_park_cfg, spaces, "10", 1, 1e6, "spaces per lot; an arrival at a full lot is turned away"),
    F("arrival_rate", SCN_FLOAT, iot_park_cfg, arrival_rate, "6", 1e-3, 1e6,
      "arrivals per lot per hour (Poisson from the drivers who are away)"),
    E("stay_dist", iot_park_cfg, stay_dist, "exponential", iot_dist_names,
      "stay length: exponential, uniform in [0, 2 stay_mean] or fixed"),
    F("stay_mean", SCN_DURATION, iot_park_cfg, stay_mean, "15min", 1e9, 1e15, "mean stay"),
    F("price_per_min", SCN_UINT, iot_park_cfg, price_per_min, "5", 0, 1e12, "fee per started minute"),
    F("deposit", SCN_UINT, iot_park_cfg, deposit, "600", 1, 1e15, "escrow locked per visit: the most a visit pays"),
    END,
};
static const scn_schema iot_park_schema = {"park", sizeof(iot_park_cfg), iot_park_fields, NULL};

static const scn_field iot_log_fields[] = {
    F("hubs", SCN_U32, iot_log_cfg, hubs, "8", 3, 1024, "logistics hubs (one scanner node each): the first nodes of the app's roles; with roles: the nodes of role hub (leave it out; given, it must agree)"),
    F("indexers", SCN_U32, iot_log_cfg, indexers, "1", 1, 1e6, "provenance indexers (parcel p: indexer p mod indexers): the next nodes; with roles: the nodes of role indexer (leave it out; given, it must agree)"),
    F("clients", SCN_U32, iot_log_cfg, clients, "4", 1, 1e6, "query clients: the next nodes; with roles: the nodes of role client (leave it out; given, it must agree)"),
    F("hub_degree", SCN_U32, iot_log_cfg, hub_degree, "3", 2, 64, "hub graph: a ring plus seeded chords up to about this degree"),
    F("min_hops", SCN_U32, iot_log_cfg, min_hops, "2", 2, 8, "fewest hubs on a parcel's route"),
    F("max_hops", SCN_U32, iot_log_cfg, max_hops, "6", 2, 8, "most hubs on a parcel's route (a seeded walk without repeats)"),
    F("parcel_rate", SCN_FLOAT, iot_log_cfg, parcel_rate, "0.5", 1e-6, 1e6, "new parcels per second, all hubs (Poisson)"),
    F("hop_time", SCN_DURATION, iot_log_cfg, hop_time, "30s", 1e6, 1e15, "mean travel time between two hubs (exponential)"),
    F("query_rate", SCN_FLOAT, iot_log_cfg, query_rate, "1", 0, 1e6, "provenance queries per second, all clients (Poisson)"),
    F("query_start", SCN_DURATION, iot_log_cfg, query_start, "1min", 0, 1e15, "no query before this"),
    END,
};
static const scn_schema iot_log_schema = {"log", sizeof(iot_log_cfg), iot_log_fields, NULL};

static const scn_field iot_fields[] = {
    E("app", wld_iot_cfg, app, "ev-charging", iot_app_names, "the application: ev-charging, parking or logistics"),
    F("end", SCN_DURATION, wld_iot_cfg, end, "1h", 0, 31536000e9, "no new need, arrival, parcel or query after this"),
    F("fee", SCN_UINT, wld_iot_cfg, fee, "1", 0, 1e12, "fee per transaction"),
    F("expiry", SCN_UINT, wld_iot_cfg, expiry, "1000000", 1, 1e18, "escrow expiry height"),
    F("cpu_per_msg", SCN_DURATION, wld_iot_cfg, cpu_per_msg, "5us", 0, 1e10,
      "reference-server CPU per message handled (scaled by the device class), besides the crypto"),
    SUB("ev", SCN_MAP, wld_iot_cfg, ev, &iot_ev_schema, 0, 0, "shared EV charging (app: ev-charging)"),
    SUB("park", SCN_MAP, wld_iot_cfg, park, &iot_park_schema, 0, 0, "seamless parking (app: parking)"),
    SUB("log", SCN_MAP, wld_iot_cfg, log, &iot_log_schema, 0, 0, "logistics tracing (app: logistics)"),
    END,
};
static const scn_schema iot_schema = {"iot", sizeof(wld_iot_cfg), iot_fields, NULL};

static const scn_field phold_fields[] = {
    F("per_node", SCN_U32, wld_phold_cfg, per_node, "1", 1, 1e6, "events started by each node"),
    F("payload", SCN_U32, wld_phold_cfg, payload, "64", 8, 1e6, "bytes per event message"),
    END,
};
static const scn_schema phold_schema = {"phold", sizeof(wld_phold_cfg), phold_fields, NULL};

static const scn_field energy_fields[] = {
    F("deplete", SCN_BOOL, wld_energy_cfg, deplete, "false", 1.0, 0.0,
      "a node whose battery is empty goes down from then on (a crash; /nodes depleted_ns records when)"),
    F("check", SCN_DURATION, wld_energy_cfg, check, "60s", 1e6, 31536000e9,
      "simulated time between battery checks (the resolution of depleted_ns)"),
    END,
};
static const scn_schema energy_schema = {"energy", sizeof(wld_energy_cfg), energy_fields, NULL};

static const scn_field top_fields[] = {
    F("name", SCN_STR, wld_cfg, name, "\"\"", 1.0, 0.0, "scenario name (used for the default results folder)"),
    F("seed", SCN_UINT, wld_cfg, seed, "1", 1.0, 0.0, "run seed (--seed overrides)"),
    F("duration", SCN_DURATION, wld_cfg, duration, "60s", 1, 31536000e9, "simulated time to run (up to one year)"),
    E("engine", wld_cfg, engine, "des", wld_engine_names,
      "engine: des (built-in), simgrid, ns3 (packets) or ns3-light (ns-3 scheduler, cpsim links); --engine overrides"),
    E("protocol", wld_cfg, protocol, "flood", proto_names, "protocol run by every node: flood, phold, lbft, dht, data or iot (LBFT, the DHT and the IoT applications stacked)"),
    SUB("network", SCN_MAP, wld_cfg, network, &net_schema, 0, 0, "the network model"),
    SUB("classes", SCN_DICT, wld_cfg, classes, &class_schema, offsetof(wld_cfg, n_classes), 0,
        "device classes defined or redefined by the scenario (a definition is complete: keys it "
        "omits take the defaults below, not the built-in class's values)"),
    SUB("nodes", SCN_SEQ, wld_cfg, nodes, &group_schema, offsetof(wld_cfg, n_groups), 1,
        "node groups, numbered consecutively in file order"),
    SUB("flood", SCN_MAP, wld_cfg, flood, &flood_schema, 0, 0, "block flooding (protocol: flood)"),
    SUB("phold", SCN_MAP, wld_cfg, phold, &phold_schema, 0, 0, "PHOLD benchmark (protocol: phold)"),
    SUB("crypto", SCN_MAP, wld_cfg, crypto, &crypto_schema, 0, 0, "real signatures, the memo and CPU costs"),
    SUB("consensus", SCN_MAP, wld_cfg, consensus, &lbft_schema, 0, 0, "LBFT 2.0 (protocol: lbft)"),
    SUB("dht", SCN_MAP, wld_cfg, dht, &dht_schema, 0, 0, "Kademlia DHT (protocol: dht)"),
    SUB("data", SCN_MAP, wld_cfg, data, &data_schema, 0, 0,
        "IoT data platform: encrypted uploads, data records, PRE trades, HE aggregation (protocol: data)"),
    SUB("iot", SCN_MAP, wld_cfg, iot, &iot_schema, 0, 0,
        "IoT applications settled on chain: EV charging, parking, logistics (on LBFT in ledger mode and the DHT)"),
    SUB("energy", SCN_MAP, wld_cfg, energy, &energy_schema, 0, 0,
        "battery depletion (the per-class power figures are under classes)"),
    F("plots", SCN_BOOL, wld_cfg, plots, "true", 1.0, 0.0, "draw plots with gnuplot"),
    END,
};

const scn_schema wld_schema = {"scenario", sizeof(wld_cfg), top_fields, wld_roles_finish};
