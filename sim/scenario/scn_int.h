/* sim/scenario/scn_int.h: internals shared by the files of sim/scenario. */
#ifndef SCN_INT_H
#define SCN_INT_H

#include <libfyaml.h>

/* Source position of a node (NULL if unknown), see scn_md.c. */
const struct fy_mark *scn_node_mark(struct fy_node *n);

#endif
