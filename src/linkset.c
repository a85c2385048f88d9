/* linkset: resolving and normalising link URLs with libcurl's CURLU, local
 * file targets of relative links, and the set of distinct links with the
 * places they were found (a strmap from key to entry). */
#include "linkset.h"
#include "log.h"
#include "strmap.h"

#include <curl/curl.h>

#include <stdlib.h>
#include <string.h>

/* Blanks and non-ASCII bytes are accepted and percent-encoded, as a
 * browser does with an href. */
#define LINKSET_CURLU_FLAGS (CURLU_ALLOW_SPACE | CURLU_URLENCODE)

struct linkset {
    CURLU *base, *url;
    struct strmap *index; /* key → entry index */
    struct linkset_entry *entries;
    size_t n, cap;
    struct strmap *file_ids; /* name → id */
    const char **files;      /* id → name, borrowed from file_ids */
    size_t nfiles, files_cap;
    uint32_t last_file;
    struct buf tmp;
};

static CURLU *linkset_curlu(void)
{
    CURLU *h = curl_url();
    if (!h)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    return h;
}

struct linkset *linkset_new(void)
{
    struct linkset *s = log_calloc(1, sizeof *s);
    s->base = linkset_curlu();
    s->url = linkset_curlu();
    s->index = strmap_new();
    s->file_ids = strmap_new();
    s->last_file = UINT32_MAX;
    return s;
}

void linkset_free(struct linkset *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->entries[i].nsources; j++)
            free(s->entries[i].sources[j].fragment);
        free(s->entries[i].sources);
    }
    free(s->entries);
    strmap_free(s->index);
    free(s->files);
    strmap_free(s->file_ids);
    curl_url_cleanup(s->base);
    curl_url_cleanup(s->url);
    buf_free(&s->tmp);
    free(s);
}

static bool linkset_http(CURLU *h)
{
    char *scheme = NULL;
    if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        return false;
    bool ok = strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0;
    curl_free(scheme);
    return ok;
}

/* Append the URL held by H to OUT (without the default port). */
static bool linkset_get_url(CURLU *h, struct buf *out)
{
    char *u = NULL;
    if (curl_url_get(h, CURLUPART_URL, &u, CURLU_NO_DEFAULT_PORT) != CURLUE_OK)
        return false;
    buf_adds(out, u);
    curl_free(u);
    return true;
}

/* Set H to URL, which must be absolute: a handle holding a URL would
 * resolve a relative one against it. */
static CURLUcode linkset_set_absolute(CURLU *h, const char *url)
{
    curl_url_set(h, CURLUPART_URL, NULL, 0);
    return curl_url_set(h, CURLUPART_URL, url, LINKSET_CURLU_FLAGS);
}

const char *linkset_resolve(struct linkset *s, const char *base, const char *ref, struct buf *out)
{
    buf_clear(out);
    if (linkset_set_absolute(s->base, base) != CURLUE_OK || !linkset_http(s->base))
        return "the base is not an absolute http(s) URL";
    curl_url_set(s->base, CURLUPART_FRAGMENT, NULL, 0);
    /* The fragment is kept apart: libcurl 7.88 resolves "#f" against
     * "/dir/page" as "/dir/#f", and rewrites blanks in it. */
    const char *hash = strchr(ref, '#');
    size_t plen = hash ? (size_t)(hash - ref) : strlen(ref);
    if (plen > 0) {
        buf_clear(&s->tmp);
        buf_add(&s->tmp, ref, plen);
        if (curl_url_set(s->base, CURLUPART_URL, buf_str(&s->tmp), LINKSET_CURLU_FLAGS) !=
            CURLUE_OK)
            return "not a valid URL";
    }
    if (!linkset_get_url(s->base, out))
        return "not a valid URL";
    if (hash)
        buf_adds(out, hash);
    return NULL;
}

static int linkset_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void linkset_unescape(const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            int hi = linkset_hex(s[i + 1]), lo = linkset_hex(s[i + 2]);
            if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                buf_addc(out, (char)(hi << 4 | lo));
                i += 2;
                continue;
            }
        }
        buf_addc(out, s[i]);
    }
}

const char *linkset_normalize(struct linkset *s, const char *url, struct buf *out,
                              struct buf *fragment, bool *has_fragment)
{
    buf_clear(out);
    if (fragment)
        buf_clear(fragment);
    const char *hash = strchr(url, '#');
    if (has_fragment)
        *has_fragment = hash != NULL;
    buf_clear(&s->tmp);
    buf_add(&s->tmp, url, hash ? (size_t)(hash - url) : strlen(url));
    if (linkset_set_absolute(s->url, buf_str(&s->tmp)) != CURLUE_OK)
        return "not a valid URL";
    if (!linkset_http(s->url))
        return "not an http(s) URL";
    char *host = NULL;
    if (curl_url_get(s->url, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        for (char *p = host; *p; p++) {
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + ('a' - 'A'));
        }
        CURLUcode rc = curl_url_set(s->url, CURLUPART_HOST, host, 0);
        curl_free(host);
        if (rc != CURLUE_OK)
            return "not a valid URL";
    }
    if (!linkset_get_url(s->url, out))
        return "not a valid URL";
    if (hash && fragment)
        linkset_unescape(hash + 1, strlen(hash + 1), fragment);
    return NULL;
}

/* Append the path P (LEN bytes) to OUT, which holds a directory ("" for
 * the current one), resolving "." and ".." by name. */
static void linkset_join(struct buf *out, const char *p, size_t len)
{
    bool absolute = out->len > 0 && out->p[0] == '/';
    size_t floor = absolute ? 1 : 0; /* never remove the root */
    for (size_t i = 0; i <= len;) {
        const char *slash = memchr(p + i, '/', len - i);
        size_t end = slash ? (size_t)(slash - p) : len;
        size_t n = end - i;
        const char *seg = p + i;
        if (n == 0 || (n == 1 && seg[0] == '.')) {
            /* nothing */
        } else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            /* Drop the last segment, unless it is itself ".." (or none). */
            size_t cut = out->len;
            while (cut > floor && out->p[cut - 1] == '/')
                cut--;
            size_t start = cut;
            while (start > floor && out->p[start - 1] != '/')
                start--;
            bool parent = cut - start == 2 && out->p[start] == '.' && out->p[start + 1] == '.';
            if (cut > start && !parent) {
                out->len = start;
            } else if (!absolute) {
                if (out->len > 0 && out->p[out->len - 1] != '/')
                    buf_addc(out, '/');
                buf_add(out, "..", 2);
            }
        } else {
            if (out->len > 0 && out->p[out->len - 1] != '/')
                buf_addc(out, '/');
            buf_add(out, seg, n);
        }
        if (!slash)
            break;
        i = end + 1;
    }
    while (out->len > floor && out->p[out->len - 1] == '/')
        out->len--;
    if (out->len == 0)
        buf_addc(out, '.');
    buf_str(out);
}

const char *linkset_local(const char *doc, const char *ref, const char *root, struct buf *path,
                          struct buf *fragment, bool *has_fragment)
{
    buf_clear(path);
    if (fragment)
        buf_clear(fragment);
    size_t plen = strcspn(ref, "?#");
    const char *hash = strchr(ref, '#');
    if (has_fragment)
        *has_fragment = hash != NULL;
    if (hash && fragment)
        linkset_unescape(hash + 1, strlen(hash + 1), fragment);
    if (plen == 0) {
        buf_adds(path, doc);
        return NULL;
    }
    if (ref[0] == '/' && !root)
        return "a root-relative link needs a base URL";
    struct buf rel = {0};
    linkset_unescape(ref, plen, &rel);
    if (ref[0] == '/') {
        buf_adds(path, root);
    } else {
        const char *slash = strrchr(doc, '/');
        if (slash)
            buf_add(path, doc, slash == doc ? 1 : (size_t)(slash - doc));
    }
    linkset_join(path, rel.p, rel.len);
    buf_free(&rel);
    return NULL;
}

uint32_t linkset_file(struct linkset *s, const char *name)
{
    if (s->last_file != UINT32_MAX && strcmp(s->files[s->last_file], name) == 0)
        return s->last_file;
    size_t id;
    if (!strmap_get(s->file_ids, name, strlen(name), &id)) {
        id = s->nfiles;
        if (s->nfiles == s->files_cap) {
            s->files_cap = s->files_cap ? s->files_cap * 2 : 16;
            s->files = log_realloc(s->files, s->files_cap * sizeof *s->files);
        }
        s->files[s->nfiles++] = strmap_put(s->file_ids, name, strlen(name), id, NULL);
    }
    s->last_file = (uint32_t)id;
    return s->last_file;
}

const char *linkset_file_name(const struct linkset *s, uint32_t file)
{
    return file < s->nfiles ? s->files[file] : "?";
}

size_t linkset_add(struct linkset *s, const char *key, size_t keylen, uint32_t file, uint32_t line,
                   uint32_t column, const char *fragment, size_t fraglen, bool *added)
{
    size_t i;
    bool is_new = !strmap_get(s->index, key, keylen, &i);
    if (is_new) {
        i = s->n;
        if (s->n == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 64;
            s->entries = log_realloc(s->entries, s->cap * sizeof *s->entries);
        }
        s->entries[s->n++] = (struct linkset_entry){
            .key = strmap_put(s->index, key, keylen, i, NULL),
        };
    }
    if (added)
        *added = is_new;
    struct linkset_entry *e = &s->entries[i];
    if (e->nsources > 0) {
        const struct linkset_source *last = &e->sources[e->nsources - 1];
        if (last->file == file && last->line == line && last->column == column)
            return i;
    }
    if (e->nsources == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 2;
        e->sources = log_realloc(e->sources, e->cap * sizeof *e->sources);
    }
    char *frag = NULL;
    if (fragment) {
        frag = log_malloc(fraglen + 1);
        memcpy(frag, fragment, fraglen);
        frag[fraglen] = '\0';
    }
    e->sources[e->nsources++] =
        (struct linkset_source){.file = file, .line = line, .column = column, .fragment = frag};
    return i;
}

size_t linkset_count(const struct linkset *s)
{
    return s->n;
}

const struct linkset_entry *linkset_entry(const struct linkset *s, size_t i)
{
    return &s->entries[i];
}

void linkset_source_format(const struct linkset *s, const struct linkset_source *src,
                           struct buf *out)
{
    buf_addf(out, "%s:%u:%u", linkset_file_name(s, src->file), (unsigned)src->line,
             (unsigned)src->column);
}
