/* url: input line → fetchable URL, and password redaction for output. */
#define _GNU_SOURCE /* memmem */

#include "url.h"
#include "log.h"
#include "text.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct url_checker {
    CURLU *h;
    unsigned flags; /* for curl_url_set() */
};

void url_checker_path_as_is(struct url_checker *c, bool on)
{
    c->flags = on ? CURLU_PATH_AS_IS : 0;
}

struct url_checker *url_checker_new(void)
{
    struct url_checker *c = log_calloc(1, sizeof *c);
    c->h = curl_url();
    if (!c->h)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return c;
}

void *url_checker_handle(struct url_checker *c)
{
    return c->h;
}

void url_checker_free(struct url_checker *c)
{
    if (!c)
        return;
    curl_url_cleanup(c->h);
    free(c);
}

/* The "://" that ends a scheme in S (LEN bytes): the first one, if it comes
 * before any '/', '?' or '#' (a "://" in a path or query is not one). */
static const char *url_find_sep(const char *s, size_t len)
{
    for (size_t i = 0; i + 3 <= len; i++) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return s + i;
        if (s[i] == '/' || s[i] == '?' || s[i] == '#')
            return NULL;
    }
    return NULL;
}

/* Length of the scheme at S if S starts with "scheme://", else 0. */
static size_t url_scheme_len(const char *s, size_t len)
{
    const char *sep = url_find_sep(s, len);
    if (!sep || sep == s)
        return 0;
    for (const char *p = s; p < sep; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  (p > s && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok)
            return 0;
    }
    return (size_t)(sep - s);
}

const char *url_compose(const char *line, size_t len, const char *proto_default, struct buf *dst)
{
    buf_clear(dst);
    if (len > URL_MAX_LINE)
        return "line longer than 64 KiB";
    if (memchr(line, '\0', len))
        return "NUL byte in URL";
    size_t slen = url_scheme_len(line, len);
    if (slen == 0) {
        if (url_find_sep(line, len))
            return "malformed scheme";
        buf_adds(dst, proto_default);
        buf_add(dst, "://", 3);
        slen = strlen(proto_default);
    }
    buf_add(dst, line, len);
    if (!((slen == 4 && !strncasecmp(dst->p, "http", 4)) ||
          (slen == 5 && !strncasecmp(dst->p, "https", 5))))
        return "unsupported scheme (only http and https are fetched)";
    return NULL;
}

const char *url_prepare(struct url_checker *c, const char *line, size_t len,
                        const char *proto_default, struct buf *dst)
{
    const char *why = url_compose(line, len, proto_default, dst);
    if (why)
        return why;
    CURLUcode rc = curl_url_set(c->h, CURLUPART_URL, dst->p, c->flags);
    if (rc != CURLUE_OK)
        return curl_url_strerror(rc);
    return NULL;
}

bool url_is_https(const char *url)
{
    return strncasecmp(url, "https://", 8) == 0;
}

/* ---- redaction ------------------------------------------------------------ */

/* Append URL (LEN bytes, the text libcurl parsed into H) with the password
 * libcurl found in it written as "***"; false (nothing appended) when H has
 * no password. The password is replaced where it is written (libcurl keeps
 * userinfo as given); should it not be found there, libcurl's own rendering
 * of the URL is written instead, with "***" as its password. */
static bool url_redact_handle(CURLU *h, const char *url, size_t len, struct buf *dst)
{
    char *pw = NULL, *user = NULL;
    if (curl_url_get(h, CURLUPART_PASSWORD, &pw, 0) != CURLUE_OK || !pw) {
        curl_free(pw);
        return false;
    }
    if (curl_url_get(h, CURLUPART_USER, &user, 0) != CURLUE_OK) {
        curl_free(user);
        user = NULL;
    }
    struct buf needle = {0}; /* "user:password@" as written */
    buf_adds(&needle, user ? user : "");
    buf_addc(&needle, ':');
    size_t at_pw = needle.len;
    buf_adds(&needle, pw);
    buf_addc(&needle, '@');
    const char *hit = memmem(url, len, needle.p, needle.len);
    if (hit) {
        size_t start = (size_t)(hit - url) + at_pw;
        buf_add(dst, url, start);
        buf_add(dst, "***", 3);
        size_t rest = (size_t)(hit - url) + needle.len - 1; /* the '@' */
        buf_add(dst, url + rest, len - rest);
    } else {
        CURLU *copy = curl_url_dup(h);
        char *shown = NULL;
        if (!copy || curl_url_set(copy, CURLUPART_PASSWORD, "***", 0) != CURLUE_OK ||
            curl_url_get(copy, CURLUPART_URL, &shown, 0) != CURLUE_OK || !shown)
            log_die(LOG_EXIT_INTERNAL, "out of memory");
        buf_adds(dst, shown);
        curl_free(shown);
        curl_url_cleanup(copy);
    }
    buf_free(&needle);
    curl_free(user);
    curl_free(pw);
    return true;
}

bool url_redact_prepared(struct url_checker *c, const char *url, struct buf *dst)
{
    return url_redact_handle(c->h, url, strlen(url), dst);
}

/* Is S[I] (a ':') a scheme's, as in "http://" or JSON's "http:\/\/": the
 * text before it back to the start or a '"' a scheme name, "//" after it? */
static bool url_scheme_colon(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j > 0 && s[j - 1] != '"')
        j--;
    if (j == i || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
        return false;
    for (size_t k = j; k < i; k++) {
        char c = s[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return false;
    }
    const char *rest = s + i + 1;
    size_t n = len - i - 1;
    return (n >= 2 && !memcmp(rest, "//", 2)) || (n >= 4 && !memcmp(rest, "\\/\\/", 4));
}

/* Append [S, S+LEN) with whatever may be a password replaced by "***", for
 * text libcurl did not parse (a refused line): from the first ':' that is
 * neither a scheme's nor, in a line that starts with '{' (a spec), a JSON
 * name's (right after a '"') to the last '@'
 * (to the end when CUT: the text was cut, and a password may run past it).
 * Errs towards hiding: an unencoded '/' or a NUL in a password, a "//"
 * without a scheme, several URLs on a line. */
static void url_scrub(const char *s, size_t len, bool cut, struct buf *dst)
{
    size_t at = len;
    for (size_t i = len; i > 0; i--)
        if (s[i - 1] == '@') {
            at = i - 1;
            break;
        }
    size_t colon = len;
    bool json = len > 0 && s[0] == '{'; /* a request spec: its "name": colons are JSON's */
    if (at < len || cut)
        for (size_t i = 0; i < at; i++)
            if (s[i] == ':' && !(json && i > 0 && s[i - 1] == '"') &&
                !url_scheme_colon(s, len, i)) {
                colon = i;
                break;
            }
    if (colon == len) {
        buf_add(dst, s, len);
        return;
    }
    buf_add(dst, s, colon + 1);
    buf_add(dst, "***", 3);
    buf_add(dst, s + at, len - at);
}

void url_redact(const char *url, struct buf *dst)
{
    size_t len = strlen(url);
    CURLU *h = curl_url();
    if (!h)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    if (curl_url_set(h, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        url_scrub(url, len, false, dst); /* not a URL to libcurl: hide what looks like one */
    else if (!url_redact_handle(h, url, len, dst))
        buf_add(dst, url, len);
    curl_url_cleanup(h);
}

void url_clip(const char *line, size_t len, bool cut, struct buf *dst)
{
    size_t before = dst->len;
    url_scrub(line, len, cut, dst);
    /* keep 256 characters, counted as output shows them */
    text_clip(dst, before, 256, "...");
}

void url_name_part(struct url_checker *c, struct buf *dst)
{
    static const CURLUPart parts[] = {CURLUPART_HOST, CURLUPART_PORT, CURLUPART_PATH};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        char *v = NULL;
        if (curl_url_get(c->h, parts[i], &v, 0) == CURLUE_OK && v) {
            if (parts[i] == CURLUPART_PORT)
                buf_addc(dst, ':');
            buf_adds(dst, v);
        }
        curl_free(v);
    }
}

/* Is PORT (N bytes) the default port of SCHEME (SLEN bytes)? */
static bool url_default_port(const char *scheme, size_t slen, const char *port, size_t n)
{
    if (slen == 4 && strncasecmp(scheme, "http", 4) == 0)
        return n == 2 && memcmp(port, "80", 2) == 0;
    if (slen == 5 && strncasecmp(scheme, "https", 5) == 0)
        return n == 3 && memcmp(port, "443", 3) == 0;
    return false;
}

void url_authority(const struct url_parts *u, const char *scheme, size_t slen, struct buf *dst)
{
    buf_reserve(dst, u->host_len + u->port_len + 3);
    if (u->ipv6)
        buf_addc(dst, '[');
    for (size_t i = 0; i < u->host_len; i++) {
        char c = u->host[i];
        buf_addc(dst, c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c);
    }
    if (u->ipv6)
        buf_addc(dst, ']');
    if (u->port_len && !url_default_port(scheme, slen, u->port, u->port_len)) {
        buf_addc(dst, ':');
        buf_add(dst, u->port, u->port_len);
    }
}

void url_origin(const struct url_parts *u, const char *proto_default, struct buf *dst)
{
    const char *scheme = u->scheme_len ? u->scheme : proto_default;
    size_t slen = u->scheme_len ? u->scheme_len : strlen(proto_default);
    for (size_t i = 0; i < slen; i++)
        buf_addc(dst, scheme[i] >= 'A' && scheme[i] <= 'Z' ? (char)(scheme[i] | 0x20) : scheme[i]);
    buf_add(dst, "://", 3);
    url_authority(u, scheme, slen, dst);
}

size_t url_host(const char *url, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    out[0] = '\0';
    struct url_parts u;
    if (!url || !url_split(url, strlen(url), &u) || !u.scheme_len)
        return 0;
    struct buf b = {0};
    url_authority(&u, u.scheme, u.scheme_len, &b);
    size_t n = b.len < cap - 1 ? b.len : cap - 1;
    memcpy(out, b.p, n);
    out[n] = '\0';
    buf_free(&b);
    return n;
}

bool url_split(const char *url, size_t len, struct url_parts *out)
{
    memset(out, 0, sizeof *out);
    size_t slen = url_scheme_len(url, len);
    const char *auth = slen ? url + slen + 3 : url;
    const char *end = url + len;
    out->scheme = url;
    out->scheme_len = slen;
    const char *aend = auth;
    while (aend < end && *aend != '/' && *aend != '?' && *aend != '#')
        aend++;
    for (const char *p = aend; p > auth; p--) /* userinfo ends at the last '@' */
        if (p[-1] == '@') {
            auth = p;
            break;
        }
    const char *h = auth, *hend;
    if (h < aend && *h == '[') {
        const char *rb = memchr(h, ']', (size_t)(aend - h));
        if (!rb)
            return false;
        out->ipv6 = true;
        h++;
        hend = rb;
        auth = rb + 1;
    } else {
        hend = memchr(h, ':', (size_t)(aend - h));
        if (!hend)
            hend = aend;
        auth = hend;
    }
    out->host = h;
    out->host_len = (size_t)(hend - h);
    if (auth < aend && *auth == ':') {
        out->port = auth + 1;
        out->port_len = (size_t)(aend - auth - 1);
    }
    return out->host_len > 0;
}
