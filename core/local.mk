# core/: sans-IO protocol code shared by every engine.
libcpsim_a_SOURCES += core/env.h core/rng.c
