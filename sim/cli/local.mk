# sim/cli: the cpsim command.
bin_PROGRAMS += cpsim
cpsim_SOURCES = sim/cli/main.c
dist_man1_MANS += doc/cpsim.1
