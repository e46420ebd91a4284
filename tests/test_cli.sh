#!/bin/sh
# Scenario-level tests of the cpsim command (TAP): every shipped scenario validates; a run
# writes its results and plot; the same seed gives byte-identical run.h5 and summary.json and
# another seed does not; every invalid scenario in tests/scenarios/invalid/ exits 2 with the
# located error its first line expects, and writes nothing.
set -u
src=${top_srcdir:-.}
bin=${top_builddir:-.}/cpsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { if [ "$1" -eq 0 ]; then ok "$2"; else notok "$2"; fi; }

small="-p nodes.0.count=60 -p nodes.1.count=140 -p flood.blocks=4 -p duration=60s --quiet"

for f in "$src"/scenarios/*.yaml "$src"/bench/scenarios/*.yaml; do
    "$bin" validate "$f" >/dev/null 2>"$tmp/err"; rc=$?
    [ $rc -eq 0 ] || cat "$tmp/err" | sed 's/^/# /'
    check $rc "validate $(basename "$f")"
done

"$bin" run "$src/scenarios/flood-default.yaml" $small --out "$tmp/a" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check $rc "run flood-default (small)"
for f in run.h5 summary.json host.json; do
    [ -s "$tmp/a/$f" ]; check $? "run writes $f"
done
if command -v gnuplot >/dev/null 2>&1; then
    [ -s "$tmp/a/propagation.png" ]; check $? "run draws propagation.png"
else
    n=$((n + 1)); echo "ok $n - run draws propagation.png # SKIP no gnuplot"
fi
[ -z "$(find "$tmp/a" -name '*.tmp')" ]; check $? "no temporary file left"

"$bin" run "$src/scenarios/flood-default.yaml" $small --out "$tmp/b" 2>/dev/null
cmp -s "$tmp/a/run.h5" "$tmp/b/run.h5"; check $? "same seed: byte-identical run.h5"
cmp -s "$tmp/a/summary.json" "$tmp/b/summary.json"; check $? "same seed: byte-identical summary.json"
"$bin" run "$src/scenarios/flood-default.yaml" $small --seed 2 --out "$tmp/c" 2>/dev/null
! cmp -s "$tmp/a/run.h5" "$tmp/c/run.h5"; check $? "another seed: different run.h5"

"$bin" run "$src/scenarios/partition.yaml" -p nodes.0.count=150 --quiet --no-plots --out "$tmp/p" 2>/dev/null
check $? "run partition scenario"

# protocol: dht: a small DHT runs, its summary has the dht block, the same seed gives the same bytes
small_dht="-p nodes.0.count=300 -p nodes.1.count=100 -p dht.lookups=100 -p dht.stores=20 -p dht.gets=50 --quiet --no-plots"
"$bin" run "$src/scenarios/dht-lookups.yaml" $small_dht --out "$tmp/d1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check $rc "run dht-lookups (small)"
grep -q '"dht": {' "$tmp/d1/summary.json" && grep -q '"get_success_rate"' "$tmp/d1/summary.json"
check $? "dht: summary.json has the dht block"
"$bin" run "$src/scenarios/dht-lookups.yaml" $small_dht --out "$tmp/d2" 2>/dev/null
cmp -s "$tmp/d1/run.h5" "$tmp/d2/run.h5" && cmp -s "$tmp/d1/summary.json" "$tmp/d2/summary.json"
check $? "dht: same seed, byte-identical run.h5 and summary.json"
"$bin" run "$src/scenarios/dht-lookups.yaml" $small_dht -p dht.eviction=cache --out "$tmp/d3" 2>/dev/null
grep -q '"dht": {' "$tmp/d3/summary.json" && ! cmp -s "$tmp/d1/summary.json" "$tmp/d3/summary.json"
check $? "dht: eviction cache runs, and differs from ping"
"$bin" bench dht --nodes 2000 --lookups 500 --records 200 --gets 1000 --sim-seconds 5 --json >"$tmp/bd.json" 2>&1
tr -d ' \n' <"$tmp/bd.json" | grep -q '"lookups":500,.*"success_rate":1,"records":200,"gets":{"done":1000,.*"success_rate":1},"get_wall_s":'
check $? "bench dht: 500 FIND_NODE find the true k closest, 1000 GETs of 200 stored records all find the value"
"$bin" run "$src/scenarios/dht-lookups.yaml" $small_dht --seed 2 --out "$tmp/d3" 2>/dev/null
! cmp -s "$tmp/d1/summary.json" "$tmp/d3/summary.json"; check $? "dht: another seed, different summary.json"

# protocol: data: a small insurance run finishes its trades, its aggregates are right, and the
# same seed gives the same bytes
small_data="-p nodes.vehicles.count=20 -p data.trades=4 --quiet --no-plots"
"$bin" run "$src/scenarios/insurance-small.yaml" $small_data --out "$tmp/i1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
check $rc "run insurance-small (small)"
grep -q '"data": {' "$tmp/i1/summary.json" && grep -q '"finished": 4' "$tmp/i1/summary.json" &&
    grep -q '"wrong": 0' "$tmp/i1/summary.json"
check $? "data: summary.json has the data block, 4 trades finished, no wrong aggregate"
"$bin" run "$src/scenarios/insurance-small.yaml" $small_data --out "$tmp/i2" 2>/dev/null
cmp -s "$tmp/i1/run.h5" "$tmp/i2/run.h5" && cmp -s "$tmp/i1/summary.json" "$tmp/i2/summary.json"
check $? "data: same seed, byte-identical run.h5 and summary.json"
"$bin" run "$src/scenarios/insurance-small.yaml" $small_data -p data.devices=30 --out "$tmp/i3" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "data.devices: 30 disagrees with the 20 nodes of role device (nodes.0.count, line" "$tmp/err" && [ ! -e "$tmp/i3" ]
check $? "data: a count in the section that disagrees with the groups is an error naming both lines"

"$bin" run "$src/tests/scenarios/data-crash.yaml" --quiet --out "$tmp/dc" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
[ $rc -eq 0 ] && grep -q '"wrong": 0' "$tmp/dc/summary.json" && grep -q '"malformed": 0' "$tmp/dc/summary.json"
check $? "data: crash and restart: no duplicate message, no wrong aggregate"

# jget FILE a.b.c: the number at that key path of a summary.json (one key per line).
jget() {
    awk -v want="$2" '
        /^ *"[^"]*": *\{/ { k = $1; gsub(/[":]/, "", k); path = path (path == "" ? "" : ".") k; next }
        /^ *\}/ { sub(/\.?[^.]*$/, "", path); next }
        /^ *"[^"]*": / { k = $1; gsub(/[":]/, "", k); v = $2; gsub(/,/, "", v);
                         if ((path == "" ? k : path "." k) == want) print v }' "$1"
}
# within LO X HI (floating point)
within() { awk -v lo="$1" -v x="$2" -v hi="$3" 'BEGIN { exit !(x != "" && x + 0 >= lo && x + 0 <= hi) }'; }

# data.chain: lbft, data.storage: dht: every data-record and trade transaction is submitted to
# LBFT and committed valid; every chunk is placed and found through a converged DHT lookup; the
# committee's 5 members all get key shares from the DKG and every window's sum, decrypted by 3
# of them, is right and recorded on chain. A record is ready ~0.1 s after its upload (storage round trips) and waits for the next
# 10 s block (uniform: mean 5 s) plus the LBFT phases on a LAN (~0.1 s): upload to chain p50 in
# [4.5 s, 6 s]. The seller acts on an order once its transaction is in a block (a chain node
# pushes the event), so order to plaintext = the wait for the next block (< 10 s) + ~0.16 s of
# PRE and fetching. Each later step waits for the one before it to be committed (the ledger's
# trade contract: confirm, proxy delivered, buyer confirm), one 10 s block each: order to
# settled = wait for the order's block (0..10 s) + 3 blocks = [30, 40.5] s.
# The same seed gives the same bytes through the stack.
dchain="-p nodes.vehicles.count=40 -p data.trades=6 -p duration=45min -p data.data_end=40min -p data.trade_start=30min -p data.trade_end=40min -p consensus.heights=270 --quiet --no-plots"
"$bin" run "$src/scenarios/data-chain.yaml" $dchain --out "$tmp/ch1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/ch1/summary.json"
sub=$(jget "$s" data.chain.submitted); com=$(jget "$s" data.chain.committed)
echo "# data-chain: submitted=$sub committed=$com invalid=$(jget "$s" data.chain.invalid) upload_to_chain_p50=$(jget "$s" data.chain.upload_to_chain_s.p50) finished=$(jget "$s" data.trades.finished)"
[ $rc -eq 0 ] && [ "$sub" = "$(jget "$s" data.transactions)" ] && [ "$com" = "$sub" ] &&
    [ "$(jget "$s" data.chain.invalid)" = 0 ] && [ "$(jget "$s" data.trades.finished)" = 6 ] &&
    within 4.5 "$(jget "$s" data.chain.upload_to_chain_s.p50)" 6 && [ "$(jget "$s" consensus.violations)" = 0 ] &&
    within 0.16 "$(jget "$s" data.trades.order_to_plaintext_s.min)" 10.5 &&
    within 0.16 "$(jget "$s" data.trades.order_to_plaintext_s.max)" 10.5 &&
    within 30 "$(jget "$s" data.trades.order_to_settled_s.min)" 40.6 &&
    within 30 "$(jget "$s" data.trades.order_to_settled_s.max)" 40.6 &&
    [ "$(jget "$s" data.storage_lookups.store.ok)" = "$(jget "$s" data.storage_lookups.store.count)" ] &&
    [ "$(jget "$s" data.storage_lookups.fetch.ok)" = "$(jget "$s" data.storage_lookups.fetch.count)" ] &&
    [ "$(jget "$s" data.storage_lookups.fetch.count)" -gt 0 ] && [ "$(jget "$s" data.storage_lookups.errors)" = 0 ] &&
    [ "$(jget "$s" data.aggregation.dkg_key_shares)" = 5 ] && [ "$(jget "$s" data.aggregation.dkg_rejected)" = 0 ] &&
    [ "$(jget "$s" data.aggregation.ok)" = "$(jget "$s" data.aggregation.windows)" ] &&
    [ "$(jget "$s" data.aggregation.results_on_chain)" = "$(jget "$s" data.aggregation.windows)" ]
check $? "data on LBFT and the DHT: every transaction committed valid, every lookup converged, upload to chain p50 in [4.5, 6] s, trades settle"
"$bin" run "$src/scenarios/data-chain.yaml" $dchain --out "$tmp/ch2" 2>/dev/null
cmp -s "$tmp/ch1/run.h5" "$tmp/ch2/run.h5" && cmp -s "$tmp/ch1/summary.json" "$tmp/ch2/summary.json"
check $? "data on LBFT: same seed, byte-identical run.h5 and summary.json"

# The same platform under DHT churn of 1 %/min (sessions exponential, mean 100 min; offline
# periods mean 5 min): an offline member drops STOREs and FETCHes and cannot look up; a gateway
# re-stores the chunks a holder did not acknowledge at nodes found by a fresh lookup (backing
# off from 10 s to 21 min), a buyer looks holders up again at each fetch timeout. Every record
# still becomes ready and every trade settles, and the churn did cost retries.
"$bin" run "$src/scenarios/data-chain.yaml" $dchain -p dht.churn=exponential -p dht.mean_session=100min \
    -p dht.mean_offline=5min --out "$tmp/ch3" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/ch3/summary.json"
echo "# data-chain under churn: records=$(jget "$s" data.records) ready=$(jget "$s" data.records_ready) retries=$(jget "$s" data.storage_lookups.store_retries) offline_drops=$(jget "$s" data.storage_lookups.offline_drops) finished=$(jget "$s" data.trades.finished)"
[ $rc -eq 0 ] && [ "$(jget "$s" data.records_ready)" = "$(jget "$s" data.records)" ] &&
    [ "$(jget "$s" data.trades.finished)" = 6 ] && [ "$(jget "$s" data.storage_lookups.store_retries)" -gt 0 ] &&
    [ "$(jget "$s" data.chain.invalid)" = 0 ]
check $? "data on the DHT under 1 %/min churn: every record stored and on chain, every trade settles"

# IoT applications on LBFT (5 s blocks, 4 validators and 4 proposers in europe: RTT 25 ms, jitter
# < 5 ms, access 1 ms server, 5 ms gateway, 30 ms vehicle). One-way hops: vehicle-gateway ~50 ms,
# gateway-server ~21 ms, vehicle-server ~46 ms, server-server ~17 ms. A transaction submitted at a
# uniform phase waits for the next block (mean 2.5 s, at most 5 s) and then the LBFT phases (4
# server hops, ~0.07 s) until validator 0 inserts it.
# Parking (80 drivers, 4 lots): deposit wait = HELLO + OFFER (0.1 s) + the driver's open to the
# proposers (0.05 s) + block wait + phases + the observer's NOTE to the lock (0.02 s): mean
# ~2.74 s; settlement = BILL + PAYSIG (0.1 s) + the lock's settle to the proposers (0.02 s) +
# block wait + phases: mean ~2.69 s. ~80 samples of a uniform 5 s wait: the mean is +-0.17 s
# (1 sigma): bands [2.0, 3.5]; every sample in [0.15, 5.4] s.
pk="-p nodes.drivers.count=80 -p iot.park.arrival_rate=60 --quiet --no-plots"
"$bin" run "$src/scenarios/parking.yaml" $pk --out "$tmp/pk" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/pk/summary.json"
echo "# parking: visits=$(jget "$s" iot.sessions) settled=$(jget "$s" iot.settled) wait mean=$(jget "$s" iot.deposit_wait_s.mean) settle mean=$(jget "$s" iot.settlement_s.mean) [$(jget "$s" iot.settlement_s.min), $(jget "$s" iot.settlement_s.max)] occupancy=$(jget "$s" iot.occupancy)"
[ $rc -eq 0 ] && within 60 "$(jget "$s" iot.settled)" 1000 && [ "$(jget "$s" iot.invalid)" = 0 ] &&
    [ "$(jget "$s" iot.malformed)" = 0 ] && [ "$(jget "$s" iot.bad_signatures)" = 0 ] &&
    [ "$(jget "$s" iot.submit_failed)" = 0 ] && [ "$(jget "$s" consensus.violations)" = 0 ]
check $? "parking on LBFT: every escrow committed valid, no malformed or badly signed message"
within 2.0 "$(jget "$s" iot.deposit_wait_s.mean)" 3.5 && within 2.0 "$(jget "$s" iot.settlement_s.mean)" 3.5 &&
    within 0.15 "$(jget "$s" iot.deposit_wait_s.min)" 5.4 && within 0.15 "$(jget "$s" iot.deposit_wait_s.max)" 5.4 &&
    within 0.15 "$(jget "$s" iot.settlement_s.min)" 5.4 && within 0.15 "$(jget "$s" iot.settlement_s.max)" 5.4
check $? "parking: deposit wait and settlement = two hops + the next 5 s block + LBFT phases (mean in [2, 3.5] s)"
"$bin" run "$src/scenarios/parking.yaml" $pk --out "$tmp/pk2" 2>/dev/null
cmp -s "$tmp/pk/run.h5" "$tmp/pk2/run.h5" && cmp -s "$tmp/pk/summary.json" "$tmp/pk2/summary.json"
check $? "parking: same seed, byte-identical run.h5 and summary.json"

# EV charging alone (shipped scenario without its riders: 12 piles, 30 EVs, 2 h; this is the
# scenario as it was before shared travel, byte for byte): settlement = UNPLUG (0.05 s) + the
# pile's settle to the proposers (0.02 s) + block wait + phases: mean ~2.64 s, every sample in
# [0.1, 5.4] s. A session charges from soc_low minus the drive to the pile (at most 2 km at
# 30 km/h: 0.017 of 40 kWh at 10 kW) up to 0.8 = the curve's knee, at 50 kW: 24..24.7 kWh in
# 0.480..0.493 h, so the piles' busy time (utilisation x 12 piles x 2 h) lies between
# settled x 0.480 h and sessions x 0.493 h. Rush hour (every EV starts at 0.8 with drive_kw 40:
# all 30 need a pile at 0.6 x 40 / 40 h = 36 min): all EVs of a cell pick its cheapest pile,
# one wins per cell, so at least 30 - 6 reservations fail.
ev0="-p nodes.riders.count=0"
"$bin" run "$src/scenarios/ev-charging.yaml" $ev0 --quiet --no-plots --out "$tmp/ev1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/ev1/summary.json"
se=$(jget "$s" iot.sessions); st=$(jget "$s" iot.settled); busy=$(awk -v u="$(jget "$s" iot.pile_utilisation)" 'BEGIN { print u * 24 }')
echo "# ev-charging: sessions=$se settled=$st settle mean=$(jget "$s" iot.settlement_s.mean) reservation p50=$(jget "$s" iot.reservation_s.p50) busy=${busy}h failed=$(jget "$s" iot.failed_reservations)"
[ $rc -eq 0 ] && within 10 "$st" 1000 && [ "$(jget "$s" iot.invalid)" = 0 ] && [ "$(jget "$s" iot.malformed)" = 0 ] &&
    [ "$(jget "$s" iot.bad_signatures)" = 0 ] && within 1.5 "$(jget "$s" iot.settlement_s.mean)" 3.8 &&
    within 0.1 "$(jget "$s" iot.settlement_s.min)" 5.4 && within 0.1 "$(jget "$s" iot.settlement_s.max)" 5.4 &&
    within 0.1 "$(jget "$s" iot.reservation_s.p50)" 1
check $? "ev-charging on LBFT and the DHT: sessions settle valid, settlement = a hop + the next block + phases"
within "$(awk -v n="$st" 'BEGIN { print n * 0.48 }')" "$busy" "$(awk -v n="$se" 'BEGIN { print n * 0.4934 }')"
check $? "ev-charging: pile busy time = the charging curve's time per session"
"$bin" run "$src/scenarios/ev-charging.yaml" $ev0 --quiet --no-plots --out "$tmp/ev2" 2>/dev/null
cmp -s "$tmp/ev1/run.h5" "$tmp/ev2/run.h5" && cmp -s "$tmp/ev1/summary.json" "$tmp/ev2/summary.json"
check $? "ev-charging: same seed, byte-identical run.h5 and summary.json"
rush="$ev0 -p iot.ev.soc0_min=0.8 -p iot.ev.drive_kw=40 -p duration=60min -p iot.end=40min -p consensus.heights=720 --quiet --no-plots"
"$bin" run "$src/scenarios/ev-charging.yaml" $rush --out "$tmp/ev3" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
echo "# ev-charging rush hour: failed reservations=$(jget "$tmp/ev3/summary.json" iot.failed_reservations)"
[ $rc -eq 0 ] && within 24 "$(jget "$tmp/ev3/summary.json" iot.failed_reservations)" 1e9
check $? "ev-charging rush hour: EVs of a cell collide on its cheapest pile (>= 24 failed reservations)"

# Shared travel (the shipped scenario: 80 riders asking 120 trips an hour of the 30 EVs, at most
# 10 min from request to unlock): every request is served (unlocked) or given up; every rental
# settles valid; a rental's settlement = BILL and PAYSIG through the phone's 30 ms access link
# (~0.1 s) + the next 5 s block + the LBFT phases: in [0.1, 5.6] s, mean ~2.7 s; a rider waits
# at most max_wait + the escrow's block (600 + 5.4 s); the fleet's car-time fractions add up to
# 1; the revenue settled on chain is the metered fare, 20 per started minute + 100 per km (each
# rental's km part floored: at most one unit less per rental).
"$bin" run "$src/scenarios/ev-charging.yaml" --quiet --no-plots --out "$tmp/tr1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/tr1/summary.json"
rq=$(jget "$s" iot.travel.requests); rn=$(jget "$s" iot.travel.rentals); un=$(jget "$s" iot.travel.unserved)
rv=$(jget "$s" iot.travel.revenue); km=$(jget "$s" iot.travel.settled_km); mi=$(jget "$s" iot.travel.settled_minutes)
echo "# shared travel: requests=$rq rentals=$rn unserved=$un settled=$(jget "$s" iot.travel.settled) wait p50=$(jget "$s" iot.travel.rider_wait_s.p50) p99=$(jget "$s" iot.travel.rider_wait_s.p99) settle mean=$(jget "$s" iot.travel.rental_settlement_s.mean) rented=$(jget "$s" iot.travel.fleet.rented) revenue=$rv"
[ $rc -eq 0 ] && within 100 "$rq" 1000 && [ $((rn + un)) -eq "$rq" ] && [ "$(jget "$s" iot.travel.settled)" = "$rn" ] &&
    [ "$(jget "$s" iot.invalid)" = 0 ] && [ "$(jget "$s" iot.malformed)" = 0 ] && [ "$(jget "$s" iot.bad_signatures)" = 0 ] &&
    within 1.5 "$(jget "$s" iot.travel.rental_settlement_s.mean)" 3.8 &&
    within 0.1 "$(jget "$s" iot.travel.rental_settlement_s.min)" 5.6 && within 0.1 "$(jget "$s" iot.travel.rental_settlement_s.max)" 5.6 &&
    within 0 "$(jget "$s" iot.travel.rider_wait_s.max)" 605.4
check $? "shared travel on LBFT and the DHT: requests served or given up, rentals settle valid, settlement = hops + the next block"
awk -v a="$(jget "$s" iot.travel.fleet.rented)" -v b="$(jget "$s" iot.travel.fleet.charging)" -v c="$(jget "$s" iot.travel.fleet.reserved)" \
    -v d="$(jget "$s" iot.travel.fleet.idle)" 'BEGIN { x = a + b + c + d; exit !(x > 0.999999 && x < 1.000001 && a > 0) }' &&
    within "$(awk -v m="$mi" -v k="$km" -v n="$rn" 'BEGIN { print 20 * m + 100 * k - n }')" "$rv" "$(awk -v m="$mi" -v k="$km" 'BEGIN { print 20 * m + 100 * k + 0.001 }')"
check $? "shared travel: fleet car-time fractions add up to 1; revenue on chain = 20 per minute + 100 per km"
"$bin" run "$src/scenarios/ev-charging.yaml" --quiet --no-plots --out "$tmp/tr2" 2>/dev/null
cmp -s "$tmp/tr1/run.h5" "$tmp/tr2/run.h5" && cmp -s "$tmp/tr1/summary.json" "$tmp/tr2/summary.json"
check $? "shared travel: same seed, byte-identical run.h5 and summary.json"
"$bin" run "$src/scenarios/ev-charging.yaml" --seed 2 --quiet --no-plots --out "$tmp/tr3" 2>/dev/null
! cmp -s "$tmp/tr1/summary.json" "$tmp/tr3/summary.json"
check $? "shared travel: another seed, another summary.json"
# Every rider served, by construction: 3 riders for 30 cars (at most 3 taken at once, 48 bays),
# riding scooters at 30 km/h so that the farthest car of the 3 x 2 km grid (5 km) is 10 min away,
# within max_wait = 15 min: rentals = requests, none unserved, all settled. Priced at 1000 per
# km and nothing per minute, each fare is the metered metres exactly (5 km at most: below the
# 5000 deposit), so the revenue on chain = settled km x 1000.
det="-p nodes.riders.count=3 -p iot.ev.walk_kmh=30 -p iot.ev.max_wait=15min -p iot.ev.price_per_min=0 -p iot.ev.price_per_km=1000"
"$bin" run "$src/scenarios/ev-charging.yaml" $det --quiet --no-plots --out "$tmp/tr4" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/tr4/summary.json"
rq=$(jget "$s" iot.travel.requests)
echo "# shared travel, 3 riders: requests=$rq rentals=$(jget "$s" iot.travel.rentals) unserved=$(jget "$s" iot.travel.unserved) settled=$(jget "$s" iot.travel.settled) km=$(jget "$s" iot.travel.settled_km) revenue=$(jget "$s" iot.travel.revenue)"
[ $rc -eq 0 ] && within 10 "$rq" 1000 && [ "$(jget "$s" iot.travel.rentals)" = "$rq" ] && [ "$(jget "$s" iot.travel.unserved)" = 0 ] &&
    [ "$(jget "$s" iot.travel.settled)" = "$rq" ] &&
    [ "$(awk -v k="$(jget "$s" iot.travel.settled_km)" 'BEGIN { printf "%.0f", k * 1000 }')" = "$(jget "$s" iot.travel.revenue)" ]
check $? "shared travel, 3 riders on scooters: every rider served and settled; revenue = metered metres x 1 per metre"

# Logistics (0.5 parcels/s for 20 min, routes of 2..6 hubs, 30 s between hubs): records per
# second = 0.5 x 4 scans, less the scans of late parcels that fall after the end (0.5/s x
# E[30 s x L(L-1)/2] / 1200 s = 0.09/s): ~1.91/s (+-4 % Poisson); scan to commit = the scanner's
# submit (0.02 s) + block wait + phases: mean ~2.59 s over ~2400 scans (+-0.03 s); a query is a
# vehicle-server round trip (~0.092 s) plus verifying the history; every history holds every
# scan committed before the query (completeness 1, up to a NOTE racing a query).
"$bin" run "$src/scenarios/logistics.yaml" --quiet --no-plots --out "$tmp/lg1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/lg1/summary.json"
echo "# logistics: parcels=$(jget "$s" iot.parcels) scans=$(jget "$s" iot.scans) records/s=$(jget "$s" iot.records_per_s) scan->commit mean=$(jget "$s" iot.scan_to_commit_s.mean) query p50=$(jget "$s" iot.query_s.p50) completeness=$(jget "$s" iot.completeness)"
[ $rc -eq 0 ] && [ "$(jget "$s" iot.committed)" = "$(jget "$s" iot.scans)" ] && [ "$(jget "$s" iot.invalid)" = 0 ] &&
    [ "$(jget "$s" iot.verified)" = "$(jget "$s" iot.answered)" ] && within 1.7 "$(jget "$s" iot.records_per_s)" 2.15 &&
    within 2.4 "$(jget "$s" iot.scan_to_commit_s.mean)" 2.8 && within 0.085 "$(jget "$s" iot.query_s.p50)" 0.11 &&
    within 0.99 "$(jget "$s" iot.completeness)" 1
check $? "logistics on LBFT: every trace committed, ~1.9 records/s, scan to commit = next block + phases, complete verified histories"
"$bin" run "$src/scenarios/logistics.yaml" --quiet --no-plots --out "$tmp/lg2" 2>/dev/null
cmp -s "$tmp/lg1/run.h5" "$tmp/lg2/run.h5" && cmp -s "$tmp/lg1/summary.json" "$tmp/lg2/summary.json"
check $? "logistics: same seed, byte-identical run.h5 and summary.json"

# 300 hubs on 7 validators and 12 proposers (4 elected per term): a scan goes to two random
# proposers, each new one gossips it to three others, and that epidemic sometimes misses every
# elected proposer. Without resending (tx_resend 0) the lost scan's nonce blocks all of its hub's
# later scans for good; with the default (30 s) every scan is committed.
lgl="-p iot.log.parcel_rate=5 -p duration=12min -p iot.end=6min -p consensus.heights=144 --quiet --no-plots"
"$bin" run "$src/bench/scenarios/logistics-large.yaml" $lgl -p consensus.tx_resend=0s --out "$tmp/lr0" 2>/dev/null
"$bin" run "$src/bench/scenarios/logistics-large.yaml" $lgl --out "$tmp/lr1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
echo "# logistics-large: no resend committed $(jget "$tmp/lr0/summary.json" iot.committed) of $(jget "$tmp/lr0/summary.json" iot.scans); resend committed $(jget "$tmp/lr1/summary.json" iot.committed) with $(jget "$tmp/lr1/summary.json" consensus.tx_resends) resends"
[ $rc -eq 0 ] && [ "$(jget "$tmp/lr0/summary.json" iot.committed)" -lt "$(jget "$tmp/lr0/summary.json" iot.scans)" ] &&
    [ "$(jget "$tmp/lr1/summary.json" iot.committed)" = "$(jget "$tmp/lr1/summary.json" iot.scans)" ] &&
    [ "$(jget "$tmp/lr1/summary.json" consensus.tx_resends)" -gt 0 ]
check $? "ledger mode: a submitter resends a pending transaction, so a gossip miss no longer blocks its later nonces"

# EV maintenance, small (30 batteries, 60 cycles of one hour, a third of them fast). With fade a
# = 0.001 per cycle, fast_factor 5 and fail_health 0.8, a fast battery fails after
# floor(0.2 / 0.005) + 1 = 41 cycles (41 h after its phase o in [0, 10h)), a healthy one after
# 201: so exactly the fast ones fail within the 65 h run. The provider gets epoch 0 (cycles
# 0..9) at 10h + 10h + 1min + pipeline and its fit then reaches 80 % at cycle ~40, within the
# 50-cycle horizon: every fast battery is flagged then, lead time in [41h - 20h01m - 1min,
# 41h + 10h - 20h01m] = [20h58m, 30h59m]; a healthy fit stays ~200 - 60 > 50 cycles away.
ev="-p nodes.vehicles.count=30 -p data.battery.fast_fraction=0.34 -p data.data_end=60h -p duration=65h --quiet --no-plots"
"$bin" run "$src/scenarios/ev-maintenance.yaml" $ev --out "$tmp/ev" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/ev/summary.json"
fast=$(jget "$s" workload.fast)
echo "# ev: fast=$fast failing=$(jget "$s" workload.failing_in_run) detected=$(jget "$s" workload.detected) fp=$(jget "$s" workload.false_positives) lead=[$(jget "$s" workload.lead_time_s.min), $(jget "$s" workload.lead_time_s.max)]"
[ $rc -eq 0 ] && within 1 "$fast" 30 && [ "$(jget "$s" workload.failing_in_run)" = "$fast" ] &&
    [ "$(jget "$s" workload.detected)" = "$fast" ] && [ "$(jget "$s" workload.missed)" = 0 ] &&
    [ "$(jget "$s" workload.late)" = 0 ] && [ "$(jget "$s" workload.false_positives)" = 0 ]
check $? "ev-maintenance: exactly the fast batteries fail in the run, all flagged before failure, no false positive"
within 75480 "$(jget "$s" workload.lead_time_s.min)" 111540 && within 75480 "$(jget "$s" workload.lead_time_s.max)" 111540
check $? "ev-maintenance: lead time within the hand-derived [20h58m, 30h59m]"

# Traffic conditions, small (20 vehicles, 10 minutes). enc_interval = upload_interval = U = 60s,
# sample S = 1s, subscription lag L = 10s: a reading k of epoch e is taken at o + eU + kS and
# delivered at (e+2)U + L + pipeline, so its end-to-end latency is 2U - kS - o + L + pipeline:
# mean (U + S)/2 + U/2 + L + pipeline = U + L + S/2 + pipeline ~ 70.5 s (+-15 s for the phases
# o of 20 vehicles), min >= L, max <= 2U + L + 5 s. The map (speed cut midway between free and
# jammed flow) classifies >= 95 % of the observed segments right, and vehicles change gateway.
tr="-p nodes.vehicles.count=20 -p data.data_end=10min -p duration=12min --quiet --no-plots"
"$bin" run "$src/scenarios/traffic-conditions.yaml" $tr --out "$tmp/tr" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/tr/summary.json"
echo "# traffic: records=$(jget "$s" workload.records) e2e mean=$(jget "$s" workload.e2e_latency_s.mean) min=$(jget "$s" workload.e2e_latency_s.min) max=$(jget "$s" workload.e2e_latency_s.max) accuracy=$(jget "$s" workload.map_accuracy) handovers=$(jget "$s" workload.gateway_handovers)"
[ $rc -eq 0 ] && [ "$(jget "$s" workload.records)" = 180 ] && within 55.5 "$(jget "$s" workload.e2e_latency_s.mean)" 85.5 &&
    within 10 "$(jget "$s" workload.e2e_latency_s.min)" 200 && within 10 "$(jget "$s" workload.e2e_latency_s.max)" 135
check $? "traffic-conditions: all 180 records used, end-to-end latency = upload interval + lag + pipeline"
within 0.95 "$(jget "$s" workload.map_accuracy)" 1 && within 1 "$(jget "$s" workload.gateway_handovers)" 1e9
check $? "traffic-conditions: congestion map right on >= 95 % of segments, uploads hand over between gateways"
# Chain TPS: each record is one transaction and its purchase six more (order, confirm, one
# proxy-delivered per proxy with pre_n = 3, buyer confirm): 180 x 7 = 1260 over the 12 min run,
# 1.75 per second.
echo "# traffic: chain_tps=$(jget "$s" workload.chain_tps) peak=$(jget "$s" workload.chain_tps_peak_1min)"
within 1.7499 "$(jget "$s" workload.chain_tps)" 1.7501
check $? "traffic-conditions: chain TPS = 7 transactions per record over the run"
"$bin" run "$src/scenarios/traffic-conditions.yaml" $tr --out "$tmp/tr2" 2>/dev/null
cmp -s "$tmp/tr/run.h5" "$tmp/tr2/run.h5" && cmp -s "$tmp/tr/summary.json" "$tmp/tr2/summary.json"
check $? "traffic-conditions: same seed, byte-identical run.h5 and summary.json"

# Traffic video, small (4 cameras = 1 intersection, 2 min of 10 s segments of 1.6 Mbit/s =
# 2,000,000 B, 30 s epochs, 8 gateways, 3 replicas). A camera with phase o in (0, 10 s) uploads
# segments u = 0..10 (o + 10(u+1) <= 120): 44 segments, 44 x 2,000,040 B x 8 / 120 s =
# 5.866784 Mbit/s uploaded and 3 x that = 17.600352 Mbit/s stored (33.00066 MB per gateway on
# average). The subscription buys epochs e with (e+1) 30 + 10 <= 120, e = 0..2: segments 0..8,
# 36 decrypted. Segment k of its epoch ends at o + 30e + 10(k+1) and reaches the analytics at
# 30(e+1) + 10 + lag 10 + pipeline P: latency 40 - 10k - o + P, in (10, 40 + P), mean 25 + P.
vid="-p nodes.cameras.count=4 -p data.data_end=2min -p duration=3min -p data.enc_interval=30s --quiet --no-plots"
"$bin" run "$src/scenarios/traffic-video.yaml" $vid --out "$tmp/tv" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/tv/summary.json"
echo "# video: segments=$(jget "$s" workload.segments) decoded=$(jget "$s" workload.segments_decoded) up=$(jget "$s" workload.upload_mbps) stored=$(jget "$s" workload.stored_mbps) latency mean=$(jget "$s" workload.segment_latency_s.mean) green_err=$(jget "$s" workload.green_error_s.max)"
[ $rc -eq 0 ] && [ "$(jget "$s" workload.segments)" = 44 ] && [ "$(jget "$s" workload.segments_ready)" = 44 ] &&
    [ "$(jget "$s" workload.segments_decoded)" = 36 ] && [ "$(jget "$s" workload.counts_wrong)" = 0 ] &&
    within 5.866783 "$(jget "$s" workload.upload_mbps)" 5.866785 && within 17.600351 "$(jget "$s" workload.stored_mbps)" 17.600353 &&
    within 33.00065 "$(jget "$s" workload.gateway_stored_mb.mean)" 33.00067
check $? "traffic-video: 44 segments uploaded (5.866784 Mbit/s), stored 3 times, 36 bought and read"
within 25 "$(jget "$s" workload.segment_latency_s.mean)" 30 && within 10 "$(jget "$s" workload.segment_latency_s.min)" 45 &&
    within 10 "$(jget "$s" workload.segment_latency_s.max)" 45 && [ "$(jget "$s" workload.plans)" = 1 ]
check $? "traffic-video: segment-to-analytics latency = 40 - 10k - phase + pipeline, one signal plan"
"$bin" run "$src/scenarios/traffic-video.yaml" $vid --out "$tmp/tv2" 2>/dev/null
cmp -s "$tmp/tv/run.h5" "$tmp/tv2/run.h5" && cmp -s "$tmp/tv/summary.json" "$tmp/tv2/summary.json"
check $? "traffic-video: same seed, byte-identical run.h5 and summary.json"

# Insurance, small (20 vehicles, 4 orders of 2 ten-minute epochs, 3 of 8 proxies each). Every
# order finishes and is quoted; each of its 3 proxies re-encrypts one capsule per epoch:
# 4 x 2 x 3 = 24 cfrags, 3 per proxy on average. Every reading's events match the model, and
# all 12 five-minute aggregates equal the plain sum. A quote rests on 1200 readings: ~24 x
# (0.5 + r) speeding and ~12 x (0.5 + r) harsh-braking events, so the premium's relative
# error is ~14 % (one sigma): the mean error of 4 quotes stays below 0.3.
ins="-p nodes.vehicles.count=20 -p data.trades=4 -p data.data_end=60min -p duration=70min -p data.trade_end=60min --quiet --no-plots"
"$bin" run "$src/scenarios/insurance.yaml" $ins --out "$tmp/in" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
s="$tmp/in/summary.json"
echo "# insurance: quotes=$(jget "$s" workload.quotes) quote p50=$(jget "$s" workload.time_to_quote_s.p50) err mean=$(jget "$s" workload.premium_error.mean) cfrags max=$(jget "$s" workload.cfrags_per_proxy_max)"
[ $rc -eq 0 ] && [ "$(jget "$s" workload.quotes)" = 4 ] && [ "$(jget "$s" workload.events_wrong)" = 0 ] &&
    [ "$(jget "$s" workload.cfrags)" = 24 ] && within 3 "$(jget "$s" workload.cfrags_per_proxy_mean)" 3 &&
    [ "$(jget "$s" workload.agg_windows)" = 12 ] && [ "$(jget "$s" workload.agg_equal_plain_sum)" = 12 ]
check $? "insurance: 4 quotes, 24 cfrags (3 per proxy), events as the model, 12 aggregates equal the plain sum"
within 0 "$(jget "$s" workload.premium_error.mean)" 0.3 && within 0 "$(jget "$s" workload.time_to_quote_s.max)" 2
check $? "insurance: premium error below 0.3, quotes within 2 s of the order"

for f in "$src"/tests/scenarios/invalid/*.yaml; do
    name=$(basename "$f")
    want=$(head -1 "$f" | sed 's/^# expect: //')
    "$bin" run "$f" --out "$tmp/bad-$name" >/dev/null 2>"$tmp/err"; rc=$?
    if [ $rc -eq 2 ] && grep -Eq "$want" "$tmp/err" && [ ! -e "$tmp/bad-$name" ]; then
        ok "invalid $name: exit 2, located error, nothing written"
    else
        echo "# rc=$rc want /$want/ got: $(cat "$tmp/err")"
        notok "invalid $name: exit 2, located error, nothing written"
    fi
done

"$bin" run "$src/scenarios/flood-default.yaml" -p network.los=0.1 --out "$tmp/o" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "network.los" "$tmp/err" && [ ! -e "$tmp/o" ]
check $? "bad override path: exit 2, named"
"$bin" run "$src/scenarios/flood-default.yaml" -p network.loss=lots --out "$tmp/o" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "network.loss" "$tmp/err"
check $? "bad override value: exit 2, named"
"$bin" frobnicate >/dev/null 2>&1; [ $? -eq 2 ]; check $? "unknown command: exit 2"
"$bin" --help | grep -q "run FILE"; check $? "--help shows usage"

# sweeps: the same merged tables whatever the number of workers; a failed point is reported
# (exit 3, ok = false) and --resume reruns only what did not finish
sw="$src/scenarios/flood-default.yaml"
"$bin" sweep "$sw" --grid flood.degree=3,4,6,8 --grid nodes.1.count=100,200,300,400 --seeds 3 -j 2 -p flood.blocks=2 --out "$tmp/sw2" 2>/dev/null
check $? "sweep -j 2"
"$bin" sweep "$sw" --grid flood.degree=3,4,6,8 --grid nodes.1.count=100,200,300,400 --seeds 3 -j 1 -p flood.blocks=2 --out "$tmp/sw1" 2>/dev/null
cmp -s "$tmp/sw1/sweep.json" "$tmp/sw2/sweep.json" && cmp -s "$tmp/sw1/sweep.h5" "$tmp/sw2/sweep.h5"
check $? "sweep: -j 1 and -j 2 give identical sweep.json and sweep.h5"
[ "$(grep -c '"point"' "$tmp/sw1/sweep.json")" -eq 48 ]; check $? "sweep: 4 x 4 points x 3 seeds = 48 runs"
"$bin" sweep "$sw" --grid flood.degree=8,5000 --seeds 1 -p flood.blocks=2 --out "$tmp/swf" 2>/dev/null
[ $? -eq 3 ] && grep -q '"ok": false' "$tmp/swf/sweep.json"; check $? "sweep: a failing point gives exit 3 and ok = false"
if "$bin" version | grep -q "mpi: yes" && command -v mpirun >/dev/null 2>&1; then
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=detect_leaks=0 \
        mpirun -n 2 --oversubscribe "$bin" sweep "$sw" --grid flood.degree=3,4,6,8 \
        --grid nodes.1.count=100,200,300,400 --seeds 3 -p flood.blocks=2 --out "$tmp/swm" >/dev/null 2>&1
    cmp -s "$tmp/swm/sweep.json" "$tmp/sw2/sweep.json" && cmp -s "$tmp/swm/sweep.h5" "$tmp/sw2/sweep.h5"
    check $? "sweep under mpirun -n 2: identical merged tables"
else
    n=$((n + 1)); echo "ok $n - sweep under mpirun -n 2 # SKIP built without MPI"
fi
rm "$tmp/sw1/runs/p1-s2/headline.txt"; touch "$tmp/sw1/runs/p0-s1/marker"
"$bin" sweep "$sw" --grid flood.degree=3,4,6,8 --grid nodes.1.count=100,200,300,400 --seeds 3 -j 1 -p flood.blocks=2 --out "$tmp/sw1" --resume 2>/dev/null
[ -f "$tmp/sw1/runs/p1-s2/headline.txt" ] && [ -f "$tmp/sw1/runs/p0-s1/marker" ] && cmp -s "$tmp/sw1/sweep.json" "$tmp/sw2/sweep.json"
check $? "sweep --resume reruns only the unfinished run"

# random designs: the drawn values depend only on the design seed
"$bin" sweep "$sw" --random flood.degree=3:12 --random nodes.1.count=100:300 --samples 4 -j 2 \
    -p flood.blocks=2 --out "$tmp/rd1" 2>/dev/null; check $? "sweep --random"
"$bin" sweep "$sw" --random flood.degree=3:12 --random nodes.1.count=100:300 --samples 4 \
    -p flood.blocks=2 --out "$tmp/rd2" 2>/dev/null
cmp -s "$tmp/rd1/sweep.json" "$tmp/rd2/sweep.json"; check $? "sweep --random: same design seed, same tables"
"$bin" sweep "$sw" --random flood.degree=3:12 --grid nodes.1.count=100 --samples 2 --out "$tmp/rd3" 2>/dev/null
[ $? -eq 2 ]; check $? "sweep: grid and random dimensions do not mix"

# tune: the fastest flooding is the highest degree; under a duplicates budget, the lowest
"$bin" tune "$sw" --grid flood.degree=3,6,12 -p flood.blocks=2 --no-plots --out "$tmp/tu1" \
    --minimize block_p90_s >"$tmp/tu1.txt" 2>/dev/null && grep -q "^best .*flood.degree=12 " "$tmp/tu1.txt"
check $? "tune: best point without constraints"
"$bin" tune "$sw" --grid flood.degree=3,6,12 -p flood.blocks=2 --no-plots --out "$tmp/tu2" \
    --minimize block_p90_s --subject-to "duplicates_per_node<=12" >"$tmp/tu2.txt" 2>/dev/null &&
    grep -q "^best .*flood.degree=3 " "$tmp/tu2.txt" && [ -s "$tmp/tu2/tune.json" ]
check $? "tune: best point under a constraint, tune.json written"

# swarm: random fault mixes within the BFT bound show no violation; the same arguments give the
# same swarm.json whatever -j; the mixes differ between seeds; --unsafe (f+1 double-signing
# validators and an equivocating proposer: the checker's self-test) finds violations, exit 3,
# and the printed `cpsim run` command reproduces one
lb="$src/scenarios/lbft-swarm.yaml"
"$bin" swarm "$lb" --runs 6 -j 2 --out "$tmp/swa" >"$tmp/swa.txt" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || { sed 's/^/# /' "$tmp/err"; sed 's/^/# /' "$tmp/swa.txt"; }
check $rc "swarm: 6 runs within the bound, no violation, exit 0"
[ "$(grep -c '"seed"' "$tmp/swa/swarm.json")" -eq 6 ] && grep -q '"runs_with_violations": 0' "$tmp/swa/swarm.json"
check $? "swarm: swarm.json has 6 records and the totals"
"$bin" swarm "$lb" --runs 6 -j 1 --out "$tmp/swb" >/dev/null 2>&1
cmp -s "$tmp/swa/swarm.json" "$tmp/swb/swarm.json"; check $? "swarm: same arguments, byte-identical swarm.json (-j 2 and -j 1)"
[ "$(sed -n '2,7p' "$tmp/swa.txt" | sed 's/^[^b]*b=//' | sort -u | wc -l)" -ge 5 ]
check $? "swarm: the fault mixes differ between seeds"
"$bin" swarm "$lb" --runs 6 -j 2 --unsafe --out "$tmp/swu" >"$tmp/swu.txt" 2>/dev/null; rc=$?
[ $rc -eq 3 ] && grep -q '"status": "violation"' "$tmp/swu/swarm.json" && grep -q "^violations in seeds: " "$tmp/swu.txt"
check $? "swarm --unsafe: f+1 faulty validators give violations, exit 3"
cmd=$(grep -A1 '^reproduce seed' "$tmp/swu.txt" | tail -1 | sed 's/^ *cpsim //')
eval "\"\$bin\" $cmd --quiet --no-plots --out \"\$tmp/swr\"" 2>/dev/null; [ $? -eq 3 ]
check $? "swarm --unsafe: the printed command reproduces the violation"
"$bin" swarm "$lb" --out "$tmp/swn" 2>/dev/null; [ $? -eq 2 ]; check $? "swarm without --runs: exit 2"
"$bin" swarm "$lb" --runs 2 -p consensus.offline=[1] --out "$tmp/swn" 2>"$tmp/err"; [ $? -eq 2 ] && grep -q "consensus.offline" "$tmp/err"
check $? "swarm: a -p on a key the swarm sets is refused, exit 2"
"$bin" swarm "$sw" --runs 2 --out "$tmp/swn" 2>/dev/null; [ $? -eq 2 ] && [ ! -e "$tmp/swn" ]
check $? "swarm over a non-LBFT scenario: exit 2, nothing written"

# the regression gate's comparison (the measuring side runs in tools/test.sh)
printf '{"ratio.x": 1.0, "count.y": 7}' > "$tmp/base.json"
printf '{"ratio.x": 0.95, "count.y": 7}' > "$tmp/ok.json"
printf '{"ratio.x": 0.5, "count.y": 7}' > "$tmp/slow.json"
printf '{"ratio.x": 1.0, "count.y": 8}' > "$tmp/changed.json"
printf '{"ratio.x": oops}' > "$tmp/bad.json"
"$bin" bench compare "$tmp/base.json" "$tmp/ok.json" --threshold 10 >/dev/null; check $? "bench compare: within threshold passes"
"$bin" bench compare "$tmp/base.json" "$tmp/slow.json" --threshold 10 >/dev/null; [ $? -eq 1 ]; check $? "bench compare: a ratio down 50% fails"
"$bin" bench compare "$tmp/base.json" "$tmp/changed.json" --threshold 10 >/dev/null; [ $? -eq 1 ]; check $? "bench compare: a changed count fails"
"$bin" bench compare "$tmp/base.json" "$tmp/bad.json" >/dev/null 2>&1; [ $? -eq 2 ]; check $? "bench compare: malformed input is an error"

# hostile input is refused at once, in bounded memory (1 GB of address space; an alias bomb
# used to reach 3-6 GB, /dev/zero 4 GB, and a FIFO without a writer hung)
awk 'BEGIN { print "name: bomb"; print "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]";
             for (i = 1; i < 10; i++) { s = "a" i ": &a" i " ["; for (k = 0; k < 9; k++) s = s (k ? ", " : "") "*a" (i - 1); print s "]" } }' > "$tmp/bomb.yaml"
mkfifo "$tmp/fifo"; mkdir "$tmp/adir"
awk 'BEGIN { print "name: big"; s = "#"; while (length(s) < 5000000) s = s s; print s }' > "$tmp/big.yaml"
# A sanitizer build reserves terabytes of address space for its shadow memory and cannot start
# under `ulimit -v`: there the inputs are still refused at once (located, exit 2, nothing
# written), and the memory bound is what the plain build checks.
vlimit() { ulimit -v "$1"; }
(vlimit 1000000; "$bin" --version) >/dev/null 2>&1 || vlimit() { :; }
for h in "$tmp/bomb.yaml:more than 10^6 nodes" "/dev/zero:got a device" "$tmp/fifo:got a FIFO" \
         "$tmp/adir:got a directory" "$tmp/big.yaml:larger than the limit for a scenario (4 MiB)"; do
    f=${h%%:*}; why=${h#*:}
    (vlimit 1000000; timeout 20 "$bin" run "$f" --out "$tmp/hostile" >/dev/null 2>"$tmp/err"); rc=$?
    [ $rc -eq 2 ] && [ ! -e "$tmp/hostile" ] && grep -q "^$f:[0-9]*:[0-9]*: error: .*$why" "$tmp/err"
    check $? "hostile input $(basename "$f"): refused in bounded memory, located, exit 2, nothing written"
done

# out of memory while building the world is the host's failure: exit 1, not 2 (a bad scenario)
if (ulimit -v 600000; "$bin" --version) >/dev/null 2>&1; then
    (ulimit -v 600000; "$bin" run "$src/scenarios/phold.yaml" -p nodes.0.count=16000000 --quiet --no-plots \
        --out "$tmp/oom" >/dev/null 2>"$tmp/err"); rc=$?
    [ $rc -eq 1 ] && grep -q "out of memory" "$tmp/err" && [ ! -e "$tmp/oom" ]
    check $? "out of memory building the world: exit 1, says so, nothing written"
else
    n=$((n + 1)); echo "ok $n - out of memory building the world # SKIP a sanitizer build cannot start under ulimit -v (the plain build runs it)"
fi

# time arithmetic cannot wrap: a duration past its range is refused; block 585 at
# first + 585 x interval (2^64 + 175 ns) used to wrap to 1 s, before blocks 1..584
"$bin" run "$src/scenarios/flood-default.yaml" -p flood.interval=18446744073s --out "$tmp/wrap0" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/wrap0" ] && grep -q "flood.interval: expected a value in 0 .. 8760h" "$tmp/err"
check $? "a duration past one year is refused, exit 2, nothing written"
"$bin" run "$src/scenarios/flood-default.yaml" -p nodes.0.count=50 -p flood.blocks=600 -p duration=5s \
    -p flood.interval=31532895852495815ns --quiet --no-plots --out "$tmp/wrap1" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] && grep -A3 '"time_to_50pct"' "$tmp/wrap1/summary.json" | grep -q '"blocks_not_reaching": 599'
check $? "first + b x interval saturates: only block 0 happens in the first 5 s"

# every engine built in: the shipped scenarios run unchanged, deterministically
small_lbft="-p consensus.heights=5 -p duration=70s -p nodes.2.count=10 --quiet --no-plots"
engines=$("$bin" version | sed 's/.*engines: \([^;]*\);.*/\1/')
for e in simgrid ns3 ns3-light; do
    case " $engines " in
    *" $e "*)
        "$bin" run "$src/scenarios/lbft-mainnet.yaml" $small_lbft --engine "$e" --out "$tmp/e1-$e" 2>"$tmp/err"; rc=$?
        [ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
        check $rc "engine $e: lbft-mainnet (small) runs"
        "$bin" run "$src/scenarios/lbft-mainnet.yaml" $small_lbft --engine "$e" --out "$tmp/e2-$e" 2>/dev/null
        cmp -s "$tmp/e1-$e/run.h5" "$tmp/e2-$e/run.h5" && cmp -s "$tmp/e1-$e/summary.json" "$tmp/e2-$e/summary.json"
        check $? "engine $e: same seed, byte-identical run.h5 and summary.json"
        grep -q "\"engine\": \"$e\"" "$tmp/e1-$e/summary.json"; check $? "engine $e: recorded in summary.json"
        # timers and transfers still pending at the end (SimGrid's exit handlers crashed on them)
        "$bin" run "$src/scenarios/phold.yaml" -p nodes.0.count=200 -p duration=1s --engine "$e" --quiet --no-plots \
            --out "$tmp/e3-$e" 2>"$tmp/err"; rc=$?
        [ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
        check $rc "engine $e: phold ends with events pending, exit 0"
        ;;
    *) n=$((n + 1)); echo "ok $n - engine $e # SKIP not built" ;;
    esac
done
"$bin" run "$src/scenarios/phold.yaml" --engine nosuch --out "$tmp/nosuch" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -e "$tmp/nosuch" ] && grep -q "engine" "$tmp/err"; check $? "an unknown engine is a located error"

"$bin" schema > "$tmp/schema.md"
# Sensor energy, small (20 sensors on 802.15.4, 2 gateways, 22 minutes): design A seals and signs
# every reading, design B one record per 10 readings; B's sensors pay far less active energy
# (CPU + radio airtime) per reading, every record reaches the chain, and the projected battery
# lifetime stays under the idle bound 27 kJ / (9 uW + 60 uW) = 4529 days.
se="-p nodes.sensors.count=20 -p data.devices=20 -p nodes.gateways.count=2 -p data.gateways=2 -p duration=22min -p data.data_end=21min --quiet --no-plots"
"$bin" run "$src/scenarios/sensor-energy.yaml" $se --out "$tmp/seA" 2>"$tmp/err" &&
    "$bin" run "$src/scenarios/sensor-energy.yaml" $se -p data.upload_interval=10min --out "$tmp/seB" 2>>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/err"
a=$(jget "$tmp/seA/summary.json" energy.by_role.device.active_per_reading_j)
b=$(jget "$tmp/seB/summary.json" energy.by_role.device.active_per_reading_j)
echo "# sensor-energy: active J per reading A=$a B=$b; lifetime A=$(jget "$tmp/seA/summary.json" energy.by_role.device.battery_lifetime_days.min) days"
[ $rc -eq 0 ] && within 1e-9 "$b" 1 && awk -v a="$a" -v b="$b" 'BEGIN { exit !(a > 2 * b) }' &&
    [ "$(jget "$tmp/seA/summary.json" data.chain.committed)" = "$(jget "$tmp/seA/summary.json" data.records)" ] &&
    [ "$(jget "$tmp/seB/summary.json" data.chain.committed)" = "$(jget "$tmp/seB/summary.json" data.records)" ] &&
    within 1 "$(jget "$tmp/seA/summary.json" energy.by_role.device.battery_lifetime_days.max)" 4529
check $? "sensor-energy: batching cuts a sensor's active joules per reading more than twofold; every record on chain"

tail -n "$(wc -l < "$tmp/schema.md")" "$src/scenarios/README.md" | cmp -s - "$tmp/schema.md"
check $? "scenarios/README.md ends with the current schema table (regenerate: make schema-doc)"

echo "1..$n"
[ $fails -eq 0 ]
