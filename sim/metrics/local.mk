# sim/metrics: results writers (HDF5, JSON, gnuplot) and summary statistics.
libcpsim_a_SOURCES += sim/metrics/h5w.h sim/metrics/h5w.c sim/metrics/js.h sim/metrics/js.c \
	sim/metrics/plot.h sim/metrics/plot.c sim/metrics/st.h sim/metrics/st.c
check_PROGRAMS += tests/unit/test_metrics
tests_unit_test_metrics_SOURCES = tests/unit/test_metrics.c
TESTS += tests/unit/test_metrics
