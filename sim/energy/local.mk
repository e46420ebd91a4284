# sim/energy: the device energy model (joules from CPU busy time and radio airtime).
libcpsim_a_SOURCES += sim/energy/nrg.h sim/energy/nrg.c
check_PROGRAMS += tests/unit/test_nrg
tests_unit_test_nrg_SOURCES = tests/unit/test_nrg.c
TESTS += tests/unit/test_nrg
