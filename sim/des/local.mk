# sim/des: the built-in discrete-event engine.
libcpsim_a_SOURCES += sim/des/des.h sim/des/des.c sim/des/evq.h sim/engine.h sim/engine.c
check_PROGRAMS += tests/unit/test_des tests/unit/test_evq
tests_unit_test_des_SOURCES = tests/unit/test_des.c
tests_unit_test_evq_SOURCES = tests/unit/test_evq.c
TESTS += tests/unit/test_des tests/unit/test_evq
