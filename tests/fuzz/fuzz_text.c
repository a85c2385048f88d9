/* fuzz_text: libFuzzer target for text.h, UTF-8 repair and every escaper.
 * Whatever the bytes: every writer's output is valid UTF-8 (checked by
 * fuzz.h's own validator) and reads back to the input with each invalid
 * byte as U+FFFD: the text format and YAML through an unescaper written
 * here, JSON through cJSON, XML through libxml2; Markdown and TAP output
 * have every special character escaped and no control character; text_cut
 * and text_clip never cut inside a character and count as documented;
 * text_trim leaves no blank at either end. */
#include "fuzz.h"
#include "text.h"

#include <cjson/cJSON.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

static void add_utf8(struct buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_addc(b, (char)(0xC0 | cp >> 6));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_addc(b, (char)(0xE0 | cp >> 12));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | cp >> 18));
        buf_addc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_addc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* S with each byte that starts no valid sequence as U+FFFD; with DROP_XML
 * the characters XML 1.0 forbids left out. */
static void repair(const char *s, size_t n, bool drop_xml, struct buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = fuzz_utf8_seq(u + i, n - i, &cp);
        if (k == 0) {
            buf_add(out, TEXT_FFFD, 3);
            i++;
            continue;
        }
        bool forbidden =
            (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
        if (!(drop_xml && forbidden))
            buf_add(out, s + i, k);
        i += k;
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo the text format's (or, YAML, the double-quoted scalar's) escapes;
 * false on an escape the writer never makes or a raw control character. */
static bool unescape(const char *s, size_t n, bool yaml, struct buf *out)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = fuzz_utf8_seq(u + i, n - i, &cp);
        FUZZ_CHECK(k > 0);
        bool special = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                       cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF;
        if (special || (yaml && cp == '"'))
            return false; /* must have been escaped */
        if (cp != '\\') {
            buf_add(out, s + i, k);
            i += k;
            continue;
        }
        if (i + 1 >= n)
            return false;
        char e = s[i + 1];
        size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 0;
        if (digits) {
            if (i + 2 + digits > n)
                return false;
            uint32_t v = 0;
            for (size_t d = 0; d < digits; d++) {
                int h = hexval(s[i + 2 + d]);
                if (h < 0 || (!yaml && s[i + 2 + d] >= 'A' && s[i + 2 + d] <= 'F'))
                    return false;
                v = v << 4 | (uint32_t)h;
            }
            add_utf8(out, v);
            i += 2 + digits;
            continue;
        }
        switch (e) {
        case '\\':
            buf_addc(out, '\\');
            break;
        case 't':
            buf_addc(out, '\t');
            break;
        case 'n':
            buf_addc(out, '\n');
            break;
        case 'r':
            buf_addc(out, '\r');
            break;
        case '"':
            if (!yaml)
                return false;
            buf_addc(out, '"');
            break;
        default:
            return false;
        }
        i += 2;
    }
    return true;
}

static bool same(const struct buf *a, const char *p, size_t n)
{
    return a->len == n && fuzz_eq(a->p, p, n);
}

static void check_text(const char *s, size_t n, const struct buf *fixed)
{
    struct buf out = {0}, back = {0};
    buf_adds(&out, "keep");
    text_string(&out, s, n);
    FUZZ_CHECK(memcmp(out.p, "keep", 4) == 0); /* appends */
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    FUZZ_CHECK(unescape(out.p + 4, out.len - 4, false, &back));
    FUZZ_CHECK(same(&back, fixed->p, fixed->len));
    buf_free(&out);
    buf_free(&back);
}

static void check_yaml(const char *s, size_t n, const struct buf *fixed)
{
    struct buf out = {0}, back = {0};
    text_yaml(&out, s, n);
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    FUZZ_CHECK(out.len >= 2 && out.p[0] == '"' && out.p[out.len - 1] == '"');
    FUZZ_CHECK(unescape(out.p + 1, out.len - 2, true, &back));
    FUZZ_CHECK(same(&back, fixed->p, fixed->len));
    buf_free(&out);
    buf_free(&back);
}

static void check_json(const char *s, size_t n, const struct buf *fixed)
{
    struct buf out = {0};
    text_json_string(&out, s, n);
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    for (size_t i = 0; i < out.len; i++)
        FUZZ_CHECK((unsigned char)out.p[i] >= 0x20);
    cJSON *j = cJSON_ParseWithLength(out.p, out.len);
    FUZZ_CHECK(cJSON_IsString(j));
    /* cJSON's strings end at a NUL (\u0000): compare up to the first */
    const char *z = fixed->len ? memchr(fixed->p, 0, fixed->len) : NULL;
    size_t want = z ? (size_t)(z - fixed->p) : fixed->len;
    FUZZ_CHECK(strlen(j->valuestring) == want && fuzz_eq(j->valuestring, fixed->p, want));

    /* text_json_scalar undoes it (no \u0000 in it: those are kept as written) */
    if (!n || !memchr(s, 0, n)) {
        struct buf raw = {0};
        buf_str(&out);
        text_json_scalar(&raw, out.p);
        FUZZ_CHECK(same(&raw, fixed->p, fixed->len));
        buf_free(&raw);
    }
    cJSON_Delete(j);
    buf_free(&out);
}

static void check_xml(const char *s, size_t n, bool attr)
{
    struct buf out = {0}, want = {0};
    buf_adds(&out, attr ? "<a b=\"" : "<a>");
    size_t from = out.len;
    text_xml(&out, s, n, attr);
    FUZZ_CHECK(fuzz_utf8_valid(out.p + from, out.len - from));
    buf_adds(&out, attr ? "\"/>" : "</a>");
    repair(s, n, true, &want);
    xmlDocPtr doc = xmlReadMemory(out.p, (int)out.len, "fuzz.xml", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    FUZZ_CHECK(doc != NULL);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    FUZZ_CHECK(root != NULL);
    xmlChar *got = attr ? xmlGetProp(root, (const xmlChar *)"b") : xmlNodeGetContent(root);
    FUZZ_CHECK(got != NULL);
    FUZZ_CHECK(same(&want, (const char *)got, strlen((const char *)got)));
    xmlFree(got);
    xmlFreeDoc(doc);
    buf_free(&out);
    buf_free(&want);
}

/* Markdown or TAP: every character of SPECIALS (and only those) after a
 * backslash, no control character, the rest the repaired input. */
static void check_backslashed(const char *s, size_t n, bool md, const struct buf *fixed)
{
    const char *specials = md ? "\\`*_[]<>|~&$" : "#\\";
    struct buf out = {0}, back = {0};
    if (md)
        text_md(&out, s, n);
    else
        text_tap(&out, s, n);
    FUZZ_CHECK(fuzz_utf8_valid(out.p, out.len));
    const unsigned char *u = (const unsigned char *)out.p;
    for (size_t i = 0; i < out.len;) {
        uint32_t cp;
        size_t k = fuzz_utf8_seq(u + i, out.len - i, &cp);
        FUZZ_CHECK(!(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029));
        if (cp == '\\') {
            FUZZ_CHECK(i + 1 < out.len && strchr(specials, out.p[i + 1]));
            buf_addc(&back, out.p[i + 1]);
            i += 2;
            continue;
        }
        FUZZ_CHECK(cp == 0 || cp >= 0x80 || !strchr(specials, (int)cp));
        buf_add(&back, out.p + i, k);
        i += k;
    }
    /* the repaired input with its control characters as spaces */
    struct buf want = {0};
    const unsigned char *f = (const unsigned char *)fixed->p;
    for (size_t i = 0; i < fixed->len;) {
        uint32_t cp;
        size_t k = fuzz_utf8_seq(f + i, fixed->len - i, &cp);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029)
            buf_addc(&want, ' ');
        else
            buf_add(&want, fixed->p + i, k);
        i += k;
    }
    FUZZ_CHECK(same(&back, want.p, want.len));
    buf_free(&want);
    buf_free(&out);
    buf_free(&back);
}

/* Characters as text_cut counts them: a valid sequence or one byte. */
static size_t chars(const char *s, size_t n)
{
    size_t c = 0;
    uint32_t cp;
    for (size_t i = 0; i < n; c++) {
        size_t k = fuzz_utf8_seq((const unsigned char *)s + i, n - i, &cp);
        i += k ? k : 1;
    }
    return c;
}

/* True when OFF is not inside a valid sequence of S. */
static bool boundary(const char *s, size_t n, size_t off)
{
    uint32_t cp;
    for (size_t i = 0; i < n;) {
        if (i == off)
            return true;
        size_t k = fuzz_utf8_seq((const unsigned char *)s + i, n - i, &cp);
        i += k ? k : 1;
        if (i > off)
            return false;
    }
    return true;
}

static void check_cut(const char *s, size_t n, size_t max)
{
    size_t cut = text_cut(s, n, max);
    FUZZ_CHECK(cut <= n);
    FUZZ_CHECK(boundary(s, n, cut));
    size_t c = chars(s, cut);
    FUZZ_CHECK(c <= max);
    FUZZ_CHECK(cut == n || c == max);

    struct buf b = {0};
    buf_adds(&b, "pre");
    buf_add(&b, s, n);
    bool clipped = text_clip(&b, 3, max, "...");
    FUZZ_CHECK(clipped == (cut < n));
    FUZZ_CHECK(memcmp(b.p, "pre", 3) == 0);
    FUZZ_CHECK(b.len == 3 + cut + (clipped ? 3 : 0));
    FUZZ_CHECK(fuzz_eq(b.p + 3, s, cut));
    buf_free(&b);
}

static void check_trim(const char *s, size_t n)
{
    const char *t = s;
    size_t len = n;
    text_trim(&t, &len);
    FUZZ_CHECK(t >= s && t + len <= s + n);
    FUZZ_CHECK(len == 0 || (!text_blank(t[0]) && !text_blank(t[len - 1])));
    for (const char *p = s; p < t; p++)
        FUZZ_CHECK(text_blank(*p));
    for (const char *p = t + len; p < s + n; p++)
        FUZZ_CHECK(text_blank(*p));
}

static void check_decode(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        uint32_t a = 0, b = 0;
        size_t ka = text_utf8_decode(u + i, n - i, &a), kb = fuzz_utf8_seq(u + i, n - i, &b);
        FUZZ_CHECK(ka == kb);
        FUZZ_CHECK(ka == 0 || a == b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    struct fuzz_in in = {data, size};
    size_t max = fuzz_u8(&in);
    const char *s = (const char *)in.p;
    size_t n = in.n;
    struct buf fixed = {0};
    repair(s, n, false, &fixed);
    FUZZ_CHECK(fuzz_utf8_valid(fixed.p, fixed.len));
    check_decode(s, n);
    check_text(s, n, &fixed);
    check_yaml(s, n, &fixed);
    check_json(s, n, &fixed);
    check_xml(s, n, false);
    check_xml(s, n, true);
    check_backslashed(s, n, true, &fixed);
    check_backslashed(s, n, false, &fixed);
    check_cut(s, n, max);
    check_trim(s, n);
    buf_free(&fixed);
    return 0;
}
