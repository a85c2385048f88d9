/* fuzz_url: libFuzzer target for URL preparation and redaction (url.h).
 * Input: one byte of options, then the line. A line url_prepare takes is
 * http(s), and whatever password libcurl's own parse finds in it (the one
 * it would send) is, in libcurl's parse of url_redact's output, "***"
 * (and the output is stable under a second redaction), url_redact_prepared
 * agrees, and url_name_part never holds it; url_clip of any line
 * keeps at most 256 characters (and "...") and no password even a lenient
 * parse (any scheme) finds; url_split's spans lie inside
 * the URL; url_host is lower case, without userinfo, and fits its buffer. */
#include "fuzz.h"
#include "text.h"
#include "url.h"

#include <curl/curl.h>
#include <strings.h>

/* Characters as text_cut counts them. */
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

/* libcurl's parse of URL: its password (caller frees), NULL when none;
 * false when it does not parse. */
static bool password_of(const char *url, char **password)
{
    static CURLU *h;
    if (!h)
        h = curl_url();
    *password = NULL;
    curl_url_set(h, CURLUPART_URL, NULL, 0); /* else a relative URL resolves against the last */
    if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
        return false;
    if (curl_url_get(h, CURLUPART_PASSWORD, password, 0) != CURLUE_OK)
        *password = NULL;
    return true;
}

/* The password of LINE by libcurl's most lenient parse (any scheme, none
 * guessed as http), at least 3 bytes and without a '*'; NULL otherwise. */
static char *lenient_password(const char *line)
{
    static CURLU *h;
    if (!h)
        h = curl_url();
    char *pw = NULL;
    curl_url_set(h, CURLUPART_URL, NULL, 0); /* else a relative URL resolves against the last */
    if (curl_url_set(h, CURLUPART_URL, line, CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(h, CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK)
        return NULL;
    if (strlen(pw) < 3 || strchr(pw, '*')) { /* (a '*' could be the mask's own) */
        curl_free(pw);
        return NULL;
    }
    return pw;
}

/* URL redacted: libcurl reads "***" as its password (or none, when it had
 * none), and a second redaction changes nothing. */
static void check_redacted(const char *url, bool had)
{
    struct buf r = {0}, rr = {0};
    buf_adds(&r, "pre");
    url_redact(url, &r);
    FUZZ_CHECK(memcmp(r.p, "pre", 3) == 0);
    char *pw;
    /* (libcurl's own normal form need not parse again: it decodes "%7f" in
     * a host to a raw DEL) */
    if (password_of(url, &pw)) {
        curl_free(pw);
        FUZZ_CHECK(password_of(r.p + 3, &pw));
        FUZZ_CHECK(had ? pw && !strcmp(pw, "***") : !pw || !strcmp(pw, "***"));
        curl_free(pw);
    }
    url_redact(r.p + 3, &rr);
    FUZZ_CHECK(rr.len == r.len - 3 && fuzz_eq(rr.p, r.p + 3, rr.len));
    buf_free(&r);
    buf_free(&rr);
}

static void check_parts(const char *url, size_t len)
{
    struct url_parts u;
    if (url_split(url, len, &u)) {
        FUZZ_CHECK(u.host_len > 0);
        FUZZ_CHECK(u.host >= url && u.host + u.host_len <= url + len);
        FUZZ_CHECK(u.scheme == url && u.scheme_len <= len);
        FUZZ_CHECK(!u.port_len || (u.port >= url && u.port + u.port_len <= url + len));
        FUZZ_CHECK(!memchr(u.host, '@', u.host_len) && !memchr(u.host, '/', u.host_len));
    }
    char out[64];
    size_t n = url_host(url, out, sizeof out);
    FUZZ_CHECK(n < sizeof out && strlen(out) <= n);
    if (n && url_split(url, len, &u) && !memchr(u.host, '\0', u.host_len)) {
        /* the host lower-cased (the port is as written), cut to the buffer */
        size_t at = u.ipv6;
        FUZZ_CHECK(!u.ipv6 || out[0] == '[');
        for (size_t i = 0; i < u.host_len && at + i < n; i++) {
            char c = u.host[i];
            FUZZ_CHECK(out[at + i] == (c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > URL_MAX_LINE + 16)
        return 0;
    static struct url_checker *c;
    if (!c)
        c = url_checker_new();
    struct fuzz_in in = {data, size};
    const char *proto = fuzz_u8(&in) & 1 ? "https" : "http";
    char *line = fuzz_dup(in.p, in.n);
    size_t len = in.n;

    struct buf dst = {0};
    const char *why = url_prepare(c, line, len, proto, &dst);
    if (!why) {
        const char *url = buf_str(&dst);
        FUZZ_CHECK(!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8));
        FUZZ_CHECK(url_is_https(url) == !strncasecmp(url, "https://", 8));
        FUZZ_CHECK(strlen(url) == dst.len);
        char *password = NULL;
        CURLU *h = url_checker_handle(c);
        if (curl_url_get(h, CURLUPART_PASSWORD, &password, 0) != CURLUE_OK)
            password = NULL;
        check_redacted(url, password != NULL);
        /* the record's own redaction, from the prepared parse */
        struct buf shown = {0}, name = {0};
        bool red = url_redact_prepared(c, url, &shown);
        FUZZ_CHECK(red == (password != NULL) && red == (shown.len > 0));
        if (red) {
            char *pw;
            FUZZ_CHECK(password_of(buf_str(&shown), &pw) && pw && !strcmp(pw, "***"));
            curl_free(pw);
        }
        /* an --output-dir name: never the password (unless libcurl's host,
         * port and path, as the name joins them, hold the same text: it
         * writes "18" as "0.0.0.18", and "t0:0.1:@1:18" has the password
         * "0.1:" in "0.0.0.1:18") */
        url_name_part(c, &name);
        if (password && strlen(password) >= 3 && strstr(buf_str(&name), password)) {
            const CURLUPart parts[] = {CURLUPART_HOST, CURLUPART_PORT, CURLUPART_PATH};
            const char *joins[] = {":", "", ""};
            struct buf joined = {0};
            for (size_t i = 0; i < 3; i++) {
                char *part = NULL;
                if (curl_url_get(h, parts[i], &part, 0) == CURLUE_OK && part)
                    buf_adds(&joined, part);
                buf_adds(&joined, joins[i]);
                curl_free(part);
            }
            FUZZ_CHECK(strstr(buf_str(&joined), password) != NULL);
            buf_free(&joined);
        }
        buf_free(&shown);
        buf_free(&name);
        /* libcurl's effective URL is its own normalized form: redacted too */
        char *norm = NULL;
        if (curl_url_get(h, CURLUPART_URL, &norm, 0) == CURLUE_OK) {
            check_redacted(norm, password != NULL);
            check_parts(norm, strlen(norm));
            curl_free(norm);
        }
        curl_free(password);
        check_parts(url, dst.len);
    } else {
        FUZZ_CHECK(*why != '\0');
    }
    check_parts(line, strlen(line));

    /* a refused line is scrubbed: a password any scheme would carry (a
     * lenient parse: ftp, no scheme) is not in its record */
    bool cut = in.n && (data[0] & 2);
    struct buf clip = {0};
    url_clip(line, len, cut, &clip);
    FUZZ_CHECK(chars(clip.p, clip.len) <= 256 + 3);
    /* (refused lines are the clipped ones; a '{' line is a broken spec, whose
     * "name": colons are JSON's, not a password's: fuzz_spec checks specs) */
    char *pw = why && line[0] != '{' ? lenient_password(line) : NULL;
    if (pw && fuzz_count(line, len, pw, strlen(pw)) == 1)
        FUZZ_CHECK(!strstr(buf_str(&clip), pw));
    curl_free(pw);
    buf_free(&clip);
    buf_free(&dst);
    free(line);
    return 0;
}
