# sim/des: the built-in discrete-event engine.
libcpsim_a_SOURCES += sim/des/des.h sim/des/des.c sim/des/evq.h sim/des/evl.h sim/engine.h sim/engine.c
check_PROGRAMS += tests/unit/test_des tests/unit/test_evq tests/unit/test_evl
tests_unit_test_des_SOURCES = tests/unit/test_des.c
tests_unit_test_evq_SOURCES = tests/unit/test_evq.c
tests_unit_test_evl_SOURCES = tests/unit/test_evl.c
TESTS += tests/unit/test_des tests/unit/test_evq tests/unit/test_evl
