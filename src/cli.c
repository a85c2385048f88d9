/* cli: the command line → struct config by the option table (cli_table.c):
 * exact long names, bundled short letters, each value converted by its row's
 * type with a message made from the row; --help, --help-table and --version
 * are cli_help.c's, from the same rows. Opens no file: prepare.c does that
 * afterwards. */
#include "cli.h"
#include "cli_help.h"
#include "cli_table.h"
#include "form.h"
#include "log.h"
#include "shard.h"
#include "text.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The least --jq-memory. */
#define CLI_JQ_MEMORY_MIN ((int64_t)1024 * 1024)

/* ---- numbers ------------------------------------------------------------ */

static bool cli_digits(const char *s, const char *e, bool fraction, bool sign)
{
    if (sign && s < e && *s == '-')
        s++;
    bool digit = false, dot = false;
    for (; s < e; s++) {
        if (*s >= '0' && *s <= '9')
            digit = true;
        else if (*s == '.' && fraction && !dot)
            dot = true;
        else
            return false;
    }
    return digit;
}

bool cli_decimal(const char *s, bool fraction, bool sign)
{
    return cli_digits(s, s + strlen(s), fraction, sign);
}

bool cli_parse_secs(const char *s, long *ms)
{
    /* decimal seconds, or with a unit: 90s, 30m, 12h, 7d */
    static const struct {
        char unit;
        double secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    size_t n = strlen(s);
    double scale = 1;
    for (size_t i = 0; n > 1 && i < sizeof units / sizeof units[0]; i++)
        if (s[n - 1] == units[i].unit) {
            scale = units[i].secs;
            n--;
            break;
        }
    if (!cli_digits(s, s + n, true, false))
        return false;
    errno = 0;
    double v = strtod(s, NULL) * scale;
    if (errno || !isfinite(v) || v > 86400.0 * 365)
        return false;
    *ms = (long)ceil(v * 1000.0);
    return true;
}

static bool cli_parse_long(const char *s, long long min, long long max, long *out)
{
    if (!cli_decimal(s, false, true))
        return false;
    errno = 0;
    long v = strtol(s, NULL, 10);
    if (errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_rate(const char *s, int64_t *interval_us)
{
    const char *slash = strchr(s, '/');
    const char *e = slash ? slash : s + strlen(s);
    if (!cli_digits(s, e, true, false))
        return false;
    double unit = 1.0;
    if (slash && !strcmp(slash, "/m"))
        unit = 60.0;
    else if (slash && !strcmp(slash, "/h"))
        unit = 3600.0;
    else if (slash && strcmp(slash, "/s"))
        return false;
    errno = 0;
    double r = strtod(s, NULL);
    if (errno || !isfinite(r) || r <= 0)
        return false;
    double us = unit * 1e6 / r;
    if (us < 1 || us > 86400.0 * 365 * 1e6)
        return false;
    *interval_us = (int64_t)ceil(us);
    return true;
}

bool cli_parse_size(const char *s, int64_t *out)
{
    return check_parse_bytes(s, s + strlen(s), out);
}

/* "P" or "P%", P decimal from MIN to MAX → P / 100. */
static bool cli_parse_percent(const char *s, long long min, long long max, double *out)
{
    size_t n = strlen(s);
    if (n && s[n - 1] == '%')
        n--;
    if (!cli_digits(s, s + n, true, false))
        return false;
    double p = strtod(s, NULL);
    if (!isfinite(p) || p < (double)min || p > (double)max)
        return false;
    *out = p / 100.0;
    return true;
}

/* ---- storing by row ----------------------------------------------------- */

/* Store V (an index or a flag's value) in O's bool or int/enum field. */
static void cli_store_int(struct config *cfg, const struct cli_opt *o, int v)
{
    char *p = (char *)cfg + o->off;
    if (o->store == CLI_S_BOOL) {
        bool b = v != 0;
        memcpy(p, &b, sizeof b);
    } else {
        assert(o->store == CLI_S_NUM && o->size == sizeof(int));
        memcpy(p, &v, sizeof v);
    }
}

/* Store the number V in O's field, of the C type O's type converts to. */
static void cli_store_num(struct config *cfg, const struct cli_opt *o, double v)
{
    char *p = (char *)cfg + o->off;
    long l = (long)v;
    int64_t i = (int64_t)v;
    switch (o->type) {
    case CLI_INT:
    case CLI_SECS:
        assert(o->size == sizeof l);
        memcpy(p, &l, sizeof l);
        break;
    case CLI_RATE:
    case CLI_SIZE:
        assert(o->size == sizeof i);
        memcpy(p, &i, sizeof i);
        break;
    case CLI_PERCENT:
        assert(o->size == sizeof v);
        memcpy(p, &v, sizeof v);
        break;
    default:
        assert(!"no number field");
    }
}

/* The first control character of S (a byte below 0x20, or 0x7f) that is
 * not a tab where TAB_OK, or NULL. */
const char *cli_control(const char *s, bool tab_ok)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && !(tab_ok && *s == '\t')) || *s == 0x7f)
            return s;
    return NULL;
}

/* A control character in the value of --NAME: it would go on the wire as
 * raw bytes (a CR LF starts a header of its own). The value is not shown. */
static bool cli_bad_control(const char *name, const char *value, const char *at, struct buf *err)
{
    buf_addf(err, "--%s must not contain control characters such as CR or LF (byte 0x%02x at %zu)",
             name, (unsigned)(unsigned char)*at, (size_t)(at - value) + 1);
    return false;
}

/* The usage error for a bad VALUE of O, made from the row. */
static bool cli_bad(const struct cli_opt *o, const char *value, struct buf *err)
{
    buf_addf(err, "--%s ", o->name);
    switch (o->type) {
    case CLI_INT:
        if (o->max == LONG_MAX)
            buf_addf(err, "needs a whole number of at least %lld", o->min);
        else
            buf_addf(err, "needs a whole number from %lld to %lld", o->min, o->max);
        break;
    case CLI_SECS:
        buf_addf(err, "needs seconds%s (e.g. 2, 0.5 or 30m)", o->min > 0 ? " above 0" : "");
        break;
    case CLI_RATE:
        buf_adds(err, "needs a rate like 10, 10/s, 100/m or 1000/h");
        break;
    case CLI_SIZE:
        buf_adds(err, "needs a size in bytes (e.g. 65536 or 1M)");
        break;
    case CLI_PERCENT:
        buf_addf(err, "needs a percentage from %lld to %lld (e.g. 5%%)", o->min, o->max);
        break;
    case CLI_CHOICE:
        buf_adds(err, "must be ");
        cli_help_choices(err, o->choices);
        break;
    default:
        buf_addf(err, "needs a %s%s", o->arg,
                 o->flags & CLI_F_TOKEN ? " with no white space" : " that is not empty");
        break;
    }
    if (!(o->flags & CLI_F_SECRET))
        buf_addf(err, ", not '%s'", value);
    return false;
}

/* Convert VALUE by O's type (flags get NULL) and store it in CFG. */
static bool cli_convert(struct config *cfg, const struct cli_opt *o, const char *value,
                        struct buf *err)
{
    long l = 0;
    int64_t i64 = 0;
    double d = 0;
    switch (o->type) {
    case CLI_FLAG:
        cli_store_int(cfg, o, o->store == CLI_S_BOOL ? 1 : o->set);
        return true;
    case CLI_INT:
        if (!cli_parse_long(value, o->min, o->max, &l))
            return cli_bad(o, value, err);
        cli_store_num(cfg, o, (double)l);
        return true;
    case CLI_SECS:
        if (!cli_parse_secs(value, &l) || l < o->min)
            return cli_bad(o, value, err);
        cli_store_num(cfg, o, (double)l);
        return true;
    case CLI_RATE:
    case CLI_SIZE:
        if (!(o->type == CLI_RATE ? cli_parse_rate(value, &i64) : cli_parse_size(value, &i64)))
            return cli_bad(o, value, err);
        memcpy((char *)cfg + o->off, &i64, sizeof i64); /* exact beyond 2^53 */
        return true;
    case CLI_PERCENT:
        if (!cli_parse_percent(value, o->min, o->max, &d))
            return cli_bad(o, value, err);
        cli_store_num(cfg, o, d);
        return true;
    case CLI_CHOICE:
        for (int i = 0; o->choices[i]; i++)
            if (o->flags & CLI_F_ICASE ? !strcasecmp(value, o->choices[i])
                                       : !strcmp(value, o->choices[i])) {
                if (o->store == CLI_S_STR)
                    memcpy((char *)cfg + o->off, &o->choices[i], sizeof(const char *));
                else
                    cli_store_int(cfg, o, i);
                return true;
            }
        return cli_bad(o, value, err);
    case CLI_STRING:
        if (o->flags & CLI_F_PRINTABLE && cli_control(value, o->letter == 'A'))
            return cli_bad_control(o->name, value, cli_control(value, o->letter == 'A'), err);
        if ((o->flags & CLI_F_NONEMPTY && !*value) ||
            (o->flags & CLI_F_TOKEN && strpbrk(value, " \t\r\n\f\v")))
            return cli_bad(o, value, err);
        memcpy((char *)cfg + o->off, &value, sizeof value);
        return true;
    case CLI_LIST:
        log_strv_push((char ***)(void *)((char *)cfg + o->off),
                      (size_t *)(void *)((char *)cfg + o->count), log_strdup(value));
        return true;
    case CLI_CUSTOM:
        break;
    }
    assert(!"custom rows are not converted here");
    return false;
}

/* Every row's default, through the same conversion as a typed value. */
static void cli_defaults(struct config *cfg)
{
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    memset(cfg, 0, sizeof *cfg);
    cfg->dump_header_fd = -1;
    for (size_t i = 0; i < n; i++) {
        struct buf err = {0};
        if (rows[i].def && !cli_convert(cfg, &rows[i], rows[i].def, &err))
            log_die(LOG_EXIT_INTERNAL, "bad default in the option table: %s", buf_str(&err));
        else if (!rows[i].def && rows[i].unset != 0)
            cli_store_num(cfg, &rows[i], rows[i].unset);
    }
}

/* ---- the custom options ------------------------------------------------- */

static char *cli_trim(const char *s)
{
    size_t n = strlen(s);
    text_trim(&s, &n);
    return log_strndup(s, n);
}

/* A -H or --header-for (OPT) header: "Name: value", "Name:" or "Name;",
 * the name a token, no control character but a tab in the value. Messages
 * show the name only: the value may be a secret. */
bool cli_token(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f ||
            strchr("\"(),/:;<=>?@[\\]{}", s[i]))
            return false;
    return n > 0;
}

static bool cli_check_header(const char *opt, const char *h, struct buf *err)
{
    size_t name = strcspn(h, ":;");
    size_t n = strlen(h);
    if (name == 0 || (h[name] == ';' && name + 1 != n) || !h[name]) {
        buf_addf(err, "%s: a header must look like 'Name: value' (or 'Name;' to send it empty)",
                 opt);
        return false;
    }
    if (!cli_token(h, name)) {
        buf_addf(err, "%s: a header name must be an HTTP token (no blanks or control characters)",
                 opt);
        return false;
    }
    const char *c = cli_control(h + name, true);
    if (c) {
        buf_addf(err,
                 "%s: the value of header '%.*s' must not contain control characters such as CR "
                 "or LF (byte 0x%02x)",
                 opt, (int)(name > 60 ? 60 : name), h, (unsigned)(unsigned char)*c);
        return false;
    }
    return true;
}

/* --header-for PATTERN=HEADER: PATTERN is a host name (or a numeric
 * address) or "*." and a domain; HEADER as for -H. */
static bool cli_check_header_for(const char *v, struct buf *err)
{
    const char *eq = strchr(v, '=');
    const char *p = v;
    size_t n = eq ? (size_t)(eq - v) : 0;
    if (n > 2 && p[0] == '*' && p[1] == '.') {
        p += 2;
        n -= 2;
    }
    bool ok = n > 0 && p[0] != '.' && p[n - 1] != '.';
    bool bracket = ok && p[0] == '[';
    for (size_t i = 0; ok && i < n; i++) {
        char c = p[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-' || c == '.' || c == '_' || (bracket && strchr("[]:", c));
    }
    if (!ok) {
        buf_adds(err, "--header-for needs PATTERN='Name: value' with PATTERN a host name or "
                      "*.domain (no port, no other '*')");
        return false;
    }
    return cli_check_header("--header-for", eq + 1, err);
}

/* --local-port N or N-M, ports from 1 to 65535, N <= M. */
static bool cli_local_port(struct config *cfg, const char *v, struct buf *err)
{
    const char *dash = strchr(v, '-');
    char lo[8] = "", hi[8] = "";
    size_t nlo = dash ? (size_t)(dash - v) : strlen(v);
    long a = 0, b = 0;
    bool ok = nlo < sizeof lo && (!dash || strlen(dash + 1) < sizeof hi);
    if (ok) {
        memcpy(lo, v, nlo);
        if (dash)
            strcpy(hi, dash + 1);
        ok = cli_parse_long(lo, 1, 65535, &a) && (!dash || cli_parse_long(hi, a, 65535, &b));
    }
    if (!ok) {
        buf_addf(err, "--local-port needs a port N or a range N-M (1 to 65535), not '%s'", v);
        return false;
    }
    cfg->local_port = a;
    cfg->local_port_range = dash ? b - a + 1 : 0;
    return true;
}

static enum cli_result cli_custom(struct config *cfg, const struct cli_opt *o, const char *v,
                                  FILE *out, struct buf *err)
{
    switch ((enum cli_custom)o->custom) {
    case CLI_C_HELP:
        cli_help(out);
        return CLI_DONE;
    case CLI_C_HELP_TABLE:
        cli_help_table(out);
        return CLI_DONE;
    case CLI_C_VERSION:
        cli_help_version(out);
        return CLI_DONE;
    case CLI_C_DATA:
    case CLI_C_DATA_BINARY:
    case CLI_C_DATA_RAW:
    case CLI_C_DATA_URLENCODE: {
        enum cli_data_kind k = o->custom == CLI_C_DATA          ? DATA_ASCII
                               : o->custom == CLI_C_DATA_BINARY ? DATA_BINARY
                               : o->custom == CLI_C_DATA_RAW    ? DATA_RAW
                                                                : DATA_URLENCODE;
        cfg->data_args =
            log_realloc(cfg->data_args, (cfg->ndata_args + 1) * sizeof *cfg->data_args);
        cfg->data_args[cfg->ndata_args++] = (struct cli_data){v, k};
        return CLI_RUN;
    }
    case CLI_C_URL_QUERY:
        cfg->query_args =
            log_realloc(cfg->query_args, (cfg->nquery_args + 1) * sizeof *cfg->query_args);
        cfg->query_args[cfg->nquery_args++] = (struct cli_data){v, DATA_QUERY};
        return CLI_RUN;
    case CLI_C_HEADER:
        if (!cli_check_header("--header", v, err))
            return CLI_ERROR;
        log_strv_push(&cfg->headers, &cfg->nheaders, log_strdup(v));
        return CLI_RUN;
    case CLI_C_HEADER_FOR:
        if (!cli_check_header_for(v, err))
            return CLI_ERROR;
        log_strv_push(&cfg->header_for, &cfg->nheader_for, log_strdup(v));
        return CLI_RUN;
    case CLI_C_LOCAL_PORT:
        return cli_local_port(cfg, v, err) ? CLI_RUN : CLI_ERROR;
    case CLI_C_EXPECT:
        if (!cfg->checks)
            cfg->checks = check_spec_new();
        return check_spec_set(cfg->checks, o->name + strlen("expect-"), v, err) ? CLI_RUN
                                                                                : CLI_ERROR;
    case CLI_C_URL: {
        char *u = cli_trim(v);
        if (!*u) {
            free(u);
            buf_adds(err, "--url needs a URL");
            return CLI_ERROR;
        }
        log_strv_push(&cfg->urls, &cfg->nurls, u);
        return CLI_RUN;
    }
    case CLI_C_SHARD:
        return shard_parse(v, &cfg->shard_k, &cfg->shard_n, err) ? CLI_RUN : CLI_ERROR;
    case CLI_C_NONE:
        break;
    }
    assert(!"a custom row without code");
    return CLI_ERROR;
}

/* ---- the argv walk ------------------------------------------------------ */

static void cli_curl_only(const struct cli_curl *c, struct buf *err)
{
    if (c->letter && c->name)
        buf_addf(err, "-%c/--%s", c->letter, c->name);
    else if (c->letter)
        buf_addf(err, "-%c", c->letter);
    else
        buf_addf(err, "--%s", c->name);
    buf_addf(err, " is a curl option that volley does not have: %s", c->hint);
}

/* The row --NAME (LEN bytes) names exactly; NULL with the message in ERR. */
static const struct cli_opt *cli_find_long(const char *name, size_t len, struct buf *err)
{
    const struct cli_opt *o = cli_table_long(name, len);
    const struct cli_curl *c = o ? NULL : cli_table_curl_long(name, len);
    if (o)
        return o;
    if (c) {
        cli_curl_only(c, err);
        return NULL;
    }
    buf_addf(err, "unknown option --%.*s", (int)len, name);
    size_t before = err->len;
    cli_table_suggest(name, len, err);
    if (err->len == before)
        buf_adds(err, " (see volley --help)");
    return NULL;
}

static const struct cli_opt *cli_find_short(char c, struct buf *err)
{
    const struct cli_opt *o = cli_table_short(c);
    const struct cli_curl *cu = o ? NULL : cli_table_curl_short(c);
    if (cu)
        cli_curl_only(cu, err);
    else if (!o)
        buf_addf(err, "unknown option -%c (see volley --help)", c);
    return o;
}

/* Apply row O with VALUE (NULL for a flag); GIVEN (one flag per row)
 * remembers that it was. */
static enum cli_result cli_apply(struct config *cfg, const struct cli_opt *o, const char *value,
                                 bool *given, FILE *out, struct buf *err)
{
    size_t n;
    given[o - cli_table_rows(&n)] = true;
    if (o->type == CLI_CUSTOM)
        return cli_custom(cfg, o, value, out, err);
    return cli_convert(cfg, o, value, err) ? CLI_RUN : CLI_ERROR;
}

/* ARGV[*I] is "--name[=value]"; a value may also be the next argument. */
static enum cli_result cli_long(struct config *cfg, int argc, char **argv, int *i, bool *given,
                                FILE *out, struct buf *err)
{
    const char *name = argv[*i] + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct cli_opt *o = cli_find_long(name, len, err);
    if (!o)
        return CLI_ERROR;
    if (!o->arg && eq) {
        buf_addf(err, "--%s takes no value, not '%s'", o->name, eq + 1);
        return CLI_ERROR;
    }
    const char *value = eq ? eq + 1 : NULL;
    if (o->arg && !eq) {
        if (*i + 1 >= argc) {
            buf_addf(err, "--%s needs a value (%s)", o->name, o->arg);
            return CLI_ERROR;
        }
        value = argv[++*i];
    }
    return cli_apply(cfg, o, value, given, out, err);
}

/* ARGV[*I] is "-abc": flags, the last letter may take the rest (-j4) or the
 * next argument (-j 4) as its value. */
static enum cli_result cli_short(struct config *cfg, int argc, char **argv, int *i, bool *given,
                                 FILE *out, struct buf *err)
{
    for (const char *p = argv[*i] + 1; *p; p++) {
        const struct cli_opt *o = cli_find_short(*p, err);
        if (!o)
            return CLI_ERROR;
        if (!o->arg) {
            enum cli_result r = cli_apply(cfg, o, NULL, given, out, err);
            if (r != CLI_RUN)
                return r;
            continue;
        }
        const char *value = p + 1;
        if (!*value) {
            if (*i + 1 >= argc) {
                buf_addf(err, "-%c needs a value (%s)", *p, o->arg);
                return CLI_ERROR;
            }
            value = argv[++*i];
        }
        return cli_apply(cfg, o, value, given, out, err);
    }
    return CLI_RUN;
}

static void cli_add_file(struct config *cfg, const char *arg)
{
    cfg->file_nurls = log_realloc(cfg->file_nurls, (cfg->nfiles + 1) * sizeof *cfg->file_nurls);
    cfg->file_nurls[cfg->nfiles] = cfg->nurls;
    log_strv_push(&cfg->files, &cfg->nfiles, log_strdup(arg));
}

/* A --links run's own defaults, for the options not GIVEN. Its --retry
 * retries only what asks for it: a 429 or a 503. */
static void cli_links_defaults(struct config *cfg, const bool *given)
{
    size_t n;
    const struct cli_opt *rows = cli_table_rows(&n);
    for (size_t i = 0; i < n; i++) {
        struct buf err = {0};
        if (!rows[i].links_def || given[i])
            continue;
        if (!cli_convert(cfg, &rows[i], rows[i].links_def, &err))
            log_die(LOG_EXIT_INTERNAL, "bad --links default in the option table: %s",
                    buf_str(&err));
        if (strcmp(rows[i].name, "retry") == 0)
            cfg->retry_busy_only = true;
    }
}

/* The options that only a --links run reads. */
static const char *cli_links_only(const struct config *cfg)
{
    return cfg->base              ? "--base"
           : cfg->check_fragments ? "--check-fragments"
           : cfg->links_format    ? "--links-format"
           : cfg->ninclude_url    ? "--include-url"
           : cfg->nexclude_url    ? "--exclude-url"
                                  : NULL;
}

/* What depends on several options, once every argument is in. */
static enum cli_result cli_finish(struct config *cfg, const bool *given, struct buf *err)
{
    const char *only = cli_links_only(cfg);
    if (!cfg->links && only) {
        buf_addf(err, "%s is an option of --links: add --links to check the links of documents",
                 only);
        return CLI_ERROR;
    }
    if (cfg->links && cfg->summarize) {
        buf_adds(err, "--summarize reads record files: it cannot be combined with --links");
        return CLI_ERROR;
    }
    if (cfg->check_fragments && cfg->head) {
        buf_adds(err, "--check-fragments reads the bodies: it cannot be combined with --head");
        return CLI_ERROR;
    }
    if (cfg->links)
        cli_links_defaults(cfg, given);
    if (cfg->head && cfg->ndata_args && !cfg->get) {
        buf_adds(err, "--head cannot be combined with --data (but with -G it can)");
        return CLI_ERROR;
    }
    if (cfg->nforms && (cfg->ndata_args || cfg->head || cfg->get)) {
        buf_addf(err, "--form cannot be combined with %s",
                 cfg->ndata_args ? "--data"
                 : cfg->head     ? "--head"
                                 : "--get");
        return CLI_ERROR;
    }
    /* volley cannot ask for a password as curl does */
    const char *creds[][2] = {{"user", cfg->user}, {"proxy-user", cfg->proxy_user}};
    for (size_t i = 0; i < sizeof creds / sizeof creds[0]; i++)
        if (creds[i][1] && !strchr(creds[i][1], ':')) {
            buf_addf(err, "--%s needs USER:PASSWORD (volley does not ask for a password)",
                     creds[i][0]);
            return CLI_ERROR;
        }
    if (cfg->summarize && (cfg->dry_run || cfg->nresume || cfg->shard_n || cfg->nurls)) {
        buf_addf(err, "--summarize reads record files only: it cannot be combined with %s",
                 cfg->dry_run   ? "--dry-run"
                 : cfg->nresume ? "--resume"
                 : cfg->shard_n ? "--shard"
                                : "--url");
        return CLI_ERROR;
    }
    if (cfg->summarize && cfg->nfiles == 0) {
        buf_adds(err, "--summarize needs record files (FILE...), e.g. the shards' outputs");
        return CLI_ERROR;
    }
    if (cfg->jq_memory < CLI_JQ_MEMORY_MIN) {
        buf_addf(err, "--jq-memory needs at least 1M (jq itself needs that much), not %lld bytes",
                 (long long)cfg->jq_memory);
        return CLI_ERROR;
    }
    for (size_t i = 0; cfg->summarize && i < cfg->nfiles; i++)
        if (strcmp(cfg->files[i], "-") == 0) {
            buf_adds(err, "--summarize reads each file twice: stdin (-) cannot be one");
            return CLI_ERROR;
        }
    if (cfg->write_out) {
        cfg->tmpl = output_template_parse(cfg->write_out, err);
        if (!cfg->tmpl)
            return CLI_ERROR;
        cfg->format = FORMAT_TEMPLATE; /* -w wins over --format whatever the order */
    }
    return CLI_RUN;
}

enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, struct buf *err)
{
    cli_defaults(cfg);
    size_t nrows;
    cli_table_rows(&nrows);
    bool *given = log_calloc(nrows, sizeof *given);
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        enum cli_result r = CLI_RUN;
        if (only_files || a[0] != '-' || a[1] == '\0')
            cli_add_file(cfg, a); /* "-" is stdin */
        else if (strcmp(a, "--") == 0)
            only_files = true;
        else if (a[1] == '-')
            r = cli_long(cfg, argc, argv, &i, given, out, err);
        else
            r = cli_short(cfg, argc, argv, &i, given, out, err);
        if (r != CLI_RUN) {
            free(given);
            return r;
        }
    }
    enum cli_result r = cli_finish(cfg, given, err);
    free(given);
    return r;
}

static void cli_free_list(char **arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(arr[i]);
    free(arr);
}

void cli_free(struct config *cfg)
{
    cli_free_list(cfg->header_for, cfg->nheader_for);
    cli_free_list(cfg->cookies, cfg->ncookies);
    cli_free_list(cfg->forms, cfg->nforms);
    free(cfg->query_args);
    free(cfg->cert_file);
    free(cfg->cert_password);
    free(cfg->query);
    form_free(cfg->form);
    if (cfg->dump_header_fd >= 0)
        close(cfg->dump_header_fd);
    int keep_closed = -1;
    cli_free_list(cfg->files, cfg->nfiles);
    cli_free_list(cfg->urls, cfg->nurls);
    cli_free_list(cfg->headers, cfg->nheaders);
    cli_free_list(cfg->resolve, cfg->nresolve);
    cli_free_list(cfg->connect_to, cfg->nconnect_to);
    cli_free_list(cfg->reports, cfg->nreports);
    cli_free_list(cfg->resume, cfg->nresume);
    cli_free_list(cfg->include_url, cfg->ninclude_url);
    cli_free_list(cfg->exclude_url, cfg->nexclude_url);
    cli_free_list(cfg->allow_address, cfg->nallow_address);
    free(cfg->file_nurls);
    free(cfg->data_args);
    check_spec_free(cfg->checks);
    free(cfg->data);
    output_template_free(cfg->tmpl);
    memset(cfg, 0, sizeof *cfg);
    cfg->dump_header_fd = keep_closed;
}
