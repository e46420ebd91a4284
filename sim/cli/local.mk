# sim/cli: the cpsim command.
bin_PROGRAMS += cpsim
cpsim_SOURCES = sim/cli/main.c sim/cli/sweep.h sim/cli/sweep_int.h sim/cli/sweep.c sim/cli/tune.c \
	sim/cli/swarm.h sim/cli/swarm.c
# Defined in both branches: a variable defined only inside an automake conditional is empty
# in the other branch (the program would then link without libcpsim.a). OpenMPI comes before
# the engine libraries: libsimgrid also exports MPI_Init (SMPI), and the first library that
# defines a symbol wins.
if HAVE_MPI
cpsim_CFLAGS = $(AM_CFLAGS) $(MPI_CFLAGS)
cpsim_LDADD = libcpsim.a $(MPI_LIBS) $(LDADD)
else
cpsim_CFLAGS = $(AM_CFLAGS)
cpsim_LDADD = $(LDADD)
endif
dist_man1_MANS += doc/cpsim.1

# Regenerate the key table at the end of scenarios/README.md from the schema.
.PHONY: schema-doc
schema-doc: cpsim$(EXEEXT)
	sed '/^| key | type | default | range | meaning |$$/,$$d' $(srcdir)/scenarios/README.md > scenarios-README.tmp
	./cpsim schema >> scenarios-README.tmp
	mv scenarios-README.tmp $(srcdir)/scenarios/README.md
