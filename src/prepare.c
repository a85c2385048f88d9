/* prepare: the side effects of the command line, once, before anything is
 * fetched: URL arguments, FILE probes, connection-option checks, -d @FILE,
 * --output-dir, --report files and the open-files limit. */
#include "prepare.h"
#include "form.h"
#include "deny.h"
#include "log.h"
#include "task_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

/* ---- URL arguments ------------------------------------------------------ */

static bool prepare_is_url_arg(const char *a)
{
    struct stat st;
    if (strncasecmp(a, "http://", 7) != 0 && strncasecmp(a, "https://", 8) != 0)
        return false;
    return stat(a, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

/* Move the URL arguments from files to urls, each after the --url values
 * that came before it on the command line. */
static void prepare_url_args(struct config *cfg)
{
    char **urls = log_calloc(cfg->nurls + cfg->nfiles + 1, sizeof *urls);
    size_t nurls = 0, taken = 0, nfiles = 0;
    for (size_t i = 0; i < cfg->nfiles; i++) {
        if (!prepare_is_url_arg(cfg->files[i])) {
            cfg->file_nurls[nfiles] = cfg->file_nurls[i];
            cfg->files[nfiles++] = cfg->files[i];
            continue;
        }
        while (taken < cfg->file_nurls[i])
            urls[nurls++] = cfg->urls[taken++];
        urls[nurls++] = cfg->files[i];
    }
    while (taken < cfg->nurls)
        urls[nurls++] = cfg->urls[taken++];
    free(cfg->urls);
    cfg->urls = urls;
    cfg->nurls = nurls;
    cfg->nfiles = nfiles;
}

/* ---- checks ------------------------------------------------------------- */

static const char *prepare_data_file(const struct cli_data *d);

/* Every FILE can be opened for reading now (a folder only with --links,
 * which walks it). */
static bool prepare_files(const struct config *cfg, struct buf *err)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *f = cfg->files[i];
        if (strcmp(f, "-") == 0)
            continue;
        int fd = open(f, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st;
        if (fd < 0) {
            buf_addf(err, "cannot read %s: %s", f, strerror(errno));
            return false;
        }
        bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
        close(fd);
        if (dir && !cfg->links) {
            buf_addf(err, "cannot read %s: %s (with --links, a folder's documents are read)", f,
                     strerror(EISDIR));
            return false;
        }
    }
    return true;
}

static bool prepare_stdin_list(const struct config *cfg)
{
    if (cfg->nurls == 0 && cfg->nfiles == 0)
        return true;
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (strcmp(cfg->files[i], "-") == 0)
            return true;
    return false;
}

/* A port: empty when EMPTY_OK, else decimal 1 to 65535. */
static bool prepare_port(const char *s, size_t n, bool empty_ok)
{
    if (n == 0)
        return empty_ok;
    if (n > 5)
        return false;
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* One numeric address, IPv6 with or without brackets. */
static bool prepare_addr(const char *s, size_t n)
{
    char a[64];
    unsigned char bin[16];
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof a)
        return false;
    memcpy(a, s, n);
    a[n] = '\0';
    return inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1;
}

bool prepare_resolve(const char *s, struct buf *err)
{
    const char *p = s + (*s == '-' || *s == '+');
    const char *c1 = strchr(p, ':');
    const char *why = NULL;
    if (!c1 || c1 == p) {
        why = "no HOST:PORT";
    } else if (*s == '-') {
        if (!prepare_port(c1 + 1, strlen(c1 + 1), false))
            why = "the PORT must be a number from 1 to 65535";
    } else {
        const char *c2 = strchr(c1 + 1, ':');
        if (!c2 || !prepare_port(c1 + 1, (size_t)(c2 - c1 - 1), false))
            why = !c2 ? "no ADDR" : "the PORT must be a number from 1 to 65535";
        for (const char *a = c2 ? c2 + 1 : NULL; a && !why;) {
            const char *e = strchr(a, ',');
            size_t n = e ? (size_t)(e - a) : strlen(a);
            if (!prepare_addr(a, n))
                why = "each ADDR must be a numeric IPv4 or IPv6 address";
            a = e ? e + 1 : NULL;
        }
    }
    if (why)
        buf_addf(err, "--resolve '%s': %s (the form is [+]HOST:PORT:ADDR[,ADDR]... or -HOST:PORT)",
                 s, why);
    return !why;
}

/* The end of one HOST part of --connect-to: a [bracketed] IPv6 address or
 * anything up to the next ':'; NULL when a bracket is not closed. */
static const char *prepare_host_end(const char *p)
{
    if (*p == '[') {
        const char *e = strchr(p, ']');
        return e ? e + 1 : NULL;
    }
    return p + strcspn(p, ":");
}

bool prepare_connect_to(const char *s, struct buf *err)
{
    const char *p = s, *e;
    bool ok = true;
    for (int part = 0; part < 4 && ok; part++) {
        bool host = part % 2 == 0;
        e = host ? prepare_host_end(p) : p + strcspn(p, ":");
        ok = e && (host || prepare_port(p, (size_t)(e - p), true)) &&
             (part == 3 ? *e == '\0' : *e == ':');
        p = ok ? e + (part < 3) : p;
    }
    if (!ok)
        buf_addf(err,
                 "--connect-to '%s': the form is HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT (any "
                 "part may be empty; a PORT is a number from 1 to 65535)",
                 s);
    return ok;
}

bool prepare_proxy(const char *s, struct buf *err)
{
    static const char *const schemes[] = {"http",    "https",  "socks4",
                                          "socks4a", "socks5", "socks5h"};
    if (!*s)
        return true; /* libcurl: no proxy at all */
    CURLU *u = curl_url();
    if (!u)
        log_die(LOG_EXIT_INTERNAL, "out of memory");
    CURLUcode rc =
        curl_url_set(u, CURLUPART_URL, s, CURLU_DEFAULT_SCHEME | CURLU_NON_SUPPORT_SCHEME);
    char *scheme = NULL;
    bool ok = rc == CURLUE_OK && curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK;
    bool known = false;
    for (size_t i = 0; ok && i < sizeof schemes / sizeof schemes[0]; i++)
        known = known || strcasecmp(scheme, schemes[i]) == 0;
    if (rc != CURLUE_OK)
        buf_addf(err, "--proxy '%s' is not a URL: %s", s, curl_url_strerror(rc));
    else if (!known)
        buf_addf(err,
                 "--proxy '%s': the scheme must be http, https, socks4, socks4a, socks5 or "
                 "socks5h",
                 s);
    curl_free(scheme);
    curl_url_cleanup(u);
    return rc == CURLUE_OK && known;
}

/* --deny-private judges the address connected to, which a proxy hides;
 * --allow-address makes exceptions to it, and must parse. */
static bool prepare_deny(const struct config *cfg, struct buf *err)
{
    if (cfg->nallow_address && !cfg->deny_private) {
        buf_adds(err, "--allow-address makes exceptions to --deny-private, which is not given");
        return false;
    }
    if (!cfg->deny_private)
        return true;
    const char *proxy = task_common_proxy_origin(cfg);
    if (proxy) {
        buf_addf(err,
                 "--deny-private cannot be combined with a proxy (%s%s): the proxy makes the "
                 "connections, so their addresses cannot be checked",
                 proxy, proxy[0] == '-' ? "" : " is set");
        return false;
    }
    struct deny *d = deny_new(cfg->allow_address, cfg->nallow_address, err);
    bool ok = d != NULL;
    deny_free(d);
    return ok;
}

/* A file option's FILE can be read now. */
static bool prepare_readable(const char *opt, const char *path, struct buf *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    int e = fd < 0 ? errno : fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (fd >= 0)
        close(fd);
    if (e)
        buf_addf(err, "cannot read %s %s: %s", opt, path, strerror(e));
    return e == 0;
}

bool prepare_cert(const char *arg, struct buf *file, struct buf *password)
{
    const char *p = arg;
    if (!strncmp(p, "pkcs11:", 7)) { /* an engine URI is not split */
        buf_adds(file, p);
        return false;
    }
    for (; *p && *p != ':'; p++) {
        if (*p == '\\' && (p[1] == ':' || p[1] == '\\'))
            p++;
        buf_addc(file, *p);
    }
    if (*p == ':')
        buf_adds(password, p + 1);
    return *p == ':';
}

/* --cert, --key, --capath and --pinnedpubkey FILE name what can be read. */
static bool prepare_tls(struct config *cfg, struct buf *err)
{
    if (cfg->cert) {
        struct buf file = {0}, pass = {0};
        bool has_pass = prepare_cert(cfg->cert, &file, &pass);
        cfg->cert_file = log_strdup(buf_str(&file));
        cfg->cert_password = has_pass ? log_strdup(buf_str(&pass)) : NULL;
        buf_free(&file);
        buf_free(&pass);
        if (strncmp(cfg->cert_file, "pkcs11:", 7) &&
            !prepare_readable("--cert", cfg->cert_file, err))
            return false;
    }
    if (cfg->key && strncmp(cfg->key, "pkcs11:", 7) && !prepare_readable("--key", cfg->key, err))
        return false;
    if (cfg->pinnedpubkey && strncmp(cfg->pinnedpubkey, "sha256//", 8) &&
        !prepare_readable("--pinnedpubkey", cfg->pinnedpubkey, err))
        return false;
    struct stat st;
    if (cfg->capath && (stat(cfg->capath, &st) != 0 || !S_ISDIR(st.st_mode) ||
                        access(cfg->capath, R_OK | X_OK) != 0)) {
        buf_addf(err, "--capath %s is not a readable directory", cfg->capath);
        return false;
    }
    return true;
}

/* --netrc reads ~/.netrc, --netrc-file FILE: it must be readable, unless
 * --netrc-optional and it does not exist. */
static bool prepare_netrc(const struct config *cfg, struct buf *err)
{
    if (!cfg->netrc && !cfg->netrc_optional && !cfg->netrc_file)
        return true;
    struct buf path = {0};
    const char *home = getenv("HOME");
    if (cfg->netrc_file) {
        buf_adds(&path, cfg->netrc_file);
    } else if (home && *home) {
        buf_adds(&path, home);
        buf_adds(&path, "/.netrc");
    } else if (!cfg->netrc_optional) {
        buf_adds(err, "--netrc reads ~/.netrc, but HOME is not set; use --netrc-file FILE");
        return false;
    }
    struct stat st;
    bool ok = !path.len || (cfg->netrc_optional && stat(path.p, &st) != 0 && errno == ENOENT) ||
              prepare_readable(cfg->netrc_file ? "--netrc-file" : "--netrc", path.p, err);
    buf_free(&path);
    return ok;
}

/* -b FILE (a value without '=') must be readable, or not exist yet when it
 * is the -c jar too; the -c jar's directory must be writable. */
static bool prepare_cookies(const struct config *cfg, struct buf *err)
{
    struct stat st;
    for (size_t i = 0; i < cfg->ncookies; i++) {
        const char *c = cfg->cookies[i];
        if (strchr(c, '=') || !*c)
            continue;
        bool jar = cfg->cookie_jar && !strcmp(c, cfg->cookie_jar);
        if (jar && stat(c, &st) != 0 && errno == ENOENT)
            continue; /* curl -b jar -c jar: the first run starts without */
        if (!prepare_readable("-b", c, err))
            return false;
    }
    if (!cfg->cookie_jar)
        return true;
    char *dir = log_strdup(cfg->cookie_jar);
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir] = '\0';
    bool ok = access(slash ? dir : ".", W_OK | X_OK) == 0 &&
              (stat(cfg->cookie_jar, &st) != 0 ||
               (S_ISREG(st.st_mode) && access(cfg->cookie_jar, W_OK) == 0));
    if (!ok)
        buf_addf(err, "cannot write the cookie jar -c %s", cfg->cookie_jar);
    free(dir);
    return ok;
}

static bool prepare_check(struct config *cfg, struct buf *err)
{
    if (!prepare_files(cfg, err))
        return false;
    static const char *const names[] = {"-d", "--data-binary", "--data-raw", "--data-urlencode",
                                        "--url-query"};
    for (size_t i = 0; i < cfg->ndata_args + cfg->nquery_args; i++) {
        const struct cli_data *d =
            i < cfg->ndata_args ? &cfg->data_args[i] : &cfg->query_args[i - cfg->ndata_args];
        const char *f = prepare_data_file(d);
        if (f && !strcmp(f, "-") && prepare_stdin_list(cfg)) {
            buf_addf(err,
                     "%s %s reads standard input, but the URL list is read from there too; "
                     "give the list as a FILE or with --url",
                     names[d->kind],
                     d->kind == DATA_ASCII || d->kind == DATA_BINARY ? "@-" : "...@-");
            return false;
        }
    }
    for (size_t i = 0; i < cfg->nresolve; i++)
        if (!prepare_resolve(cfg->resolve[i], err))
            return false;
    for (size_t i = 0; i < cfg->nconnect_to; i++)
        if (!prepare_connect_to(cfg->connect_to[i], err))
            return false;
    if (cfg->proxy && !prepare_proxy(cfg->proxy, err))
        return false;
    if (!prepare_deny(cfg, err))
        return false;
    return (!cfg->cacert || prepare_readable("--cacert", cfg->cacert, err)) &&
           prepare_tls(cfg, err) && prepare_netrc(cfg, err) && prepare_cookies(cfg, err);
}

/* ---- side effects ------------------------------------------------------- */

/* Append the bytes of PATH ("-": standard input) to DST, without CR and LF
 * when STRIP. */
static bool prepare_slurp(const char *path, bool strip, struct buf *dst, struct buf *err)
{
    bool own = strcmp(path, "-") != 0;
    int fd = own ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    bool ok = fd >= 0;
    char tmp[65536];
    while (ok) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        for (ssize_t i = 0; i < n; i++)
            if (!strip || (tmp[i] != '\r' && tmp[i] != '\n'))
                buf_addc(dst, tmp[i]);
    }
    if (!ok)
        buf_addf(err, "cannot read %s: %s", path, strerror(errno));
    if (own && fd >= 0)
        close(fd);
    return ok;
}

void prepare_urlencode(const char *s, size_t n, struct buf *dst)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_addc(dst, (char)c);
        } else {
            buf_addc(dst, '%');
            buf_addc(dst, hex[c >> 4]);
            buf_addc(dst, hex[c & 15]);
        }
    }
}

/* The file a data value reads, or NULL: -d and --data-binary "@FILE", and
 * --data-urlencode and --url-query "@FILE" or "NAME@FILE" (when no '=' comes
 * first). */
static const char *prepare_data_file(const struct cli_data *d)
{
    const char *a = d->arg;
    switch (d->kind) {
    case DATA_ASCII:
    case DATA_BINARY:
        return a[0] == '@' ? a + 1 : NULL;
    case DATA_RAW:
        return NULL;
    case DATA_QUERY:
    case DATA_URLENCODE: {
        if (d->kind == DATA_QUERY && a[0] == '+')
            return NULL;
        const char *at = strchr(a, '=') ? NULL : strchr(a, '@');
        return at ? at + 1 : NULL;
    }
    }
    return NULL;
}

/* Append one data value to DST as curl sends it: the text, or @FILE's bytes
 * (without CR and LF for -d); --data-urlencode's TEXT, =TEXT, NAME=TEXT,
 * @FILE and NAME@FILE with the text or the file URL-encoded; --url-query
 * the same, "+TEXT" as is. */
static bool prepare_read_data(const struct cli_data *d, struct buf *dst, struct buf *err)
{
    const char *a = d->arg, *file = prepare_data_file(d);
    if (d->kind == DATA_URLENCODE || (d->kind == DATA_QUERY && a[0] != '+')) {
        const char *sep = file ? file - 1 : strchr(a, '=');
        const char *text = sep ? sep + 1 : a;
        struct buf raw = {0};
        if (file && !prepare_slurp(file, false, &raw, err)) {
            buf_free(&raw);
            return false;
        }
        if (sep && sep > a) { /* a name, sent as given */
            buf_add(dst, a, (size_t)(sep - a));
            buf_addc(dst, '=');
        }
        if (file)
            prepare_urlencode(raw.p ? raw.p : "", raw.len, dst);
        else
            prepare_urlencode(text, strlen(text), dst);
        buf_free(&raw);
        return true;
    }
    if (d->kind == DATA_QUERY) {
        buf_adds(dst, a + 1);
        return true;
    }
    if (!file) {
        buf_adds(dst, a);
        return true;
    }
    return prepare_slurp(file, d->kind == DATA_ASCII, dst, err);
}

/* The values of ARGS (N of them) joined with '&', as curl joins them, into
 * *OUT (with its length); nothing when N is 0. */
static bool prepare_join(const struct cli_data *args, size_t n, char **out, size_t *len,
                         struct buf *err)
{
    struct buf data = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_addc(&data, '&');
        if (!prepare_read_data(&args[i], &data, err)) {
            buf_free(&data);
            return false;
        }
    }
    if (n) {
        if (len)
            *len = data.len;
        *out = log_malloc(data.len + 1);
        memcpy(*out, data.p ? data.p : "", data.len);
        (*out)[data.len] = '\0';
    }
    buf_free(&data);
    return true;
}

static bool prepare_data(struct config *cfg, struct buf *err)
{
    if (!prepare_join(cfg->data_args, cfg->ndata_args, &cfg->data, &cfg->data_len, err) ||
        !prepare_join(cfg->query_args, cfg->nquery_args, &cfg->query, NULL, err))
        return false;
    for (size_t i = 0; i < cfg->nforms; i++)
        if (!form_add(&cfg->form, cfg->forms[i], err))
            return false;
    return true;
}

/* mkdir -p DIR; then it must be a writable directory. */
static bool prepare_output_dir(const char *dir, struct buf *err)
{
    char *p = log_strdup(dir);
    bool ok = true;
    for (char *q = p + 1; ok; q++) {
        if (*q != '/' && *q != '\0')
            continue;
        char c = *q;
        *q = '\0';
        ok = mkdir(p, 0777) == 0 || errno == EEXIST;
        *q = c;
        if (!c)
            break;
    }
    free(p);
    struct stat st;
    if (!ok)
        buf_addf(err, "cannot create --output-dir %s: %s", dir, strerror(errno));
    else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || access(dir, W_OK) != 0)
        buf_addf(err, "--output-dir %s is not a writable directory", dir);
    else
        return true;
    return false;
}

long prepare_fit_parallel(unsigned long long limit, long each)
{
    if (limit < PREPARE_SPARE_FDS + (unsigned long long)each)
        return 1;
    return (long)((limit - PREPARE_SPARE_FDS) / (unsigned long long)each);
}

/* --threads not given: the online CPUs, at most PREPARE_DEFAULT_THREADS. */
static void prepare_threads(struct config *cfg)
{
    if (cfg->threads > 0)
        return;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->threads = n < 1 ? 1 : n > PREPARE_DEFAULT_THREADS ? PREPARE_DEFAULT_THREADS : n;
}

/* Raise the soft open-files limit to fit -j, the loops and the connection
 * caches; cap -j where it cannot fit even without the caches' idle
 * connections, and give the caches what is left. */
static void prepare_open_files(struct config *cfg)
{
    long each = cfg->output_dir ? 2 : 1; /* a socket, and a body file */
    rlim_t loops = (rlim_t)cfg->threads * PREPARE_LOOP_FDS;
    rlim_t need = (rlim_t)cfg->parallel * (rlim_t)each + PREPARE_SPARE_FDS + loops;
    rlim_t idle = (rlim_t)cfg->parallel * (PREPARE_CACHE_PER_TRANSFER - 1);
    cfg->conn_cache = cfg->parallel * PREPARE_CACHE_PER_TRANSFER;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
        rl.rlim_cur >= need + idle)
        return;
    struct rlimit want = {need + idle, rl.rlim_max};
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need + idle)
        want.rlim_cur = rl.rlim_max;
    if (want.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &want) == 0)
        rl.rlim_cur = want.rlim_cur;
    if (rl.rlim_cur >= need) {
        cfg->conn_cache = cfg->parallel + (long)(rl.rlim_cur - need);
        return;
    }
    long fit = prepare_fit_parallel(rl.rlim_cur > loops ? rl.rlim_cur - loops : 0, each);
    log_warn("-j %ld needs about %llu open files, but the limit is %llu (ulimit -n): using -j %ld",
             cfg->parallel, (unsigned long long)need, (unsigned long long)rl.rlim_cur, fit);
    cfg->parallel = fit;
    cfg->conn_cache = fit;
}

bool prepare_config(struct config *cfg, struct report *rep, struct buf *err)
{
    prepare_url_args(cfg);
    if (!prepare_check(cfg, err) || !prepare_data(cfg, err))
        return false;
    if (cfg->output_dir && !prepare_output_dir(cfg->output_dir, err))
        return false;
    if (cfg->dump_header) {
        cfg->dump_header_fd =
            open(cfg->dump_header, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0666);
        if (cfg->dump_header_fd < 0) {
            buf_addf(err, "cannot write -D %s: %s", cfg->dump_header, strerror(errno));
            return false;
        }
    }
    for (size_t i = 0; i < cfg->nreports; i++)
        if (!report_add(rep, cfg->reports[i], err))
            return false;
    prepare_threads(cfg);
    prepare_open_files(cfg);
    if (cfg->threads > cfg->parallel) /* a loop that can never start a transfer */
        cfg->threads = cfg->parallel;
    return true;
}
