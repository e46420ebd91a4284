# sim/world: scenario -> world -> engine -> results.
libcpsim_a_SOURCES += sim/world/world.h sim/world/world_int.h sim/world/world.c \
	sim/world/schema.c sim/world/roles.c sim/world/changes.c sim/world/energy.c sim/world/radio.c sim/world/world_proto.c sim/world/report.c \
	sim/world/report_flood.c sim/world/report_lbft.c sim/world/report_dht.c sim/world/report_data.c sim/world/report_iot.c sim/world/report_wl.c sim/world/headline.c
