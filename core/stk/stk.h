/* core/stk/stk.h: a protocol stack (prefix stk_): several sans-IO protocols ("layers") share
 * the nodes of one world, as one cp_proto to the engine. Example: LBFT keeps the ledger, a
 * Kademlia DHT runs on the storage nodes and the data platform uses both on the same nodes.
 *
 * Each layer sees the world through its own wrapping cp_env, so it keeps its own numbering:
 *  - message types: layer i's type t is the engine's type base_i + t (the stack's type names
 *    are "<layer>:<name>"); a layer takes a message's kind from its bytes (env.h), never from
 *    cp_msg.type, so a message may be forwarded as it is;
 *  - timer tags: layer i's tag t (below 2^60, env.h) is the engine's tag i << 60 | t;
 *  - metrics: layer i's metric m is the engine's metric mbase_i + m ("<layer>:<name>").
 * Clock, virtual CPU, RNG stream, node id and device class are the node's, shared by all of
 * its layers: a node is one machine running several programs on one CPU.
 *
 * Dispatch: start, restart and finish run every layer in the order they were added (a layer
 * without restart gets start again); a message goes to the layer that owns its type, a timer
 * to the layer in its tag's top bits. Layers ignore the nodes outside their roles themselves.
 *
 * Calls between layers: a layer holding another layer's handle may call it directly from its
 * own handler (e.g. the data platform asks the DHT for the closest nodes of a chunk, or submits
 * a transaction to LBFT); the callee must act with its own env: stk_env(env, layer) returns it
 * for the same node and call, from any layer's env. A callback from the callee back to the
 * caller converts the same way. The envs returned stay valid until the handler returns.
 *
 * Limits: at most STK_MAX_LAYERS layers, at most 65535 message types in total.
 * Ownership: stk_new/stk_free; the layers' instances stay owned by the caller and must outlive
 * the stack. Single-threaded. Must not touch: anything outside core/. */
#ifndef STK_H
#define STK_H

#include <stdint.h>

#include "core/env.h"

#define STK_MAX_LAYERS 8
#define STK_TAG_SHIFT 60

typedef struct stk stk;

stk *stk_new(void);
void stk_free(stk *s);
/* Adds a layer; returns its index (0, 1, ...) or -1 (full, type or metric space exhausted,
 * or ops already sealed by stk_ops). */
int stk_add(stk *s, const cp_proto_ops *ops, void *self);
/* The stack as one protocol (name "a+b+c"); no layer can be added afterwards. NULL if empty. */
const cp_proto_ops *stk_ops(stk *s);
uint32_t stk_layers(const stk *s);
/* The engine's type of layer i's type t (for tests and reports). */
uint16_t stk_type(const stk *s, uint32_t layer, uint16_t t);

/* The env layer `layer` acts with, for the node and call that `env` (any layer's env of this
 * stack, inside a handler) belongs to. NULL if env is not a stack env or layer is out of range. */
cp_env *stk_env(cp_env *env, uint32_t layer);

#endif
