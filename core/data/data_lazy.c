/* core/data/data_lazy.c: sealed bytes that the host does not keep. A camera segment's
 * plaintext is a pure function of (seed, device, segment) (data_model_segment), and so is a
 * batch of readings of the other models (data_model_reading of each sample, at the record's
 * first_reading + k * sample_interval); the sealed
 * format is nonce || XChaCha20-Poly1305 ciphertext || tag, whose ciphertext is the plaintext
 * XOR the ChaCha20 keystream of (HChaCha20(key, nonce[0..16]), nonce[16..24]) from block 1. So
 * a holder that remembers the record's nonce, tag and key regenerates any slice of any chunk
 * in O(slice), byte-identical to what the device sealed (a unit test compares them).
 * Simulated nodes still send, hash and charge every byte; only host memory is saved.
 * Invariant: data_chunk_fill(ci) is exactly the bytes hashed into the chunk's address. */
#include "core/data/data_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int data_lazy_model(const data_cfg *c)
{
    return c->model.kind == DATA_MODEL_CAMERA || c->model.kind == DATA_MODEL_VEHICLE ||
           c->model.kind == DATA_MODEL_BATTERY || c->model.kind == DATA_MODEL_GENERIC;
}

/* Bytes [off, off + len) of a batch of readings: each reading regenerated whole, the slice's
 * part of it copied (a reading cut by the slice's ends goes through a scratch buffer). */
static void readings_slice(const data *d, const data_record *rec, uint64_t off, uint8_t *out, uint64_t len)
{
    uint64_t rs = d->cfg.reading_size, ns = d->cfg.upload_interval / d->cfg.sample_interval;
    uint32_t dev = rec->owner - d->first[DATA_DEVICE];
    uint8_t small[256], *tmp = rs <= sizeof small ? small : malloc(rs);
    for (uint64_t o = off; o < off + len;) {
        uint64_t k = o / rs, in = o - k * rs, take = rs - in < off + len - o ? rs - in : off + len - o;
        uint64_t t = rec->first_reading + k * d->cfg.sample_interval;
        if (!in && take == rs) {
            data_model_reading(&d->cfg.model, d->seed, dev, rec->interval * ns + k, data_sample_s(d), t, out + (o - off),
                               (uint32_t)rs);
        } else if (tmp) {
            data_model_reading(&d->cfg.model, d->seed, dev, rec->interval * ns + k, data_sample_s(d), t, tmp, (uint32_t)rs);
            memcpy(out + (o - off), tmp + in, take);
        } else {
            memset(out + (o - off), 0, take); /* out of memory: the hash check fails, the record too */
        }
        o += take;
    }
    if (tmp != small) free(tmp);
}

void data_lazy_plain(const data *d, uint32_t r, uint64_t off, uint8_t *out, uint64_t len)
{
    const data_record *rec = &d->rec[r];
    uint64_t ns = d->cfg.upload_interval / d->cfg.sample_interval;
    if (d->cfg.model.kind != DATA_MODEL_CAMERA) {
        readings_slice(d, rec, off, out, len);
        return;
    }
    data_model_segment(&d->cfg.model, d->seed, rec->owner - d->first[DATA_DEVICE], rec->interval * ns, data_sample_s(d), rec->first_reading,
                       off, out, len);
}

/* Ciphertext bytes [po, po + len) (plaintext offsets) of lazy record r. */
static void cipher_slice(const data *d, uint32_t r, uint64_t po, uint8_t *out, uint64_t len)
{
    const rec_meta *m = &d->rm[r];
    uint8_t k2[32], n2[12] = {0}, blk[64] = {0};
    crypto_core_hchacha20(k2, m->nonce, m->key, NULL);
    memcpy(n2 + 4, m->nonce + 16, 8);
    data_lazy_plain(d, r, po, out, len);
    uint64_t skip = po % 64, b = po / 64 + 1, head = skip ? 64 - skip : 0;
    if (head > len) head = len;
    if (skip) {
        crypto_stream_chacha20_ietf_xor_ic(blk, blk, 64, n2, (uint32_t)(b++), k2);
        for (uint64_t i = 0; i < head; i++) out[i] ^= blk[skip + i];
    }
    if (len > head) crypto_stream_chacha20_ietf_xor_ic(out + head, out + head, len - head, n2, (uint32_t)b, k2);
    sodium_memzero(k2, sizeof k2);
}

void data_chunk_fill(const data *d, uint32_t ci, uint8_t *out)
{
    const chunk *ch = &d->ch[ci];
    const rec_meta *m = &d->rm[ch->record];
    if (!m->lazy) {
        memcpy(out, ch->bytes, ch->len);
        return;
    }
    uint64_t s0 = (uint64_t)(ci - m->chunk0) * d->cfg.chunk_size, s1 = s0 + ch->len;
    uint64_t pt = d->rec[ch->record].bytes, c0 = 24, c1 = 24 + pt; /* the ciphertext part */
    for (uint64_t o = s0; o < s1 && o < c0; o++) out[o - s0] = m->nonce[o];
    uint64_t a = s0 > c0 ? s0 : c0, z = s1 < c1 ? s1 : c1;
    if (a < z) cipher_slice(d, ch->record, a - c0, out + (a - s0), z - a);
    for (uint64_t o = s0 > c1 ? s0 : c1; o < s1; o++) out[o - s0] = m->tag[o - c1];
}

int data_record_prefix(const data *d, uint32_t record, const uint8_t key[32], uint8_t *pt, size_t len)
{
    if (record >= d->n_rec || len > d->rec[record].bytes || len + 24 > d->cfg.chunk_size) return -1;
    uint8_t sealed[24 + 4096], k2[32], n2[12] = {0};
    if (len > 4096) return -1;
    const rec_meta *m = &d->rm[record];
    if (m->lazy) memcpy(sealed, m->nonce, 24), cipher_slice(d, record, 0, sealed + 24, len);
    else memcpy(sealed, d->ch[m->chunk0].bytes, 24 + len);
    crypto_core_hchacha20(k2, sealed, key, NULL); /* decrypt with the caller's key */
    memcpy(n2 + 4, sealed + 16, 8);
    crypto_stream_chacha20_ietf_xor_ic(pt, sealed + 24, len, n2, 1, k2);
    sodium_memzero(k2, sizeof k2);
    return 0;
}
