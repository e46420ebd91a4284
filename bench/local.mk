# bench/: benchmark commands (run through `cpsim bench NAME`) and `make bench`.
libcpsim_a_SOURCES += bench/bench.h bench/bench.c bench/bench_heap.c bench/bench_phold.c \
	bench/bench_gossip.c bench/bench_crypto.c bench/bench_consensus.c bench/bench_gate.c \
	bench/bench_engines.c bench/bench_dht.c bench/bench_data.c bench/bench_apps.c

# The standard set; results go to bench/out/ as JSON (one file per benchmark).
bench: cpsim$(EXEEXT)
	@mkdir -p bench/out
	./cpsim bench heap --json > bench/out/heap.json && cat bench/out/heap.json
	./cpsim bench phold --nodes 10000 --sim-seconds 10 --json > bench/out/phold-1e4.json && cat bench/out/phold-1e4.json
	./cpsim bench phold --nodes 100000 --sim-seconds 2 --json > bench/out/phold-1e5.json && cat bench/out/phold-1e5.json
	./cpsim bench gossip --nodes 100000 --json > bench/out/gossip-1e5.json && cat bench/out/gossip-1e5.json
	./cpsim bench crypto --json > bench/out/crypto.json && cat bench/out/crypto.json
	./cpsim bench consensus --json --plot bench/out > bench/out/consensus.json && cat bench/out/consensus.json
	./cpsim bench dht --nodes 100000 --lookups 100000 --json > bench/out/dht-1e5.json && cat bench/out/dht-1e5.json
	./cpsim bench dht --nodes 1000000 --lookups 1000000 --json > bench/out/dht-1e6.json && cat bench/out/dht-1e6.json
	./cpsim bench dht --nodes 1000000 --lookups 0 --records 100000 --gets 1000000 --json > bench/out/dht-1e6-get.json && cat bench/out/dht-1e6-get.json
	./cpsim bench dht --nodes 1000000 --lookups 1000000 --eviction cache --json > bench/out/dht-1e6-cache.json && cat bench/out/dht-1e6-cache.json
	./cpsim bench data --max-devices 10000 --json > bench/out/data.json && cat bench/out/data.json
	./cpsim bench apps $(srcdir)/scenarios/traffic-video.yaml $(srcdir)/scenarios/insurance.yaml $(srcdir)/bench/scenarios/ev-maintenance-100k.yaml \
		$(srcdir)/bench/scenarios/ev-charging-large.yaml $(srcdir)/bench/scenarios/parking-large.yaml \
		$(srcdir)/bench/scenarios/logistics-large.yaml $(srcdir)/bench/scenarios/traffic-conditions-1m.yaml \
		--json > bench/out/apps.json && cat bench/out/apps.json
	./cpsim bench all --json > bench/out/all.json && ./cpsim bench compare $(srcdir)/bench/baseline.json bench/out/all.json --threshold 10
EXTRA_DIST += bench/baseline.json bench/scenarios
