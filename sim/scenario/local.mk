# sim/scenario: strict YAML scenario loading (libfyaml).
libcpsim_a_SOURCES += sim/scenario/scn.h sim/scenario/scn.c sim/scenario/scn_int.h sim/scenario/units.c \
	sim/scenario/scn_md.c sim/scenario/near.c
check_PROGRAMS += tests/unit/test_scn
tests_unit_test_scn_SOURCES = tests/unit/test_scn.c
TESTS += tests/unit/test_scn
FUZZ_TARGETS += tests/fuzz/fuzz_scn
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_scn
tests_fuzz_fuzz_scn_SOURCES = tests/fuzz/fuzz_scn.c
tests_fuzz_fuzz_scn_LDFLAGS = -fsanitize=fuzzer
endif
