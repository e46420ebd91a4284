/* sim/scenario/scn_int.h: internals shared by the files of sim/scenario. */
#ifndef SCN_INT_H
#define SCN_INT_H

#include <libfyaml.h>
#include <stddef.h>

#include "sim/scenario/scn.h"

/* Source position of a node (NULL if unknown), see scn_md.c. */
const struct fy_mark *scn_node_mark(struct fy_node *n);

/* A value of a unit type in the unit a person would write ("60s", "10Mbps", "512 B"). */
void scn_format_quantity(scn_type t, double v, char *buf, size_t len);

#endif
