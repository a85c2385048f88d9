/* test_deny: the --deny-private policy: every refused class, IPv4 carried in
 * IPv6, the public addresses it lets through, the --allow-address
 * exceptions and their syntax. */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "deny.h"

/* What D says of the address TEXT; *EMB whether it was IPv4 in IPv6. */
static const char *check(const struct deny *d, const char *text, bool *emb)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        len = sizeof *in;
    } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        len = sizeof *in6;
    } else {
        fail_msg("bad test address %s", text);
        return NULL;
    }
    return deny_check(d, (const struct sockaddr *)&ss, len, emb);
}

/* TEXT must be refused as WANT (NULL: allowed). */
static void expect(const struct deny *d, const char *text, const char *want)
{
    bool emb;
    const char *got = check(d, text, &emb);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
        fail_msg("%s: %s, not %s", text, got ? got : "allowed", want ? want : "allowed");
}

static void test_classes(void **state)
{
    (void)state;
    struct buf err = {0};
    struct deny *d = deny_new(NULL, 0, &err);
    assert_non_null(d);
    /* the addresses of the issue */
    expect(d, "127.0.0.1", "loopback");
    expect(d, "127.255.0.7", "loopback");
    expect(d, "::1", "loopback");
    expect(d, "10.0.0.1", "private");
    expect(d, "172.16.0.1", "private");
    expect(d, "172.31.255.255", "private");
    expect(d, "192.168.1.1", "private");
    expect(d, "169.254.169.254", "cloud metadata");
    expect(d, "100.100.100.200", "cloud metadata");
    expect(d, "fd00:ec2::254", "cloud metadata");
    expect(d, "169.254.1.1", "link-local");
    expect(d, "fe80::1", "link-local");
    expect(d, "fd00::1", "unique-local");
    expect(d, "fc00::1", "unique-local");
    expect(d, "100.64.0.1", "shared");
    expect(d, "100.127.255.255", "shared");
    expect(d, "224.0.0.1", "multicast");
    expect(d, "239.255.255.250", "multicast");
    expect(d, "ff02::1", "multicast");
    expect(d, "0.0.0.0", "reserved");
    expect(d, "240.0.0.1", "reserved");
    expect(d, "255.255.255.255", "reserved");
    expect(d, "192.0.2.1", "reserved");
    expect(d, "198.18.0.1", "reserved");
    expect(d, "::", "reserved");
    expect(d, "2001:db8::1", "reserved");
    expect(d, "100::1", "reserved");
    expect(d, "fec0::1", "reserved");
    /* public */
    expect(d, "8.8.8.8", NULL);
    expect(d, "1.1.1.1", NULL);
    expect(d, "172.32.0.1", NULL);
    expect(d, "100.128.0.1", NULL);
    expect(d, "169.255.0.1", NULL);
    expect(d, "2606:4700::1111", NULL);
    deny_free(d);
    buf_free(&err);
}

static void test_embedded(void **state)
{
    (void)state;
    struct buf err = {0};
    struct deny *d = deny_new(NULL, 0, &err);
    bool emb = false;
    /* IPv4-mapped, NAT64, 6to4, IPv4-compatible: judged as the IPv4 */
    assert_string_equal(check(d, "::ffff:127.0.0.1", &emb), "loopback");
    assert_true(emb);
    assert_string_equal(check(d, "::ffff:169.254.169.254", &emb), "cloud metadata");
    assert_string_equal(check(d, "64:ff9b::10.0.0.1", &emb), "private");
    assert_true(emb);
    assert_string_equal(check(d, "2002:a9fe:a9fe::1", &emb),
                        "cloud metadata"); /* 169.254.169.254 */
    assert_string_equal(check(d, "2002:7f00:1::", &emb), "loopback");
    assert_string_equal(check(d, "::10.0.0.1", &emb), "private");
    /* and a public IPv4 inside is public */
    assert_null(check(d, "::ffff:8.8.8.8", &emb));
    assert_true(emb);
    assert_null(check(d, "64:ff9b::8.8.8.8", &emb));
    assert_null(check(d, "2002:808:808::1", &emb));
    assert_null(check(d, "2606:4700::1111", &emb));
    assert_false(emb);
    deny_free(d);
    buf_free(&err);
}

static void test_allow(void **state)
{
    (void)state;
    struct buf err = {0};
    char a0[] = "127.0.0.2/32", a1[] = "10.1.0.0/16", a2[] = "[fd12::]/16", a3[] = "192.168.7.7";
    char *allow[] = {a0, a1, a2, a3};
    struct deny *d = deny_new(allow, 4, &err);
    assert_non_null(d);
    expect(d, "127.0.0.2", NULL);
    expect(d, "127.0.0.1", "loopback");
    expect(d, "10.1.200.3", NULL);
    expect(d, "10.2.0.1", "private");
    expect(d, "fd12:3::1", NULL);
    expect(d, "fd13::1", "unique-local");
    expect(d, "192.168.7.7", NULL);
    expect(d, "192.168.7.8", "private");
    /* an IPv4 exception covers that IPv4 in IPv6 too */
    expect(d, "::ffff:127.0.0.2", NULL);
    expect(d, "::ffff:127.0.0.3", "loopback");
    deny_free(d);

    static const char *const bad[] = {"",          "10.0.0.0/33", "fd00::/129", "10.0.0/8", "x",
                                      "10.0.0.0/", "10.0.0.0/a",  "::1/1000",   "[10.0.0.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *one[] = {(char *)(uintptr_t)bad[i]};
        buf_clear(&err);
        assert_null(deny_new(one, 1, &err));
        assert_non_null(strstr(buf_str(&err), "--allow-address"));
    }
    buf_free(&err);
}

static void test_addr_text(void **state)
{
    (void)state;
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "fd00::1", &in6.sin6_addr);
    struct buf b = {0};
    deny_addr_text((const struct sockaddr *)&in6, sizeof in6, &b);
    assert_string_equal(buf_str(&b), "fd00::1");
    buf_free(&b);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_classes),
    cmocka_unit_test(test_embedded),
    cmocka_unit_test(test_allow),
    cmocka_unit_test(test_addr_text),
};

UNIT_MAIN("deny", tests)
