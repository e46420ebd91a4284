# sim/ns3: the libns3 shim, engine backends "ns3" and "ns3-light" (built when configure finds ns-3).
if HAVE_NS3
libcpsim_a_SOURCES += sim/ns3/ns3.cpp
endif
