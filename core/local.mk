# core/: sans-IO protocol code shared by every engine.
libcpsim_a_SOURCES += core/env.h core/rng.c core/wire.h core/wire.c core/vec.h core/vec.c
libcpsim_a_SOURCES += core/flood/flood.h core/flood/flood.c core/phold/phold.h core/phold/phold.c \
	core/lbft/lbft.h core/lbft/lbft_int.h core/lbft/lbft.c core/lbft/lbft_msg.c core/lbft/lbft_elect.c \
	core/lbft/lbft_rec.c core/lbft/lbft_load.c core/lbft/lbft_fault.c core/lbft/lbft_civ.c core/lbft/lbft_lg.h core/lbft/lbft_lg.c core/dpor/dpor.h core/dpor/dpor.c core/graph/graph.h core/graph/graph.c
check_PROGRAMS += tests/unit/test_flood
tests_unit_test_flood_SOURCES = tests/unit/test_flood.c
TESTS += tests/unit/test_flood
check_PROGRAMS += tests/unit/test_lbft
tests_unit_test_lbft_SOURCES = tests/unit/test_lbft.c
TESTS += tests/unit/test_lbft
check_PROGRAMS += tests/unit/test_lbft_crash tests/unit/test_lbft_rules
tests_unit_test_lbft_rules_SOURCES = tests/unit/test_lbft_rules.c
TESTS += tests/unit/test_lbft_rules
tests_unit_test_lbft_crash_SOURCES = tests/unit/test_lbft_crash.c
TESTS += tests/unit/test_lbft_crash
check_PROGRAMS += tests/unit/test_dpor
tests_unit_test_dpor_SOURCES = tests/unit/test_dpor.c
TESTS += tests/unit/test_dpor
# The checker's fork search, with the real quorum and with the test-only broken one.
check_PROGRAMS += tests/unit/test_lbft_fork tests/unit/test_lbft_broken
tests_unit_test_lbft_fork_SOURCES = tests/unit/test_lbft_fork.c
tests_unit_test_lbft_broken_SOURCES = tests/unit/test_lbft_fork.c core/lbft/lbft.c
tests_unit_test_lbft_broken_CPPFLAGS = $(AM_CPPFLAGS) -DLBFT_BROKEN_QUORUM
TESTS += tests/unit/test_lbft_fork tests/unit/test_lbft_broken
libcpsim_a_SOURCES += core/dht/dht.h core/dht/dht_int.h core/dht/dht.c core/dht/dht_node.c \
	core/dht/dht_rt.c core/dht/dht_net.c core/dht/dht_lookup.c core/dht/dht_wire.c \
	core/dht/dht_client.c
check_PROGRAMS += tests/unit/test_dht
tests_unit_test_dht_SOURCES = tests/unit/test_dht.c
TESTS += tests/unit/test_dht
FUZZ_TARGETS += tests/fuzz/fuzz_dht
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_dht
tests_fuzz_fuzz_dht_SOURCES = tests/fuzz/fuzz_dht.c
tests_fuzz_fuzz_dht_LDFLAGS = -fsanitize=fuzzer
endif
libcpsim_a_SOURCES += core/data/data.h core/data/data_int.h core/data/data.c core/data/data_wire.c \
	core/data/data_up.c core/data/data_trade.c core/data/data_agg.c core/data/data_model.c core/data/data_model.h \
	core/data/data_lazy.c
FUZZ_TARGETS += tests/fuzz/fuzz_data
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_data
tests_fuzz_fuzz_data_SOURCES = tests/fuzz/fuzz_data.c
tests_fuzz_fuzz_data_LDFLAGS = -fsanitize=fuzzer
endif
check_PROGRAMS += tests/unit/test_data
tests_unit_test_data_SOURCES = tests/unit/test_data.c
TESTS += tests/unit/test_data
# core/stk: several protocols on one world's nodes.
libcpsim_a_SOURCES += core/stk/stk.h core/stk/stk.c
check_PROGRAMS += tests/unit/test_stk tests/unit/test_wire tests/unit/test_vec
tests_unit_test_vec_SOURCES = tests/unit/test_vec.c
TESTS += tests/unit/test_vec
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c
TESTS += tests/unit/test_wire
tests_unit_test_stk_SOURCES = tests/unit/test_stk.c
TESTS += tests/unit/test_stk
libcpsim_a_SOURCES += core/iot/iot.h core/iot/iot_int.h core/iot/iot.c core/iot/iot_wire.c core/iot/iot_model.c \
	core/iot/iot_ev.c core/iot/iot_travel.c core/iot/iot_park.c core/iot/iot_log.c
check_PROGRAMS += tests/unit/test_iot
tests_unit_test_iot_SOURCES = tests/unit/test_iot.c
TESTS += tests/unit/test_iot
check_PROGRAMS += tests/unit/test_iot_travel
tests_unit_test_iot_travel_SOURCES = tests/unit/test_iot_travel.c
TESTS += tests/unit/test_iot_travel
