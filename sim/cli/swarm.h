/* sim/cli/swarm.h: `cpsim swarm FILE --runs N [--first-seed S] [-j N] [--out DIR] [--unsafe]
 * [-p key=value]...`, a random fault campaign over an LBFT scenario (see swarm.c).
 *
 * Contract: run k uses seed S + k, and its fault mix is a pure function of that seed and the
 * scenario (same arguments, same DIR/swarm.json byte for byte). Without --unsafe at most
 * f = (n-1)/3 validators are faulty, so a correct protocol shows no violation. Exit codes: 0 no
 * run had a violation; 3 some run had one (its seed and a `cpsim run` command that reproduces it
 * are printed); 1 a run failed (or DIR could not be written); 2 bad usage or a bad scenario. */
#ifndef SWARM_H
#define SWARM_H

int swm_main(int argc, char **argv);

#endif
