/* fuzz_headers: libFuzzer target for the response-header path (headers.h):
 * the input is a transfer's header lines (split after each '\n', as
 * libcurl's header callback hands them over). A model written here from
 * headers.h's contract (a status line starts over, a blank line ends the
 * block, a line starting with a blank continues the last value, "Name:
 * value") must agree with headers_get for every name and index, and with
 * headers_json, read back with cJSON: one key per name (any case) in
 * order of first appearance, the values joined with ", ", the secret
 * headers' values "***"; the JSON is valid UTF-8. The same struct is fed
 * twice (reset between) so the kept index memory is reused. */
#include "fuzz.h"
#include "headers.h"

#include <cjson/cJSON.h>
#include <strings.h>

struct model_entry {
    char *name, *value;
    size_t nlen, vlen;
};

struct model {
    struct model_entry *e;
    size_t n;
    bool block;
};

static void model_clear(struct model *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->e[i].name);
        free(m->e[i].value);
    }
    m->n = 0;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static void model_feed(struct model *m, const char *line, size_t len, size_t cap)
{
    if (len >= 5 && !memcmp(line, "HTTP/", 5)) {
        model_clear(m);
        m->block = true;
        return;
    }
    if (!m->block)
        return;
    size_t n = len;
    while (n && blank(line[n - 1]))
        n--;
    if (!n) {
        m->block = false;
        return;
    }
    if ((line[0] == ' ' || line[0] == '\t') && m->n) {
        size_t k = 0; /* keep one blank of the fold */
        while (k + 1 < n && (line[k + 1] == ' ' || line[k + 1] == '\t'))
            k++;
        struct model_entry *e = &m->e[m->n - 1];
        e->value = realloc(e->value, e->vlen + (n - k) + 1);
        FUZZ_CHECK(e->value != NULL);
        memcpy(e->value + e->vlen, line + k, n - k);
        e->vlen += n - k;
        e->value[e->vlen] = '\0';
        return;
    }
    while (n && (line[0] == ' ' || line[0] == '\t'))
        line++, n--;
    const char *colon = memchr(line, ':', n);
    if (!colon || colon == line)
        return;
    const char *v = colon + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    FUZZ_CHECK(m->n < cap);
    m->e[m->n++] =
        (struct model_entry){fuzz_dup(line, (size_t)(colon - line)), fuzz_dup(v, (size_t)(end - v)),
                             (size_t)(colon - line), (size_t)(end - v)};
}

static bool same_name(const struct model_entry *a, const struct model_entry *b)
{
    return a->nlen == b->nlen && !strncasecmp(a->name, b->name, a->nlen);
}

static bool secret(const char *name)
{
    return !strcasecmp(name, "authorization") || !strcasecmp(name, "proxy-authorization") ||
           !strcasecmp(name, "cookie") || !strcasecmp(name, "set-cookie");
}

static void check(struct headers *h, const struct model *m)
{
    bool nul = false; /* a NUL in a name: cJSON and C strings cannot say it */
    for (size_t i = 0; i < m->n; i++)
        nul |= strlen(m->e[i].name) != m->e[i].nlen;

    struct buf json = {0};
    headers_json(h, &json);
    FUZZ_CHECK(fuzz_utf8_valid(json.p, json.len));
    cJSON *root = cJSON_ParseWithLength(json.p, json.len);
    FUZZ_CHECK(cJSON_IsObject(root));
    const cJSON *item = root->child;
    struct buf joined = {0};
    for (size_t i = 0; i < m->n; i++) {
        const struct model_entry *first = &m->e[i];
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = same_name(&m->e[j], first);
        if (seen)
            continue;
        /* every value of this name, in order, through headers_get */
        buf_clear(&joined);
        size_t k = 0;
        for (size_t j = i; j < m->n; j++) {
            if (!same_name(&m->e[j], first))
                continue;
            if (!nul) {
                const char *got = headers_get(h, first->name, k);
                FUZZ_CHECK(got != NULL);
                FUZZ_CHECK(strlen(got) <= m->e[j].vlen);
                FUZZ_CHECK(fuzz_eq(got, m->e[j].value, strlen(got)));
                /* a NUL inside a value ends the C string */
                FUZZ_CHECK(strlen(got) == m->e[j].vlen || got[strlen(got)] == '\0');
            }
            if (k++)
                buf_add(&joined, ", ", 2);
            buf_add(&joined, m->e[j].value, m->e[j].vlen);
        }
        if (!nul)
            FUZZ_CHECK(headers_get(h, first->name, k) == NULL);
        if (nul)
            continue;
        FUZZ_CHECK(item != NULL);
        FUZZ_CHECK(cJSON_IsString(item));
        FUZZ_CHECK(fuzz_utf8_valid(first->name, first->nlen) ? !strcmp(item->string, first->name)
                                                             : true);
        if (secret(first->name)) {
            FUZZ_CHECK(!strcmp(item->valuestring, "***"));
        } else if (fuzz_utf8_valid(joined.p, joined.len) && !memchr(joined.p, 0, joined.len)) {
            FUZZ_CHECK(strlen(item->valuestring) == joined.len);
            FUZZ_CHECK(fuzz_eq(item->valuestring, joined.p, joined.len));
        }
        item = item->next;
    }
    if (!nul) {
        FUZZ_CHECK(item == NULL); /* no key beyond the model's names */
        FUZZ_CHECK(headers_get(h, "x-not-sent-by-the-fuzzer", 0) == NULL);
    }
    cJSON_Delete(root);
    buf_free(&joined);
    buf_free(&json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap = 1;
    for (size_t i = 0; i < size; i++)
        cap += data[i] == '\n';
    struct model m = {calloc(cap, sizeof *m.e), 0, false};
    FUZZ_CHECK(m.e != NULL);
    struct headers h;
    headers_init(&h);
    for (int round = 0; round < 2; round++) {
        const char *p = (const char *)data, *end = p + size;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            /* an exact-size copy: ASan sees a read past the line */
            char *line = fuzz_dup(p, len);
            headers_feed(&h, line, len);
            model_feed(&m, line, len, cap);
            free(line);
            p += len;
        }
        check(&h, &m);
        headers_reset(&h);
        model_clear(&m);
        m.block = false;
    }
    headers_free(&h);
    free(m.e);
    return 0;
}
