# tests/: unit tests (tests/unit/test_<module>.c, one per module, registered here or in the
# module's own local.mk), scenario tests and determinism checks.
noinst_HEADERS += tests/harness.h tests/world_run.h tests/iot_doubles.h

check_PROGRAMS += tests/unit/test_rng
tests_unit_test_rng_SOURCES = tests/unit/test_rng.c
TESTS += tests/unit/test_rng

# Scenario-level tests of the cpsim command.
SH_LOG_COMPILER = $(SHELL)
TESTS += tests/test_cli.sh
EXTRA_DIST += tests/test_cli.sh
EXTRA_DIST += tests/scenarios

check_PROGRAMS += tests/unit/test_results
tests_unit_test_results_SOURCES = tests/unit/test_results.c
TESTS += tests/unit/test_results

# libFuzzer targets (configure --enable-fuzz with CC=clang; tools/fuzz.sh builds and runs them).
FUZZ_TARGETS += tests/fuzz/fuzz_flood tests/fuzz/fuzz_lbft
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_flood tests/fuzz/fuzz_lbft
tests_fuzz_fuzz_flood_SOURCES = tests/fuzz/fuzz_flood.c
tests_fuzz_fuzz_flood_LDFLAGS = -fsanitize=fuzzer
tests_fuzz_fuzz_lbft_SOURCES = tests/fuzz/fuzz_lbft.c
tests_fuzz_fuzz_lbft_LDFLAGS = -fsanitize=fuzzer
endif
.PHONY: fuzz-targets
fuzz-targets: $(FUZZ_TARGETS)
# Cross-validation of each engine backend against the built-in engine (skips when not built).
check_PROGRAMS += tests/unit/test_engine_simgrid tests/unit/test_engine_ns3 tests/unit/test_engine_ns3_light
tests_unit_test_engine_simgrid_SOURCES = tests/unit/test_engines.c
tests_unit_test_engine_simgrid_CPPFLAGS = $(AM_CPPFLAGS) -DENGINE_NAME='"simgrid"'
tests_unit_test_engine_ns3_SOURCES = tests/unit/test_engines.c
tests_unit_test_engine_ns3_CPPFLAGS = $(AM_CPPFLAGS) -DENGINE_NAME='"ns3"'
tests_unit_test_engine_ns3_light_SOURCES = tests/unit/test_engines.c
tests_unit_test_engine_ns3_light_CPPFLAGS = $(AM_CPPFLAGS) -DENGINE_NAME='"ns3-light"'
TESTS += tests/unit/test_engine_simgrid tests/unit/test_engine_ns3 tests/unit/test_engine_ns3_light

check_PROGRAMS += tests/unit/test_energy
tests_unit_test_energy_SOURCES = tests/unit/test_energy.c
TESTS += tests/unit/test_energy

check_PROGRAMS += tests/unit/test_radio
tests_unit_test_radio_SOURCES = tests/unit/test_radio.c
TESTS += tests/unit/test_radio
