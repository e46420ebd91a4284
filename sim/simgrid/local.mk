# sim/simgrid: the SimGrid engine backend (built when configure finds SimGrid).
if HAVE_SIMGRID
libcpsim_a_SOURCES += sim/simgrid/sg.cpp
endif
