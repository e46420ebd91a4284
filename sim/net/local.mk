# sim/net: the network model of the built-in engine.
libcpsim_a_SOURCES += sim/net/net.h sim/net/net.c sim/net/net_regions.c
check_PROGRAMS += tests/unit/test_net
tests_unit_test_net_SOURCES = tests/unit/test_net.c
TESTS += tests/unit/test_net
