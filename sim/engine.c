/* sim/engine.c: the registry of engine backends compiled into this binary (contract in
 * engine.h). Which ones exist is decided by configure (--with-simgrid, --with-ns3). */
#include "config.h"

#include "sim/engine.h"

#include <string.h>

#ifdef HAVE_SIMGRID
extern const eng_backend sg_backend;
#endif
#ifdef HAVE_NS3
extern const eng_backend ns3_backend, ns3_light_backend;
#endif

static const eng_backend *const backends[] = {
#ifdef HAVE_SIMGRID
    &sg_backend,
#endif
#ifdef HAVE_NS3
    &ns3_backend,
    &ns3_light_backend,
#endif
    NULL,
};

const eng_backend *eng_find(const char *name, int *found)
{
    *found = strcmp(name, "des") == 0;
    if (*found) return NULL;
    for (size_t i = 0; backends[i]; i++)
        if (strcmp(backends[i]->name, name) == 0 && backends[i]->version == ENG_VERSION) {
            *found = 1;
            return backends[i];
        }
    return NULL;
}

const char *eng_names(void)
{
    return "des"
#ifdef HAVE_SIMGRID
           " simgrid"
#endif
#ifdef HAVE_NS3
           " ns3 ns3-light"
#endif
        ;
}
