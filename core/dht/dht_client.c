/* core/dht/dht_client.c: the client API (contract in dht.h) through which protocols stacked
 * on the same world use the DHT: checks a call (a client is set, the node is an online
 * member, a value's length is in range) and hands an accepted operation to dht_lookup.c,
 * which calls the client back exactly once from inside a DHT handler. */
#include "core/dht/dht_int.h"

void dht_set_client(dht *d, dht_done_fn fn, void *ctx)
{
    d->client = fn;
    d->client_ctx = ctx;
}

static int check_caller(const dht *d, const cp_env *env)
{
    if (!d->client) return DHT_ENOCLIENT;
    if (!dht_is_member(d, env->self)) return DHT_ENOTMEMBER;
    if (!dht_ndc(d, env->self)->online) return DHT_EOFFLINE;
    return DHT_OK;
}

int dht_find(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], uint64_t cookie)
{
    int rc = check_caller(d, env);
    return rc ? rc : dht_lk_client_start(d, env, LK_CFIND, key, NULL, 0, cookie);
}

int dht_put(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], const void *v, uint32_t len, uint64_t cookie)
{
    int rc = check_caller(d, env);
    if (!rc && (!v || len < 1 || len > DHT_MAX_VALUE)) rc = DHT_EBADLEN;
    return rc ? rc : dht_lk_client_start(d, env, LK_CPUT, key, v, len, cookie);
}

int dht_get(dht *d, cp_env *env, const uint8_t key[DHT_ID_BYTES], uint64_t cookie)
{
    int rc = check_caller(d, env);
    return rc ? rc : dht_lk_client_start(d, env, LK_CGET, key, NULL, 0, cookie);
}

const char *dht_strerror(int err)
{
    switch (err) {
    case DHT_OK: return "ok";
    case DHT_EMALFORMED: return "malformed message";
    case DHT_ENOTMEMBER: return "node is not a member of the DHT";
    case DHT_EOFFLINE: return "node is offline";
    case DHT_EBADLEN: return "value length out of range (1..DHT_MAX_VALUE)";
    case DHT_ENOCLIENT: return "no client callback set (dht_set_client)";
    case DHT_ENOMEM: return "out of memory";
    default: return "unknown DHT error";
    }
}
