/* core/phold/phold.h: the PHOLD benchmark workload as a protocol.
 *
 * Each node starts `per_node` events; an event is a small message; on receipt a node sends
 * one message to a uniformly drawn other node. The event delay is whatever the network model
 * gives (for the standard benchmark: a 1 ms link plus exponential jitter of mean 9 ms, so the
 * delay is 1 ms minimum, 10 ms mean). Counts messages handled.
 * Sans-IO (core/env.h only). Ownership: phold_new/phold_free. */
#ifndef PHOLD_H
#define PHOLD_H

#include <stdint.h>

#include "core/env.h"

typedef struct phold phold;

enum { PHOLD_MSG = 0, PHOLD_N_MSG };

phold *phold_new(uint32_t n_nodes, uint32_t per_node, uint32_t payload);
void phold_free(phold *p);
const cp_proto_ops *phold_ops(void);
uint64_t phold_handled(const phold *p);

#endif
