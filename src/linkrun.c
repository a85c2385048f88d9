/* linkrun: documents → the distinct URLs (input lines for the engine) and
 * the local files (checked here, their records written first). */
#include "linkrun.h"
#include "clock.h"
#include "fragment.h"
#include "linkdoc.h"
#include "links.h"
#include "linkset.h"
#include "log.h"
#include "record.h"
#include "strmap.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The limits of one --include-url / --exclude-url match on one URL. */
#define LINKRUN_RE_MATCH_LIMIT 1000000u
#define LINKRUN_RE_DEPTH_LIMIT 10000u

/* The views of one set that the records and the engine read: per entry a
 * record_link, whose sources and fragments are slices of two arrays. */
struct linkrun_views {
    struct record_link *links;
    struct record_source *sources;
    const char **fragments;
};

/* The anchors of a document read (--check-fragments), sorted. */
struct linkrun_anchors {
    char **names;
    size_t n;
};

/* A local file's url as its record shows it: the path (before '?' and '#')
 * of the first link to it as written, or, while every link to it is a
 * fragment-only link of its own, the document's name. */
struct linkrun_written {
    char *text;
    bool self;
};

struct linkrun {
    const struct config *cfg;
    struct links_extractor *lx;
    struct linkset *urls;            /* absolute http(s) URLs, by their normal form */
    struct linkset *locals;          /* local files, by their path */
    struct linkrun_written *written; /* per local entry */
    size_t nwritten;
    struct strmap *docs;     /* local documents read → index in anchors, or SIZE_MAX */
    struct strmap *doc_urls; /* --base, --check-fragments: a document's URL → index in anchors */
    struct linkrun_anchors *anchors;
    size_t nanchors, anchors_cap;

    pcre2_code **include, **exclude;
    size_t ninclude, nexclude;
    pcre2_match_data *md;
    pcre2_match_context *mctx;

    /* counts for the summary line */
    uint64_t ndocs, nlinks, nskipped, nother, nexcluded, nfragment_only;
    bool ok;

    struct linkrun_views url_views, local_views;
    struct input_item *items;
    struct fragment_check *frag;
    struct buf key, fragment, docbase, base, tmp, label, message;
};

/* ---- the run ------------------------------------------------------------ */

static bool linkrun_compile(const char *opt, char *const *pats, size_t n, pcre2_code ***out,
                            struct buf *err)
{
    *out = n ? log_calloc(n, sizeof **out) : NULL;
    for (size_t i = 0; i < n; i++) {
        int code;
        PCRE2_SIZE off;
        (*out)[i] = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED,
                                  PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
        if (!(*out)[i]) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            buf_addf(err, "%s '%s': %s at offset %zu", opt, pats[i], (const char *)msg,
                     (size_t)off);
            return false;
        }
        pcre2_jit_compile((*out)[i], PCRE2_JIT_COMPLETE); /* slower without, never wrong */
    }
    return true;
}

struct linkrun *linkrun_new(const struct config *cfg, struct buf *err)
{
    struct linkrun *lr = log_calloc(1, sizeof *lr);
    lr->cfg = cfg;
    lr->ok = true;
    if (cfg->base) {
        struct linkset *s = linkset_new();
        bool ok = !linkset_normalize(s, cfg->base, &lr->key, NULL, NULL);
        linkset_free(s);
        if (!ok) {
            buf_addf(err, "--base '%s' is not an absolute http or https URL", cfg->base);
            linkrun_free(lr);
            return NULL;
        }
    }
    if (!linkrun_compile("--include-url", cfg->include_url, cfg->ninclude_url, &lr->include, err) ||
        !linkrun_compile("--exclude-url", cfg->exclude_url, cfg->nexclude_url, &lr->exclude, err)) {
        lr->ninclude = cfg->ninclude_url;
        lr->nexclude = cfg->nexclude_url;
        linkrun_free(lr);
        return NULL;
    }
    lr->ninclude = cfg->ninclude_url;
    lr->nexclude = cfg->nexclude_url;
    lr->md = pcre2_match_data_create(1, NULL);
    lr->mctx = pcre2_match_context_create(NULL);
    if (!lr->md || !lr->mctx)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    pcre2_set_match_limit(lr->mctx, LINKRUN_RE_MATCH_LIMIT);
    pcre2_set_depth_limit(lr->mctx, LINKRUN_RE_DEPTH_LIMIT);
    lr->lx = links_extractor_new(); /* also xmlInitParser(), here on the main thread */
    lr->urls = linkset_new();
    lr->locals = linkset_new();
    lr->docs = strmap_new();
    lr->doc_urls = strmap_new();
    lr->frag = fragment_check_new();
    return lr;
}

static void linkrun_views_free(struct linkrun_views *v)
{
    free(v->links);
    free(v->sources);
    free(v->fragments);
}

void linkrun_free(struct linkrun *lr)
{
    if (!lr)
        return;
    for (size_t i = 0; i < lr->ninclude; i++)
        pcre2_code_free(lr->include ? lr->include[i] : NULL);
    for (size_t i = 0; i < lr->nexclude; i++)
        pcre2_code_free(lr->exclude ? lr->exclude[i] : NULL);
    free(lr->include);
    free(lr->exclude);
    pcre2_match_data_free(lr->md);
    pcre2_match_context_free(lr->mctx);
    links_extractor_free(lr->lx);
    linkset_free(lr->urls);
    linkset_free(lr->locals);
    for (size_t i = 0; i < lr->nwritten; i++)
        free(lr->written[i].text);
    free(lr->written);
    strmap_free(lr->docs);
    strmap_free(lr->doc_urls);
    for (size_t i = 0; i < lr->nanchors; i++) {
        for (size_t j = 0; j < lr->anchors[i].n; j++)
            free(lr->anchors[i].names[j]);
        free(lr->anchors[i].names);
    }
    free(lr->anchors);
    linkrun_views_free(&lr->url_views);
    linkrun_views_free(&lr->local_views);
    free(lr->items);
    fragment_check_free(lr->frag);
    buf_free(&lr->key);
    buf_free(&lr->fragment);
    buf_free(&lr->docbase);
    buf_free(&lr->base);
    buf_free(&lr->tmp);
    buf_free(&lr->label);
    buf_free(&lr->message);
    free(lr);
}

/* ---- one document ------------------------------------------------------- */

static bool linkrun_match(struct linkrun *lr, pcre2_code *re, const char *s, size_t len)
{
    return pcre2_match(re, (PCRE2_SPTR)s, len, 0, 0, lr->md, lr->mctx) >= 0;
}

/* --include-url and --exclude-url: URL (LEN bytes) is checked when it
 * matches an --include-url (if any is given) and no --exclude-url. */
static bool linkrun_wanted(struct linkrun *lr, const char *url, size_t len)
{
    bool in = lr->ninclude == 0;
    for (size_t i = 0; i < lr->ninclude && !in; i++)
        in = linkrun_match(lr, lr->include[i], url, len);
    for (size_t i = 0; i < lr->nexclude && in; i++)
        in = !linkrun_match(lr, lr->exclude[i], url, len);
    return in;
}

/* The absolute URL U, found in the document NAME at LINE:COLUMN, into the
 * set of URLs to fetch (unless filtered out). A URL that does not parse
 * goes in as written: the engine gives it its input record. */
static void linkrun_add_url(struct linkrun *lr, const char *name, const char *u, uint32_t line,
                            uint32_t column)
{
    bool has_fragment = false;
    if (linkset_normalize(lr->urls, u, &lr->key, &lr->fragment, &has_fragment)) {
        buf_clear(&lr->key);
        buf_adds(&lr->key, u);
        has_fragment = false;
    }
    if (!linkrun_wanted(lr, lr->key.p, lr->key.len)) {
        lr->nexcluded++;
        return;
    }
    uint32_t file = linkset_file(lr->urls, name);
    linkset_add(lr->urls, lr->key.p, lr->key.len, file, line, column,
                has_fragment ? buf_str(&lr->fragment) : NULL, lr->fragment.len, NULL);
}

/* The relative link L of local document D as a local file. */
static void linkrun_add_local(struct linkrun *lr, const struct linkdoc *d,
                              const struct links_link *l)
{
    bool has_fragment = false;
    if (linkset_local(d->name, l->url, d->root ? d->root : ".", &lr->key, &lr->fragment,
                      &has_fragment))
        return; /* not with a root: cannot happen */
    bool added;
    uint32_t file = linkset_file(lr->locals, d->name);
    size_t i = linkset_add(lr->locals, lr->key.p, lr->key.len, file, l->line, l->column,
                           has_fragment ? buf_str(&lr->fragment) : NULL, lr->fragment.len, &added);
    size_t n = strcspn(l->url, "?#");
    if (added) {
        lr->written = log_realloc(lr->written, (i + 1) * sizeof *lr->written);
        lr->written[i] =
            (struct linkrun_written){n ? log_strndup(l->url, n) : log_strdup(d->name), n == 0};
        lr->nwritten = i + 1;
    } else if (lr->written[i].self && n) {
        free(lr->written[i].text);
        lr->written[i] = (struct linkrun_written){log_strndup(l->url, n), false};
    }
}

/* Into lr->docbase: the URL that D's relative links resolve against before
 * its <base href>: a URL document's own, else --base + D's path (its '%',
 * '?' and '#' escaped); empty when there is none. */
static void linkrun_docbase(struct linkrun *lr, const struct linkdoc *d)
{
    buf_clear(&lr->docbase);
    if (d->url) {
        buf_adds(&lr->docbase, d->url);
        return;
    }
    if (!lr->cfg->base)
        return;
    buf_clear(&lr->tmp);
    for (const char *p = d->rel ? d->rel : ""; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            buf_addf(&lr->tmp, "%%%02X", (unsigned char)*p);
        else
            buf_addc(&lr->tmp, *p);
    }
    if (linkset_resolve(lr->urls, lr->cfg->base, buf_str(&lr->tmp), &lr->base))
        return; /* a path that makes no URL: the document has no base */
    buf_adds(&lr->docbase, buf_str(&lr->base));
}

/* Into lr->base: what D's relative links resolve against (its <base href>
 * over the document's base); empty when they are local files. */
static void linkrun_base(struct linkrun *lr, const struct linkdoc *d, const struct links_doc *doc)
{
    linkrun_docbase(lr, d);
    buf_clear(&lr->base);
    if (doc->base && lr->docbase.len) {
        if (!linkset_resolve(lr->urls, lr->docbase.p, doc->base, &lr->tmp)) {
            buf_adds(&lr->base, buf_str(&lr->tmp));
            return;
        }
    } else if (doc->base && links_classify(doc->base, strlen(doc->base)) == LINKS_HTTP) {
        buf_adds(&lr->base, doc->base);
        return;
    }
    buf_adds(&lr->base, buf_str(&lr->docbase));
}

/* Remember local document NAME; with --check-fragments, keep its anchors
 * (taken from DOC) for the fragment checks. Returns their index (SIZE_MAX:
 * none kept). */
static size_t linkrun_keep_doc(struct linkrun *lr, const char *name, struct links_doc *doc)
{
    size_t at = SIZE_MAX;
    if (strmap_get(lr->docs, name, strlen(name), &at))
        return at; /* the same document named twice: the first one stays */
    if (lr->cfg->check_fragments) {
        if (lr->nanchors == lr->anchors_cap) {
            lr->anchors_cap = lr->anchors_cap ? 2 * lr->anchors_cap : 16;
            lr->anchors = log_realloc(lr->anchors, lr->anchors_cap * sizeof *lr->anchors);
        }
        at = lr->nanchors++;
        lr->anchors[at] = (struct linkrun_anchors){doc->anchors, doc->nanchors};
        doc->anchors = NULL; /* now the run's */
        doc->nanchors = 0;
    }
    strmap_put(lr->docs, name, strlen(name), at, NULL);
    return at;
}

static void linkrun_doc(void *arg, const struct linkdoc *d)
{
    struct linkrun *lr = arg;
    struct links_doc *doc = links_extract(lr->lx, d->data, d->len, d->fmt);
    lr->ndocs++;
    if (doc->warning)
        log_warn("%s: %s", d->name, doc->warning);
    linkrun_base(lr, d, doc);
    for (size_t i = 0; i < doc->nlinks; i++) {
        const struct links_link *l = &doc->links[i];
        lr->nlinks++;
        switch (l->kind) {
        case LINKS_HTTP:
            linkrun_add_url(lr, d->name, l->url, l->line, l->column);
            break;
        case LINKS_FRAGMENT: /* a place in this document: never fetched */
            if (lr->cfg->check_fragments && d->local)
                linkrun_add_local(lr, d, l);
            else
                lr->nfragment_only++;
            break;
        case LINKS_RELATIVE:
        case LINKS_NETWORK:
            if (lr->base.len) {
                if (!linkset_resolve(lr->urls, lr->base.p, l->url, &lr->tmp))
                    linkrun_add_url(lr, d->name, buf_str(&lr->tmp), l->line, l->column);
                else
                    linkrun_add_url(lr, d->name, l->url, l->line, l->column);
            } else if (l->kind == LINKS_NETWORK) { /* "//host/x": --proto-default's scheme */
                buf_clear(&lr->tmp);
                buf_addf(&lr->tmp, "%s:%s", lr->cfg->proto_default, l->url);
                linkrun_add_url(lr, d->name, lr->tmp.p, l->line, l->column);
            } else {
                linkrun_add_local(lr, d, l);
            }
            break;
        case LINKS_SKIPPED:
            lr->nskipped++;
            break;
        case LINKS_OTHER:
            lr->nother++;
            break;
        }
    }
    if (d->local) {
        size_t at = linkrun_keep_doc(lr, d->name, doc);
        /* with --base the document has a URL: links to it check its anchors */
        if (at != SIZE_MAX && lr->docbase.len &&
            !linkset_normalize(lr->urls, lr->docbase.p, &lr->key, NULL, NULL))
            strmap_put(lr->doc_urls, lr->key.p, lr->key.len, at, NULL);
    }
    links_doc_free(doc);
}

static int linkrun_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The views of set S: per entry its sources with file names, and, with
 * --check-fragments, its distinct fragments (in bytewise order) and, for a
 * URL of one of the run's documents (DOC_URLS), that document's anchors. */
static void linkrun_views(const struct linkrun *lr, const struct linkset *s,
                          const struct strmap *doc_urls, struct linkrun_views *v)
{
    size_t n = linkset_count(s), total = 0;
    for (size_t i = 0; i < n; i++)
        total += linkset_entry(s, i)->nsources;
    v->links = log_calloc(n ? n : 1, sizeof *v->links);
    v->sources = log_calloc(total ? total : 1, sizeof *v->sources);
    v->fragments = log_calloc(total ? total : 1, sizeof *v->fragments);
    size_t at = 0, fat = 0;
    for (size_t i = 0; i < n; i++) {
        const struct linkset_entry *e = linkset_entry(s, i);
        struct record_link *l = &v->links[i];
        l->sources = &v->sources[at];
        l->nsources = e->nsources;
        l->fragments = &v->fragments[fat];
        for (size_t j = 0; j < e->nsources; j++) {
            const struct linkset_source *src = &e->sources[j];
            v->sources[at++] = (struct record_source){linkset_file_name(s, src->file), src->line,
                                                      src->column, src->fragment};
            if (lr->cfg->check_fragments && src->fragment)
                v->fragments[fat + l->nfragments++] = src->fragment;
        }
        if (l->nfragments > 1)
            qsort(&v->fragments[fat], l->nfragments, sizeof *v->fragments, linkrun_cmp_str);
        size_t k = 0;
        for (size_t j = 0; j < l->nfragments; j++)
            if (k == 0 || strcmp(v->fragments[fat + j], v->fragments[fat + k - 1]) != 0)
                v->fragments[fat + k++] = v->fragments[fat + j];
        l->nfragments = k;
        fat += k;
        size_t doc;
        if (k && doc_urls && strmap_get(doc_urls, e->key, strlen(e->key), &doc)) {
            l->anchors = lr->anchors[doc].names;
            l->nanchors = lr->anchors[doc].n;
        }
    }
}

bool linkrun_read(struct linkrun *lr)
{
    lr->ok = linkdoc_each(lr->cfg, linkrun_doc, lr);
    linkrun_views(lr, lr->urls, lr->doc_urls, &lr->url_views);
    linkrun_views(lr, lr->locals, NULL, &lr->local_views);
    size_t n = linkset_count(lr->urls);
    lr->items = log_calloc(n ? n : 1, sizeof *lr->items);
    for (size_t i = 0; i < n; i++) {
        const struct record_link *l = &lr->url_views.links[i];
        lr->items[i] = (struct input_item){linkset_entry(lr->urls, i)->key, l->sources[0].file,
                                           l->sources[0].line, l};
    }
    return lr->ok;
}

const struct input_item *linkrun_items(const struct linkrun *lr, size_t *n)
{
    *n = linkset_count(lr->urls);
    return lr->items;
}

size_t linkrun_nlocal(const struct linkrun *lr)
{
    return linkset_count(lr->locals);
}

void linkrun_summary(const struct linkrun *lr, struct buf *dst)
{
    size_t nurls = linkset_count(lr->urls), nlocal = linkset_count(lr->locals);
    buf_addf(dst, "volley: %llu document%s, %llu link%s: %zu URL%s to fetch, %zu local file%s",
             (unsigned long long)lr->ndocs, lr->ndocs == 1 ? "" : "s",
             (unsigned long long)lr->nlinks, lr->nlinks == 1 ? "" : "s", nurls,
             nurls == 1 ? "" : "s", nlocal, nlocal == 1 ? "" : "s");
    const struct {
        uint64_t n;
        const char *what;
    } skipped[] = {
        {lr->nskipped, "mailto:/tel:/javascript:/data:"},
        {lr->nother, "other schemes"},
        {lr->nfragment_only, "fragment-only (--check-fragments checks them)"},
        {lr->nexcluded, "excluded (--include-url, --exclude-url)"},
    };
    bool first = true;
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
        if (!skipped[i].n)
            continue;
        buf_addf(dst, "%s%llu %s", first ? "; not checked: " : ", ",
                 (unsigned long long)skipped[i].n, skipped[i].what);
        first = false;
    }
    buf_addc(dst, '\n');
}

/* ---- local files -------------------------------------------------------- */

/* The anchors of local file PATH, for its fragments: of a document read in
 * this run, else read now when PATH is Markdown or HTML by its name (and
 * kept for the next link to it); NULL when its fragments are not checked. */
static const struct linkrun_anchors *linkrun_anchors_of(struct linkrun *lr, const char *path)
{
    size_t at;
    if (strmap_get(lr->docs, path, strlen(path), &at))
        return at == SIZE_MAX ? NULL : &lr->anchors[at];
    enum links_format fmt = links_format_guess(path);
    if (fmt != LINKS_FORMAT_MD && fmt != LINKS_FORMAT_HTML)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    buf_clear(&lr->tmp);
    char chunk[65536];
    ssize_t n;
    while (lr->tmp.len <= LINKS_MAX_DOC &&
           ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0)
            buf_add(&lr->tmp, chunk, (size_t)n);
    close(fd);
    struct links_doc *doc = links_extract(lr->lx, lr->tmp.p ? lr->tmp.p : "", lr->tmp.len, fmt);
    linkrun_keep_doc(lr, path, doc); /* with --check-fragments: its anchors are kept */
    links_doc_free(doc);
    strmap_get(lr->docs, path, strlen(path), &at);
    return &lr->anchors[at];
}

/* The record of local entry I, with SEQ, into R (its strings in LR). */
static void linkrun_local_record(struct linkrun *lr, size_t i, uint64_t seq, struct record *r)
{
    const struct linkset_entry *e = linkset_entry(lr->locals, i);
    const struct record_link *l = &lr->local_views.links[i];
    buf_clear(&lr->label);
    buf_addf(&lr->label, "%s:%lu", l->sources[0].file, (unsigned long)l->sources[0].line);
    *r = (struct record){
        .seq = seq,
        .input = lr->label.p,
        .url = lr->written[i].text,
        .url_effective = e->key,
        .method = "GET",
        .error_code = -1,
        .timestamp_ms = clock_wall_ms(),
        .scheme = "file",
        .sources = l->sources,
        .nsources = l->nsources,
    };
    size_t at;
    struct stat st;
    bool known = strmap_get(lr->docs, e->key, strlen(e->key), &at);
    if (!known && stat(e->key, &st) != 0) {
        r->kind = KIND_MISSING;
        r->error_message = strerror(errno);
        return;
    }
    const struct linkrun_anchors *a =
        l->nfragments && lr->cfg->check_fragments ? linkrun_anchors_of(lr, e->key) : NULL;
    const struct check_failure *failed;
    size_t n = a ? fragment_check_anchors(lr->frag, a->names, a->n, l->fragments, l->nfragments, 0,
                                          &failed)
                 : 0;
    if (n) {
        r->kind = KIND_CHECK;
        r->checks = failed;
        r->nchecks = n;
        r->error_message = fragment_message(failed, n, &lr->message);
    }
    r->ok = r->kind == KIND_NONE;
}

uint64_t linkrun_check_local(struct linkrun *lr, struct filter *f, struct writer *w)
{
    size_t n = linkset_count(lr->locals);
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = i + 1;
        const char *key = linkset_entry(lr->locals, i)->key;
        if (f && !filter_line(f, key, strlen(key))) {
            writer_skip(w, seq, false);
            continue;
        }
        struct record r;
        linkrun_local_record(lr, i, seq, &r);
        writer_record(w, &r);
    }
    return n;
}
