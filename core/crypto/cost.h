/* core/crypto/cost.h: the virtual-CPU cost of each crypto operation, per device class.
 *
 * A table holds the cost of every operation on the reference server core (ns; defaults are
 * the measured figures of the project's crypto reference notes, run 1, on a 2-core EPYC VM)
 * and optional per-class overrides. The cost charged to a node is its class's override if
 * set, else reference * env->cpu_factor (the scenario's device class: sensor, vehicle,
 * gateway, server, or the scenario's own). Costs inside a run come only from this table,
 * never from timing the run; `cpsim calibrate` (bench/bench_crypto.c) measures this host once and
 * writes a table file ("class op nanoseconds" lines; class "server" = reference).
 * Ownership: cost_table_new/free. Must not touch: sim/. */
#ifndef COST_H
#define COST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/env.h"

typedef enum cost_op {
    COST_SIGN, COST_VERIFY, COST_HASH_KIB, COST_AEAD_KIB,
    COST_PRE_ENCAP, COST_PRE_DECAP, COST_PRE_KFRAG, COST_PRE_KFRAG_VERIFY, COST_PRE_REENC,
    COST_PRE_CFRAG_VERIFY, COST_PRE_DECRYPT_BASE, COST_PRE_DECRYPT_PER_FRAG,
    COST_HE_ENC, COST_HE_ADD, COST_HE_PARTIAL, COST_HE_PARTIAL_VERIFY, COST_HE_COMBINE_PER_SHARE,
    COST_HE_DLOG_STEP, COST_PAI_ENC, COST_PAI_ADD, COST_PAI_DEC,
    COST_EC_MUL, COST_EC_MUL_BASE, COST_DH, /* ristretto255 s*P and s*G; an X25519 shared key */
    COST_N_OPS
} cost_op;

#define COST_MAX_CLASSES 64

typedef struct cost_table cost_table;

cost_table *cost_table_new(void); /* filled with the defaults */
void cost_table_free(cost_table *t);
const char *cost_op_name(cost_op op);
cp_time cost_reference(const cost_table *t, cost_op op);
void cost_set_reference(cost_table *t, cost_op op, cp_time ns);
/* Override op for class index cls (0..COST_MAX_CLASSES-1); ns = 0 removes the override. */
void cost_set_class(cost_table *t, unsigned cls, cost_op op, cp_time ns);
/* The cost of `units` of op for a node of class cls with CPU factor f. */
cp_time cost_of(const cost_table *t, cost_op op, unsigned cls, double f, double units);
/* Charge the running node (env) for `units` of op. */
void cost_charge(cp_env *env, const cost_table *t, cost_op op, double units);

/* Text form: lines "CLASS OP NANOSECONDS", '#' comments; CLASS "server" sets the reference,
 * other class names are resolved by names[] (index = class index). Strict: unknown op or class,
 * bad number, or trailing text is an error "FILE:LINE: ..." in err. */
int cost_table_load(cost_table *t, const char *path, const char *const *class_names, size_t n_classes,
                    char *err, size_t errlen);
int cost_table_save(const cost_table *t, FILE *f);

#endif
