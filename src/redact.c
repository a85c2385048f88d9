/* redact: the run's secret strings, and a line of text with them and the
 * secret headers' values (headers_secret) as "***". */
#include "redact.h"
#include "headers.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

struct redact {
    char **secrets; /* longest first, so that a longer one is masked whole */
    size_t nsecrets;
    char **names; /* the --header-for headers' names */
    size_t nnames;
};

static void redact_push(char ***arr, size_t *n, const char *s, size_t len)
{
    *arr = log_realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = log_strndup(s, len);
}

static void redact_secret(struct redact *r, const char *s, size_t len)
{
    if (len >= REDACT_MIN)
        redact_push(&r->secrets, &r->nsecrets, s, len);
}

/* USER:PASS: the whole, the password and the Basic token of both. */
static void redact_credentials(struct redact *r, const char *up)
{
    if (!up)
        return;
    size_t n = strlen(up);
    const char *colon = strchr(up, ':');
    redact_secret(r, up, n);
    if (colon)
        redact_secret(r, colon + 1, n - (size_t)(colon + 1 - up));
    unsigned char *b64 = log_malloc(4 * ((n + 2) / 3) + 1);
    int len = EVP_EncodeBlock(b64, (const unsigned char *)up, (int)n);
    redact_secret(r, (const char *)b64, (size_t)len);
    free(b64);
}

/* A header "Name: value": its value (without the blanks around it). */
static void redact_header_value(struct redact *r, const char *h)
{
    const char *colon = strchr(h, ':');
    if (!colon)
        return;
    const char *v = colon + 1;
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    redact_secret(r, v, n);
    const char *sp = memchr(v, ' ', n); /* "Bearer TOKEN", "Basic TOKEN": the token too */
    if (sp)
        redact_secret(r, sp + 1, n - (size_t)(sp + 1 - v));
}

static int redact_longer(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

struct redact *redact_new(const struct config *cfg)
{
    struct redact *r = log_calloc(1, sizeof *r);
    redact_credentials(r, cfg->user);
    redact_credentials(r, cfg->proxy_user);
    if (cfg->oauth2_bearer)
        redact_secret(r, cfg->oauth2_bearer, strlen(cfg->oauth2_bearer));
    if (cfg->cert_password)
        redact_secret(r, cfg->cert_password, strlen(cfg->cert_password));
    for (size_t i = 0; i < cfg->nheader_for; i++) {
        const char *h = strchr(cfg->header_for[i], '=') + 1;
        redact_header_value(r, h);
        redact_push(&r->names, &r->nnames, h, strcspn(h, ":;"));
    }
    for (size_t i = 0; i < cfg->nheaders; i++) {
        const char *h = cfg->headers[i];
        if (headers_secret(h, strcspn(h, ":;")))
            redact_header_value(r, h);
    }
    if (r->nsecrets)
        qsort(r->secrets, r->nsecrets, sizeof *r->secrets, redact_longer);
    return r;
}

void redact_free(struct redact *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nsecrets; i++)
        free(r->secrets[i]);
    for (size_t i = 0; i < r->nnames; i++)
        free(r->names[i]);
    free(r->secrets);
    free(r->names);
    free(r);
}

static bool redact_name(const struct redact *r, const char *name, size_t len)
{
    if (headers_secret(name, len))
        return true;
    for (size_t i = 0; r && i < r->nnames; i++)
        if (strlen(r->names[i]) == len && !strncasecmp(r->names[i], name, len))
            return true;
    return false;
}

/* Find NEEDLE in S (LEN bytes) from FROM on: its offset, or LEN. */
static size_t redact_find(const char *s, size_t len, size_t from, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = from; i + n <= len; i++)
        if (!memcmp(s + i, needle, n))
            return i;
    return len;
}

/* The span of a secret that libcurl writes into its notes, [*a, *b): the
 * value in 'Added cookie n="v" for domain', the user in 'auth using Basic
 * with user 'u''. */
static bool redact_note(const char *s, size_t len, size_t *a, size_t *b)
{
    size_t c = redact_find(s, len, 0, "cookie ");
    if (c < len && (c == redact_find(s, len, 0, "Added cookie ") + 6 ||
                    c == redact_find(s, len, 0, "Replaced cookie ") + 9)) {
        size_t q = redact_find(s, len, c, "=\"");
        size_t e = redact_find(s, len, q, "\" for domain ");
        if (q < len && e < len) {
            *a = q + 2;
            *b = e;
            return true;
        }
    }
    size_t u = redact_find(s, len, 0, " auth using ");
    size_t w = u < len ? redact_find(s, len, u, " with user '") : len;
    if (w < len && len > w + 12 && s[len - 1] == '\'') {
        *a = w + 12;
        *b = len - 1;
        return true;
    }
    return false;
}

/* Append S (LEN bytes) with every secret string masked. */
static void redact_secrets(const struct redact *r, const char *s, size_t len, struct buf *dst)
{
    size_t i = 0, run = 0;
    while (i < len) {
        size_t hit = 0;
        for (size_t k = 0; r && k < r->nsecrets && !hit; k++) {
            size_t n = strlen(r->secrets[k]);
            if (n <= len - i && s[i] == r->secrets[k][0] && !memcmp(s + i, r->secrets[k], n))
                hit = n;
        }
        if (!hit) {
            i++;
            run++;
            continue;
        }
        buf_add(dst, s + i - run, run);
        buf_add(dst, "***", 3);
        run = 0;
        i += hit;
    }
    buf_add(dst, s + i - run, run);
}

void redact_line(const struct redact *r, const char *line, size_t len, struct buf *dst)
{
    size_t name = 0;
    while (name < len && line[name] != ':' && (unsigned char)line[name] > 0x20 &&
           (unsigned char)line[name] < 0x7f)
        name++;
    if (name > 0 && name < len && line[name] == ':' && redact_name(r, line, name)) {
        buf_add(dst, line, name);
        buf_add(dst, ": ***", 5);
        return;
    }
    size_t a, b;
    if (redact_note(line, len, &a, &b)) {
        redact_secrets(r, line, a, dst);
        buf_add(dst, "***", 3);
        redact_secrets(r, line + b, len - b, dst);
        return;
    }
    redact_secrets(r, line, len, dst);
}
