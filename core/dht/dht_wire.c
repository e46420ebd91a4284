/* core/dht/dht_wire.c: the DHT wire codec (contract in dht.h). Little-endian integers; a fixed
 * header (type+1, reserved 0, request id u64, sender index u32, sender id) then a body whose
 * length is fully determined by the type and its count/length field, so the decoder accepts
 * exactly one length per header and rejects everything else. */
#include <string.h>

#include "core/dht/dht.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

static int has_key(uint8_t t)
{
    return t == DHT_FIND_NODE || t == DHT_FIND_VALUE || t == DHT_VALUE || t == DHT_STORE;
}

static size_t body_len(const dht_msg *m)
{
    size_t b = has_key(m->type) ? DHT_ID_BYTES : 0;
    if (m->type == DHT_NODES) b += 1 + (size_t)m->n_contacts * DHT_CONTACT_BYTES;
    if (m->type == DHT_VALUE) b += 2 + m->vlen;
    if (m->type == DHT_STORE) b += 4 + 2 + m->vlen;
    return b;
}

static int valid(const dht_msg *m)
{
    if (m->type >= DHT_N_MSG) return 0;
    if (m->type == DHT_NODES && m->n_contacts > DHT_MAX_CONTACTS) return 0;
    if ((m->type == DHT_VALUE || m->type == DHT_STORE) && (m->vlen < 1 || m->vlen > DHT_MAX_VALUE))
        return 0;
    return 1;
}

size_t dht_encoded_len(const dht_msg *m) { return valid(m) ? DHT_HDR_BYTES + body_len(m) : 0; }

static uint8_t *enc_body(uint8_t *p, const dht_msg *m)
{
    if (has_key(m->type)) {
        memcpy(p, m->key, DHT_ID_BYTES);
        p += DHT_ID_BYTES;
    }
    if (m->type == DHT_STORE) {
        put32(p, m->ttl_s);
        p += 4;
    }
    if (m->type == DHT_NODES) {
        *p++ = (uint8_t)m->n_contacts;
        memcpy(p, m->contacts, (size_t)m->n_contacts * DHT_CONTACT_BYTES);
        p += (size_t)m->n_contacts * DHT_CONTACT_BYTES;
    }
    if (m->type == DHT_VALUE || m->type == DHT_STORE) {
        p[0] = (uint8_t)m->vlen;
        p[1] = (uint8_t)(m->vlen >> 8);
        memcpy(p + 2, m->value, m->vlen);
        p += 2 + m->vlen;
    }
    return p;
}

size_t dht_encode(uint8_t *buf, size_t cap, const dht_msg *m)
{
    size_t len = dht_encoded_len(m);
    if (!len || len > cap) return 0;
    buf[0] = (uint8_t)(m->type + 1);
    buf[1] = 0;
    put64(buf + 2, m->rid);
    put32(buf + 10, m->from);
    memcpy(buf + 14, m->from_id, DHT_ID_BYTES);
    enc_body(buf + DHT_HDR_BYTES, m);
    return len;
}

/* Parse the variable part after the header; 0 or -1. */
static int dec_body(const uint8_t *p, size_t left, dht_msg *m)
{
    if (has_key(m->type)) {
        if (left < DHT_ID_BYTES) return -1;
        m->key = p;
        p += DHT_ID_BYTES;
        left -= DHT_ID_BYTES;
    }
    if (m->type == DHT_STORE) {
        if (left < 4) return -1;
        m->ttl_s = get32(p);
        p += 4;
        left -= 4;
    }
    if (m->type == DHT_NODES) {
        if (left < 1 || p[0] > DHT_MAX_CONTACTS) return -1;
        m->n_contacts = p[0];
        m->contacts = p + 1;
        size_t need = 1 + (size_t)m->n_contacts * DHT_CONTACT_BYTES;
        return left == need ? 0 : -1;
    }
    if (m->type == DHT_VALUE || m->type == DHT_STORE) {
        if (left < 2) return -1;
        m->vlen = (uint32_t)p[0] | (uint32_t)p[1] << 8;
        m->value = p + 2;
        if (m->vlen < 1 || m->vlen > DHT_MAX_VALUE) return -1;
        return left == 2 + (size_t)m->vlen ? 0 : -1;
    }
    return left == 0 ? 0 : -1;
}

int dht_decode(const uint8_t *buf, size_t len, dht_msg *m)
{
    memset(m, 0, sizeof *m);
    if (len < DHT_HDR_BYTES || buf[0] < 1 || buf[0] > DHT_N_MSG || buf[1] != 0) return DHT_EMALFORMED;
    m->type = (uint8_t)(buf[0] - 1);
    m->rid = get64(buf + 2);
    m->from = get32(buf + 10);
    m->from_id = buf + 14;
    if (dec_body(buf + DHT_HDR_BYTES, len - DHT_HDR_BYTES, m)) return DHT_EMALFORMED;
    return DHT_OK;
}
