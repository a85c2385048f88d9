/* fragment: a fragment against a document's anchors, the format of a
 * fetched body, and the failures of one link's fragments. */
#include "fragment.h"
#include "log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FRAGMENT_GITHUB_PREFIX "user-content-"

struct fragment_check {
    struct links_extractor *lx; /* made on first use */
    struct check_failure *failed;
    size_t nfailed, cap;
    size_t *at;      /* while checking: each failure's offset in text */
    struct buf text; /* the failures' expected and actual strings */
};

static bool fragment_search(char *const *anchors, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(anchors[mid], name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

bool fragment_found(char *const *anchors, size_t n, const char *frag)
{
    if (!frag[0] || strcasecmp(frag, "top") == 0 || strncmp(frag, ":~:", 3) == 0)
        return true;
    if (fragment_search(anchors, n, frag))
        return true;
    size_t len = strlen(frag), plen = sizeof FRAGMENT_GITHUB_PREFIX - 1;
    char *prefixed = log_malloc(plen + len + 1);
    memcpy(prefixed, FRAGMENT_GITHUB_PREFIX, plen);
    memcpy(prefixed + plen, frag, len + 1);
    bool found = fragment_search(anchors, n, prefixed);
    free(prefixed);
    return found;
}

/* Whether the media type of CT (parameters ignored, any case) is TYPE. */
static bool fragment_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(ct, type, n) != 0)
        return false;
    ct += n;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0' || *ct == ';';
}

/* Whether the path of URL (before '?' and '#') ends in SUFFIX, any case. */
static bool fragment_path_ends(const char *url, const char *suffix)
{
    size_t n = strcspn(url, "?#"), m = strlen(suffix);
    return n >= m && strncasecmp(url + n - m, suffix, m) == 0;
}

bool fragment_body_format(const char *content_type, const char *url, enum links_format *fmt)
{
    if (!content_type)
        return false;
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    if (fragment_type_is(content_type, "text/html") ||
        fragment_type_is(content_type, "application/xhtml+xml")) {
        *fmt = LINKS_FORMAT_HTML;
        return true;
    }
    if (fragment_type_is(content_type, "text/markdown") ||
        fragment_type_is(content_type, "text/x-markdown") ||
        (fragment_type_is(content_type, "text/plain") && url &&
         (fragment_path_ends(url, ".md") || fragment_path_ends(url, ".markdown")))) {
        *fmt = LINKS_FORMAT_MD;
        return true;
    }
    return false;
}

struct fragment_check *fragment_check_new(void)
{
    return log_calloc(1, sizeof(struct fragment_check));
}

void fragment_check_free(struct fragment_check *fc)
{
    if (!fc)
        return;
    links_extractor_free(fc->lx);
    free(fc->failed);
    free(fc->at);
    buf_free(&fc->text);
    free(fc);
}

/* Add the failure of fragment FRAG; its strings go into fc->text, their
 * offsets into fc->at until the text stops moving. */
static void fragment_fail(struct fragment_check *fc, const char *frag, size_t cut)
{
    if (fc->nfailed == fc->cap) {
        fc->cap = fc->cap ? 2 * fc->cap : 4;
        fc->failed = log_realloc(fc->failed, fc->cap * sizeof *fc->failed);
        fc->at = log_realloc(fc->at, 2 * fc->cap * sizeof *fc->at);
    }
    size_t *at = &fc->at[2 * fc->nfailed];
    fc->failed[fc->nfailed++] = (struct check_failure){.check = RECORD_CHECK_FRAGMENT};
    at[0] = fc->text.len;
    buf_addc(&fc->text, '#');
    buf_adds(&fc->text, frag);
    buf_addc(&fc->text, '\0');
    at[1] = fc->text.len;
    if (cut)
        buf_addf(&fc->text, "no such anchor in the first %zu bytes (--max-body)", cut);
    else
        buf_adds(&fc->text, "no such anchor");
    buf_addc(&fc->text, '\0');
}

size_t fragment_check_anchors(struct fragment_check *fc, char *const *anchors, size_t na,
                              const char *const *frags, size_t n, size_t cut,
                              const struct check_failure **failed)
{
    fc->nfailed = 0;
    buf_clear(&fc->text);
    for (size_t i = 0; i < n; i++)
        if (!fragment_found(anchors, na, frags[i]))
            fragment_fail(fc, frags[i], cut);
    for (size_t i = 0; i < fc->nfailed; i++) {
        fc->failed[i].expected = fc->text.p + fc->at[2 * i];
        fc->failed[i].actual = fc->text.p + fc->at[2 * i + 1];
    }
    *failed = fc->nfailed ? fc->failed : NULL;
    return fc->nfailed;
}

size_t fragment_check_document(struct fragment_check *fc, const char *data, size_t len,
                               enum links_format fmt, const char *const *frags, size_t n,
                               size_t cut, const struct check_failure **failed)
{
    if (!fc->lx)
        fc->lx = links_extractor_new();
    struct links_doc *doc = links_extract(fc->lx, data ? data : "", data ? len : 0, fmt);
    size_t missing = fragment_check_anchors(fc, doc->anchors, doc->nanchors, frags, n, cut, failed);
    links_doc_free(doc);
    return missing;
}

const char *fragment_message(const struct check_failure *failed, size_t n, struct buf *dst)
{
    buf_clear(dst);
    buf_adds(dst, n == 1 ? "missing fragment " : "missing fragments ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_adds(dst, ", ");
        buf_adds(dst, failed[i].expected);
    }
    return buf_str(dst);
}
