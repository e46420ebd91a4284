# sim/workload: IoT applications on the data platform (subscription, consumers' analyses).
libcpsim_a_SOURCES += sim/workload/wl.h sim/workload/wl.c sim/workload/wl_ev.c sim/workload/wl_traffic.c \
	sim/workload/wl_video.c sim/workload/wl_insure.c
check_PROGRAMS += tests/unit/test_wl
tests_unit_test_wl_SOURCES = tests/unit/test_wl.c
TESTS += tests/unit/test_wl
