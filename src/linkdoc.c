/* linkdoc: a --links run's documents, read whole one after another: URL
 * documents fetched, folders walked in sorted order, files, stdin. */
#include "linkdoc.h"
#include "log.h"
#include "task.h"
#include "task_common.h"
#include "url.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The most bytes read of one document: one more than links_extract reads,
 * so that it can say the document was cut. */
#define LINKDOC_MAX (LINKS_MAX_DOC + 1)

struct linkdoc_run {
    const struct config *cfg;
    linkdoc_fn fn;
    void *arg;
    bool ok;
    struct buf data; /* the document being read */
};

/* ---- formats ------------------------------------------------------------ */

static bool linkdoc_type_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    return strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum links_format linkdoc_url_format(const char *content_type, const char *url)
{
    const char *ct = content_type ? content_type : "";
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (linkdoc_type_is(ct, "text/html") || linkdoc_type_is(ct, "application/xhtml+xml"))
        return LINKS_FORMAT_HTML;
    if (linkdoc_type_is(ct, "application/xml") || linkdoc_type_is(ct, "text/xml"))
        return LINKS_FORMAT_SITEMAP;
    if (linkdoc_type_is(ct, "text/markdown") || linkdoc_type_is(ct, "text/x-markdown"))
        return LINKS_FORMAT_MD;
    /* by the last segment of the path, as a file name */
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = strcspn(p, "?#");
    struct buf path = {0};
    buf_add(&path, p, n);
    enum links_format f = links_format_guess(buf_str(&path));
    buf_free(&path);
    return f;
}

static enum links_format linkdoc_format(const struct config *cfg, enum links_format guess)
{
    enum links_format f;
    if (cfg->links_format && links_format_parse(cfg->links_format, &f))
        return f;
    return guess;
}

/* ---- reading ------------------------------------------------------------ */

/* Read FD whole into R->data (at most LINKDOC_MAX bytes); false with errno. */
static bool linkdoc_read_fd(struct linkdoc_run *r, int fd)
{
    buf_clear(&r->data);
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return false;
        if (n == 0)
            return true;
        size_t room = LINKDOC_MAX - r->data.len;
        buf_add(&r->data, tmp, (size_t)n < room ? (size_t)n : room);
        if (r->data.len == LINKDOC_MAX)
            return true;
    }
}

static void linkdoc_emit(struct linkdoc_run *r, struct linkdoc *d)
{
    d->data = r->data.p ? r->data.p : "";
    d->len = r->data.len;
    r->fn(r->arg, d);
}

/* The file PATH (REL under ROOT) as a document. */
static void linkdoc_file(struct linkdoc_run *r, const char *path, const char *rel, const char *root)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || !linkdoc_read_fd(r, fd)) {
        log_warn("cannot read %s: %s", path, strerror(errno));
        r->ok = false;
        if (fd >= 0)
            close(fd);
        return;
    }
    close(fd);
    struct linkdoc d = {
        .name = path,
        .rel = rel,
        .root = root,
        .local = true,
        .fmt = linkdoc_format(r->cfg, links_format_guess(path)),
    };
    linkdoc_emit(r, &d);
}

static int linkdoc_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk the folder in PATH (the folder given is the first ROOT_LEN bytes):
 * its documents in bytewise order of names, subfolders where they sort. */
static void linkdoc_walk(struct linkdoc_run *r, struct buf *path, size_t root_len)
{
    DIR *dir = opendir(buf_str(path));
    if (!dir) {
        log_warn("cannot read %s: %s", path->p, strerror(errno));
        r->ok = false;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden entries (.git, ...) */
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            names = log_realloc(names, cap * sizeof *names);
        }
        names[n++] = log_strdup(e->d_name);
    }
    closedir(dir);
    if (n > 1)
        qsort(names, n, sizeof *names, linkdoc_cmp);
    size_t at = path->len;
    for (size_t i = 0; i < n; i++) {
        path->len = at;
        if (at == 0 || path->p[at - 1] != '/')
            buf_addc(path, '/');
        buf_adds(path, names[i]);
        struct stat st;
        bool link = lstat(path->p, &st) == 0 && S_ISLNK(st.st_mode);
        if (link ? stat(path->p, &st) != 0 : lstat(path->p, &st) != 0)
            continue; /* a dangling link, or gone since */
        if (S_ISDIR(st.st_mode) && !link) {
            linkdoc_walk(r, path, root_len);
        } else if (S_ISREG(st.st_mode) && links_format_guess(names[i]) != LINKS_FORMAT_TEXT) {
            char *root = log_strndup(path->p, root_len);
            char *file = log_strdup(path->p);
            const char *rel = file + root_len;
            while (*rel == '/')
                rel++;
            linkdoc_file(r, file, rel, root_len ? root : ".");
            free(file);
            free(root);
        }
    }
    path->len = at;
    buf_str(path);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* FILE argument ARG: a folder walked, a file, or "-". */
static void linkdoc_arg(struct linkdoc_run *r, const char *arg)
{
    if (strcmp(arg, "-") == 0) {
        if (!linkdoc_read_fd(r, STDIN_FILENO)) {
            log_warn("cannot read stdin: %s", strerror(errno));
            r->ok = false;
            return;
        }
        struct linkdoc d = {
            .name = "-", .local = true, .fmt = linkdoc_format(r->cfg, LINKS_FORMAT_TEXT)};
        linkdoc_emit(r, &d);
        return;
    }
    struct stat st;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
        struct buf path = {0};
        buf_adds(&path, arg);
        while (path.len > 1 && path.p[path.len - 1] == '/')
            path.len--; /* "site/" walks as "site" */
        buf_str(&path);
        linkdoc_walk(r, &path, path.len);
        buf_free(&path);
        return;
    }
    const char *rel = arg;
    while (rel[0] == '.' && rel[1] == '/')
        rel += 2;
    const char *slash = strrchr(arg, '/');
    char *root = slash ? log_strndup(arg, slash == arg ? 1 : (size_t)(slash - arg)) : NULL;
    linkdoc_file(r, arg, rel, root ? root : ".");
    free(root);
}

/* ---- URL documents ------------------------------------------------------ */

static size_t linkdoc_write(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg; /* only buffers, up to the cap */
    size_t n = size * nmemb, room = LINKDOC_MAX - b->len;
    buf_add(b, ptr, n < room ? n : room);
    return n;
}

/* The URL document U: fetched with the run's options (any -X, -d or -I
 * aside: a GET), following redirects; its sockets are opened by task's
 * socket opener, so --deny-private holds for it too. */
static void linkdoc_url(struct linkdoc_run *r, const struct task_common *tc, const char *u)
{
    struct task_handle h = {0};
    task_common_handle_init(tc, &h);
    CURL *e = h.easy;
    struct task sock = {0}; /* only what task_open_socket() reads and counts */
    task_init(&sock);
    sock.h = &h;
    sock.deny = tc->deny;
    TASK_SET(e, CURLOPT_OPENSOCKETDATA, &sock);
    buf_clear(&r->data);
    TASK_SET(e, CURLOPT_URL, u);
    TASK_SET(e, CURLOPT_HTTPGET, 1L);
    TASK_SET(e, CURLOPT_NOBODY, 0L);
    TASK_SET(e, CURLOPT_CUSTOMREQUEST, (char *)NULL);
    TASK_SET(e, CURLOPT_FOLLOWLOCATION, 1L);
    TASK_SET(e, CURLOPT_MAXREDIRS, r->cfg->max_redirs);
    TASK_SET(e, CURLOPT_HEADERFUNCTION, (curl_write_callback)NULL);
    TASK_SET(e, CURLOPT_WRITEFUNCTION, linkdoc_write);
    TASK_SET(e, CURLOPT_WRITEDATA, &r->data);
    CURLcode rc = curl_easy_perform(e);
    long code = 0;
    char *ct = NULL, *eff = NULL;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
    struct buf shown = {0};
    url_redact(u, &shown);
    if (rc != CURLE_OK || code < 200 || code > 299) {
        if (rc == CURLE_COULDNT_CONNECT && sock.sock_denied > 0 && sock.sock_made == 0)
            log_warn("cannot fetch the document %s: refused by --deny-private: %s", shown.p,
                     buf_str(&sock.denied));
        else if (rc != CURLE_OK)
            log_warn("cannot fetch the document %s: %s", shown.p,
                     h.errbuf[0] ? h.errbuf : curl_easy_strerror(rc));
        else
            log_warn("cannot fetch the document %s: HTTP %ld", shown.p, code);
        r->ok = false;
    } else {
        const char *base = eff ? eff : u;
        struct linkdoc d = {
            .name = shown.p,
            .url = base,
            .fmt = linkdoc_format(r->cfg, linkdoc_url_format(ct, base)),
        };
        linkdoc_emit(r, &d);
    }
    buf_free(&shown);
    task_common_handle_cleanup(&h);
    task_free(&sock);
}

bool linkdoc_each(const struct config *cfg, linkdoc_fn fn, void *arg)
{
    struct linkdoc_run r = {.cfg = cfg, .fn = fn, .arg = arg, .ok = true};
    if (cfg->nurls) {
        struct task_common *tc = task_common_new(cfg, NULL, NULL); /* no cookie jar, no jq */
        for (size_t i = 0; i < cfg->nurls; i++)
            linkdoc_url(&r, tc, cfg->urls[i]);
        task_common_free(tc);
    }
    for (size_t i = 0; i < cfg->nfiles; i++)
        linkdoc_arg(&r, cfg->files[i]);
    if (cfg->nurls == 0 && cfg->nfiles == 0)
        linkdoc_arg(&r, "-");
    buf_free(&r.data);
    return r.ok;
}
