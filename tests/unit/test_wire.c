/* tests/unit/test_wire.c: core/wire: round trip of every width, little-endian layout, a write
 * that does not fit poisons the writer, a read past the end poisons the reader and yields
 * zeros, and wire_done() wants every byte consumed. */
#include "core/wire.h"
#include "tests/harness.h"

#include <string.h>

static void t_round_trip(void)
{
    uint8_t buf[32];
    wire_w w;
    wire_w_init(&w, buf, sizeof buf);
    wire_put_u8(&w, 0xab), wire_put_u16(&w, 0x1234), wire_put_u32(&w, 0xdeadbeef);
    wire_put_u64(&w, 0x0102030405060708ull), wire_put_bytes(&w, "xyz", 3);
    CHECK(!w.bad);
    CHECK_EQ_U64(w.n, 1 + 2 + 4 + 8 + 3);
    CHECK(buf[1] == 0x34 && buf[2] == 0x12 && buf[7] == 0x08 && buf[14] == 0x01); /* little-endian */
    wire_r r;
    wire_r_init(&r, buf, w.n);
    CHECK_EQ_U64(wire_get_u8(&r), 0xab);
    CHECK_EQ_U64(wire_get_u16(&r), 0x1234);
    CHECK_EQ_U64(wire_get_u32(&r), 0xdeadbeef);
    CHECK_EQ_U64(wire_get_u64(&r), 0x0102030405060708ull);
    CHECK(!wire_done(&r)); /* three bytes left */
    const uint8_t *p = wire_get_bytes(&r, 3);
    CHECK(p && !memcmp(p, "xyz", 3));
    CHECK(wire_done(&r));
}

static void t_overflow(void)
{
    uint8_t buf[5];
    wire_w w;
    wire_w_init(&w, buf, sizeof buf);
    wire_put_u32(&w, 1);
    wire_put_u16(&w, 2); /* does not fit */
    CHECK(w.bad);
    wire_put_u8(&w, 3);  /* would fit, but the writer stays poisoned */
    CHECK(w.bad && w.n == 4);
}

static void t_overrun(void)
{
    const uint8_t b[3] = {1, 2, 3};
    wire_r r;
    wire_r_init(&r, b, sizeof b);
    CHECK_EQ_U64(wire_get_u16(&r), 0x0201);
    CHECK_EQ_U64(wire_get_u32(&r), 0); /* past the end: zero */
    CHECK(r.bad);
    CHECK_EQ_U64(wire_get_u8(&r), 0); /* poisoned: even the byte that is there */
    CHECK(wire_get_bytes(&r, 0) == NULL);
    CHECK(!wire_done(&r));
    wire_r_init(&r, b, sizeof b);
    CHECK(wire_get_bytes(&r, (size_t)-1) == NULL && r.bad); /* a huge length does not wrap */
}

TEST_MAIN(TEST(t_round_trip), TEST(t_overflow), TEST(t_overrun))
