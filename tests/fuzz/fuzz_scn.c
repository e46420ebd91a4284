/* libFuzzer target for the scenario loader: any bytes, loaded against the real scenario
 * schema (sim/world), must give success or one located error, never a crash or a leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/world/world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wld_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    char err[1024];
    if (scn_load_string("fuzz.yaml", (const char *)data, size, &wld_schema, &cfg, NULL, 0, err, sizeof err) == 0)
        scn_free(&wld_schema, &cfg);
    else if (strncmp(err, "fuzz.yaml:", 10) != 0)
        abort();
    return 0;
}
