/* cli: one option table drives getopt_long, --help and validation; the
 * result is a struct config that nothing changes after parsing. */
#include "cli.h"
#include "log.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <event2/event.h>

enum opt_id {
    OPT_NONE = 0,
    OPT_FIRST_LONG = 256,
    OPT_CACERT,
    OPT_COLOR,
    OPT_COMPRESSED,
    OPT_CONNECT_TIMEOUT,
    OPT_CONNECT_TO,
    OPT_ALLOW_TIMEOUTS,
    OPT_DATA_BINARY,
    OPT_EXPECT_BODY,
    OPT_EXPECT_CONTAINS,
    OPT_EXPECT_HEADER,
    OPT_EXPECT_JQ,
    OPT_EXPECT_SHA256,
    OPT_EXPECT_SIZE,
    OPT_EXPECT_STATUS,
    OPT_EXPECT_TIME,
    OPT_INCLUDE_BODY,
    OPT_INCLUDE_HEADERS,
    OPT_MAX_BODY,
    OPT_MAX_FAIL_RATIO,
    OPT_OUTPUT_DIR,
    OPT_PROGRESS,
    OPT_REPORT,
    OPT_SHA256,
    OPT_DEADLINE,
    OPT_FAIL_FAST,
    OPT_MAX_FAILURES,
    OPT_PER_HOST,
    OPT_RATE,
    OPT_RATE_PER_HOST,
    OPT_RETRY,
    OPT_RETRY_ALL,
    OPT_RETRY_DELAY,
    OPT_RETRY_MAX_DELAY,
    OPT_FORMAT,
    OPT_HTTP11,
    OPT_HTTP2,
    OPT_HTTP2_PK,
    OPT_JSON,
    OPT_MAX_FILESIZE,
    OPT_MAX_REDIRS,
    OPT_ORDER,
    OPT_PROTO_DEFAULT,
    OPT_RESOLVE,
    OPT_URL,
    OPT_VERSION,
};

struct cli_opt {
    const char *name;
    int id;          /* the short letter, or an OPT_ value */
    const char *arg; /* NULL: no argument */
    const char *help;
};

/* Sorted by long name; --help lists them in this order. */
static const struct cli_opt cli_opts[] = {
    {"allow-timeouts", OPT_ALLOW_TIMEOUTS, NULL,
     "timeouts are recorded but fail neither the run nor the thresholds"},
    {"cacert", OPT_CACERT, "FILE", "CA certificates to verify peers with"},
    {"color", OPT_COLOR, "WHEN", "colour text output: auto, always, never (default auto)"},
    {"compressed", OPT_COMPRESSED, NULL, "ask for a compressed response and decode it"},
    {"connect-timeout", OPT_CONNECT_TIMEOUT, "SECS",
     "per attempt: DNS + TCP + TLS time limit (default 10)"},
    {"connect-to", OPT_CONNECT_TO, "H1:P1:H2:P2", "connect to H2:P2 for requests to H1:P1"},
    {"data", 'd', "DATA", "send DATA in a POST (@file reads a file, dropping CR/LF)"},
    {"data-binary", OPT_DATA_BINARY, "DATA", "send DATA as is (@file reads a file byte for byte)"},
    {"deadline", OPT_DEADLINE, "SECS", "whole run: then cancel what is left (exit 124)"},
    {"expect-body", OPT_EXPECT_BODY, "REGEX", "the body must match REGEX (PCRE2)"},
    {"expect-body-contains", OPT_EXPECT_CONTAINS, "TEXT", "the body must contain TEXT"},
    {"expect-header", OPT_EXPECT_HEADER, "'NAME: REGEX'",
     "a response header must match (repeatable)"},
    {"expect-jq", OPT_EXPECT_JQ, "EXPR", "a jq program on the JSON body must hold (as jq -e)"},
    {"expect-sha256", OPT_EXPECT_SHA256, "HEX", "the body's SHA-256"},
    {"expect-size", OPT_EXPECT_SIZE, "N|MIN-MAX|MIN-", "the body's size in bytes"},
    {"expect-status", OPT_EXPECT_STATUS, "LIST",
     "accepted statuses, e.g. 200,204,300-399 (replaces 2xx/3xx)"},
    {"expect-time", OPT_EXPECT_TIME, "SECS", "time_total must be at most SECS"},
    {"fail-fast", OPT_FAIL_FAST, NULL, "the first failed URL cancels the rest"},
    {"format", OPT_FORMAT, "FMT", "records as text (default), jsonl or json"},
    {"head", 'I', NULL, "send HEAD requests"},
    {"header", 'H', "'NAME: VALUE'", "add a request header (repeatable)"},
    {"help", 'h', NULL, "show this help and exit"},
    {"include-body", OPT_INCLUDE_BODY, NULL, "put the body (up to --max-body) in the record"},
    {"include-headers", OPT_INCLUDE_HEADERS, NULL, "put the response headers in the record"},
    {"http1.1", OPT_HTTP11, NULL, "use HTTP/1.1"},
    {"http2", OPT_HTTP2, NULL, "use HTTP/2 (upgrade on http://, ALPN on https://)"},
    {"http2-prior-knowledge", OPT_HTTP2_PK, NULL, "use HTTP/2 without HTTP/1.1 upgrade"},
    {"insecure", 'k', NULL, "do not verify TLS certificates"},
    {"json", OPT_JSON, NULL, "same as --format jsonl"},
    {"location", 'L', NULL, "follow redirects (http and https only)"},
    {"max-body", OPT_MAX_BODY, "BYTES", "most body bytes kept for checks and records (1M)"},
    {"max-fail-ratio", OPT_MAX_FAIL_RATIO, "P%", "the run passes while failed / read <= P%"},
    {"max-failures", OPT_MAX_FAILURES, "N", "cancel the rest after N failed URLs"},
    {"max-filesize", OPT_MAX_FILESIZE, "BYTES", "fail a URL whose body is larger (too_large)"},
    {"max-redirs", OPT_MAX_REDIRS, "N", "most redirects to follow with -L (default 10)"},
    {"max-time", 'm', "SECS", "per attempt: whole transfer time limit (default 30; 0: none)"},
    {"order", OPT_ORDER, "ORDER", "records in completion (default) or input order"},
    {"output-dir", OPT_OUTPUT_DIR, "DIR", "save each body in DIR (created if missing)"},
    {"parallel", 'j', "N", "transfers in flight at once (default 50)"},
    {"per-host", OPT_PER_HOST, "N", "transfers in flight per origin (default 0: no cap)"},
    {"proto-default", OPT_PROTO_DEFAULT, "SCHEME",
     "scheme for URLs without one: https (default) or http"},
    {"progress", OPT_PROGRESS, "WHEN", "progress on stderr: auto (a TTY), always, never"},
    {"proxy", 'x', "URL", "use this proxy (the usual proxy variables apply too)"},
    {"quiet", 'q', NULL, "no summary or progress on stderr"},
    {"rate", OPT_RATE, "R[/s|/m|/h]", "start at most R requests per unit, evenly spaced"},
    {"rate-per-host", OPT_RATE_PER_HOST, "R[/s|/m|/h]", "the same, per origin"},
    {"report", OPT_REPORT, "KIND=FILE", "also write a junit, tap, markdown or json report"},
    {"request", 'X', "METHOD", "request method"},
    {"resolve", OPT_RESOLVE, "HOST:PORT:ADDR", "resolve HOST:PORT to ADDR (repeatable)"},
    {"retry", OPT_RETRY, "N", "extra attempts on transient failures (default 0)"},
    {"retry-all-errors", OPT_RETRY_ALL, NULL, "retry every failure, any method"},
    {"retry-delay", OPT_RETRY_DELAY, "SECS",
     "first backoff, doubled each time, jittered (default 1)"},
    {"retry-max-delay", OPT_RETRY_MAX_DELAY, "SECS",
     "cap for one backoff and for Retry-After (default 30)"},
    {"sha256", OPT_SHA256, NULL, "put the body's SHA-256 in the record (body_sha256)"},
    {"url", OPT_URL, "URL", "fetch URL too, before the lists (repeatable)"},
    {"user-agent", 'A', "NAME", "User-Agent header (default volley/" VOLLEY_VERSION ")"},
    {"version", OPT_VERSION, NULL, "show versions and exit"},
    {"write-out", 'w', "TEMPLATE", "write each record with a template: %{http_code} %{url}\\n"},
};

#define NOPTS (sizeof cli_opts / sizeof cli_opts[0])

static void cli_help(FILE *out)
{
    fputs("Usage: volley [OPTIONS] [FILE...]\n"
          "Fetch the URLs listed in FILEs (or stdin, or --url) concurrently and write one\n"
          "record per URL. Lines: URLs; blank lines and #comments are skipped.\n\n",
          out);
    for (size_t i = 0; i < NOPTS; i++) {
        const struct cli_opt *o = &cli_opts[i];
        char left[64];
        if (o->id < OPT_FIRST_LONG)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->id, o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        if (strlen(left) > 28)
            fprintf(out, "  %s\n  %-28s %s\n", left, "", o->help);
        else
            fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fputs("\nExit status: 0 all passed; 1 a status or check failed; 2 usage error;\n"
          "3 a URL could not be fetched; 4 internal error; 124 --deadline ended the run;\n"
          "130/143 interrupted; 141 stdout closed early.\n"
          "See volley(1).\n",
          out);
}

static void cli_version(FILE *out)
{
    curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "volley %s\nlibcurl %s (%s)\nlibevent %s\ncJSON %s\n", VOLLEY_VERSION, v->version,
            v->ssl_version ? v->ssl_version : "no TLS", event_get_version(), cJSON_Version());
}

bool cli_parse_secs(const char *s, long *ms)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < 0 || v > 86400.0 * 365)
        return false;
    *ms = (long)ceil(v * 1000.0);
    return true;
}

static bool cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool cli_parse_rate(const char *s, int64_t *interval_us)
{
    char *end;
    errno = 0;
    double r = strtod(s, &end);
    if (end == s || errno || !isfinite(r) || r <= 0)
        return false;
    double unit = 1.0;
    if (*end == '/') {
        if (!strcmp(end + 1, "s"))
            unit = 1.0;
        else if (!strcmp(end + 1, "m"))
            unit = 60.0;
        else if (!strcmp(end + 1, "h"))
            unit = 3600.0;
        else
            return false;
    } else if (*end) {
        return false;
    }
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

static void cli_push(char ***arr, size_t *n, char *s)
{
    *arr = log_realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = s;
}

static char *cli_trim(const char *s)
{
    size_t n = strlen(s);
    text_trim(&s, &n);
    return log_strndup(s, n);
}

/* Read a -d/--data-binary value into DST (appending). */
static bool cli_read_data(const char *arg, bool binary, struct buf *dst, struct buf *err)
{
    if (arg[0] != '@') {
        buf_adds(dst, arg);
        return true;
    }
    const char *path = arg + 1;
    int fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        buf_addf(err, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            buf_addf(err, "cannot read %s: %s", path, strerror(errno));
            if (fd != STDIN_FILENO)
                close(fd);
            return false;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            if (binary || (tmp[i] != '\r' && tmp[i] != '\n'))
                buf_addc(dst, tmp[i]);
    }
    if (fd != STDIN_FILENO)
        close(fd);
    return true;
}

static bool cli_check_header(const char *h, struct buf *err)
{
    if (strpbrk(h, "\r\n")) {
        buf_addf(err, "header contains CR or LF: --header '%.60s'", h);
        return false;
    }
    const char *colon = strchr(h, ':');
    size_t n = strlen(h);
    if ((!colon && !(n > 1 && h[n - 1] == ';')) || colon == h) {
        buf_addf(err, "header must look like 'Name: value': '%.60s'", h);
        return false;
    }
    return true;
}

/* Check every FILE can be opened for reading now, so a bad name is a usage
 * error before anything is fetched. */
static bool cli_check_files(const struct config *cfg, struct buf *err)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *f = cfg->files[i];
        if (strcmp(f, "-") == 0)
            continue;
        int fd = open(f, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            buf_addf(err, "cannot read %s: %s", f, strerror(errno));
            return false;
        }
        struct stat st;
        bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
        close(fd);
        if (dir) {
            buf_addf(err, "cannot read %s: Is a directory", f);
            return false;
        }
    }
    return true;
}

/* mkdir -p DIR. */
static bool cli_mkdirs(const char *dir)
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
    return ok;
}

enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, struct buf *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->proto_default = "https";
    cfg->parallel = 50;
    cfg->max_time_ms = 30000;
    cfg->connect_timeout_ms = 10000;
    cfg->format = FORMAT_TEXT;
    cfg->user_agent = "volley/" VOLLEY_VERSION;
    cfg->max_redirs = 10;
    cfg->max_filesize = -1;
    cfg->retry_delay_ms = 1000;
    cfg->max_fail_ratio = -1;
    cfg->max_body = 1024 * 1024;
    cfg->retry_max_delay_ms = 30000;

    struct option longopts[NOPTS + 1];
    char shortopts[2 * NOPTS + 2];
    size_t ns = 0;
    shortopts[ns++] = ':';
    for (size_t i = 0; i < NOPTS; i++) {
        longopts[i] = (struct option){cli_opts[i].name, cli_opts[i].arg ? required_argument : 0,
                                      NULL, cli_opts[i].id};
        if (cli_opts[i].id < OPT_FIRST_LONG) {
            shortopts[ns++] = (char)cli_opts[i].id;
            if (cli_opts[i].arg)
                shortopts[ns++] = ':';
        }
    }
    shortopts[ns] = '\0';
    longopts[NOPTS] = (struct option){0};

    const char *write_out = NULL;
    struct buf data = {0};
    bool has_data = false;
    int c;
    opterr = 0;
    optind = 0; /* full re-initialisation (GNU): cli_parse may run again in tests */
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        switch (c) {
        case 'h':
            cli_help(out);
            buf_free(&data);
            return CLI_DONE;
        case OPT_VERSION:
            cli_version(out);
            buf_free(&data);
            return CLI_DONE;
        case 'j':
            if (!cli_parse_long(optarg, 1, 100000, &cfg->parallel)) {
                buf_addf(err, "--parallel needs a whole number from 1 to 100000, not '%s'", optarg);
                goto fail;
            }
            break;
        case 'm':
            if (!cli_parse_secs(optarg, &cfg->max_time_ms)) {
                buf_addf(err, "--max-time needs seconds (e.g. 2 or 0.5), not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_CONNECT_TIMEOUT:
            if (!cli_parse_secs(optarg, &cfg->connect_timeout_ms)) {
                buf_addf(err, "--connect-timeout needs seconds (e.g. 2 or 0.5), not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_PER_HOST:
            if (!cli_parse_long(optarg, 0, 100000, &cfg->per_host)) {
                buf_addf(err, "--per-host needs a whole number from 0 to 100000, not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_RATE:
        case OPT_RATE_PER_HOST:
            if (!cli_parse_rate(optarg, c == OPT_RATE ? &cfg->rate_us : &cfg->rate_host_us)) {
                buf_addf(err, "--%s needs a rate like 10, 10/s, 100/m or 1000/h, not '%s'",
                         c == OPT_RATE ? "rate" : "rate-per-host", optarg);
                goto fail;
            }
            break;
        case OPT_DEADLINE:
            if (!cli_parse_secs(optarg, &cfg->deadline_ms) || cfg->deadline_ms == 0) {
                buf_addf(err, "--deadline needs seconds above 0 (e.g. 60 or 2.5), not '%s'",
                         optarg);
                goto fail;
            }
            break;
        case OPT_RETRY:
            if (!cli_parse_long(optarg, 0, 1000, &cfg->retries)) {
                buf_addf(err, "--retry needs a whole number from 0 to 1000, not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_RETRY_DELAY:
        case OPT_RETRY_MAX_DELAY:
            if (!cli_parse_secs(optarg, c == OPT_RETRY_DELAY ? &cfg->retry_delay_ms
                                                             : &cfg->retry_max_delay_ms)) {
                buf_addf(err, "--%s needs seconds (e.g. 1 or 0.25), not '%s'",
                         c == OPT_RETRY_DELAY ? "retry-delay" : "retry-max-delay", optarg);
                goto fail;
            }
            break;
        case OPT_RETRY_ALL:
            cfg->retry_all_errors = true;
            break;
        case OPT_FAIL_FAST:
            cfg->fail_fast = true;
            break;
        case OPT_MAX_FAILURES:
            if (!cli_parse_long(optarg, 1, LONG_MAX, &cfg->max_failures)) {
                buf_addf(err, "--max-failures needs a whole number of at least 1, not '%s'",
                         optarg);
                goto fail;
            }
            break;
        case OPT_EXPECT_BODY:
        case OPT_EXPECT_CONTAINS:
        case OPT_EXPECT_HEADER:
        case OPT_EXPECT_JQ:
        case OPT_EXPECT_SHA256:
        case OPT_EXPECT_SIZE:
        case OPT_EXPECT_STATUS:
        case OPT_EXPECT_TIME: {
            static const struct {
                int id;
                const char *name;
            } names[] = {
                {OPT_EXPECT_BODY, "body"},     {OPT_EXPECT_CONTAINS, "body-contains"},
                {OPT_EXPECT_HEADER, "header"}, {OPT_EXPECT_JQ, "jq"},
                {OPT_EXPECT_SHA256, "sha256"}, {OPT_EXPECT_SIZE, "size"},
                {OPT_EXPECT_STATUS, "status"}, {OPT_EXPECT_TIME, "time"},
            };
            const char *name = NULL;
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
                if (names[i].id == c)
                    name = names[i].name;
            if (!cfg->checks)
                cfg->checks = check_spec_new();
            if (!check_spec_set(cfg->checks, name, optarg, err))
                goto fail;
            break;
        }
        case OPT_MAX_BODY:
            if (!cli_parse_size(optarg, &cfg->max_body)) {
                buf_addf(err, "--max-body needs a size in bytes (e.g. 65536 or 1M), not '%s'",
                         optarg);
                goto fail;
            }
            break;
        case OPT_MAX_FAIL_RATIO: {
            char *end;
            errno = 0;
            double p = strtod(optarg, &end);
            if (end == optarg || errno || !isfinite(p) || p < 0 || p > 100 ||
                (*end && strcmp(end, "%"))) {
                buf_addf(err,
                         "--max-fail-ratio needs a percentage from 0 to 100 (e.g. 5%%), not '%s'",
                         optarg);
                goto fail;
            }
            cfg->max_fail_ratio = p / 100.0;
            break;
        }
        case OPT_ALLOW_TIMEOUTS:
            cfg->allow_timeouts = true;
            break;
        case OPT_INCLUDE_BODY:
            cfg->include_body = true;
            break;
        case OPT_INCLUDE_HEADERS:
            cfg->include_headers = true;
            break;
        case OPT_SHA256:
            cfg->sha256 = true;
            break;
        case OPT_OUTPUT_DIR:
            if (!*optarg) {
                buf_adds(err, "--output-dir needs a directory");
                goto fail;
            }
            cfg->output_dir = optarg;
            break;
        case OPT_REPORT:
            cli_push(&cfg->reports, &cfg->nreports, log_strdup(optarg));
            break;
        case OPT_PROGRESS:
            if (!strcmp(optarg, "auto"))
                cfg->progress = PROGRESS_AUTO;
            else if (!strcmp(optarg, "always"))
                cfg->progress = PROGRESS_ALWAYS;
            else if (!strcmp(optarg, "never"))
                cfg->progress = PROGRESS_NEVER;
            else {
                buf_addf(err, "--progress must be auto, always or never, not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_URL: {
            char *u = cli_trim(optarg);
            if (!*u) {
                free(u);
                buf_adds(err, "--url needs a URL");
                goto fail;
            }
            cli_push(&cfg->urls, &cfg->nurls, u);
            break;
        }
        case OPT_PROTO_DEFAULT:
            if (strcasecmp(optarg, "http") && strcasecmp(optarg, "https")) {
                buf_addf(err, "--proto-default must be http or https, not '%s'", optarg);
                goto fail;
            }
            cfg->proto_default = strcasecmp(optarg, "http") ? "https" : "http";
            break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "text"))
                cfg->format = FORMAT_TEXT;
            else if (!strcmp(optarg, "jsonl"))
                cfg->format = FORMAT_JSONL;
            else if (!strcmp(optarg, "json"))
                cfg->format = FORMAT_JSON;
            else {
                buf_addf(err, "--format must be text, jsonl or json, not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_JSON:
            cfg->format = FORMAT_JSONL;
            break;
        case 'w':
            write_out = optarg;
            break;
        case OPT_ORDER:
            if (!strcmp(optarg, "input"))
                cfg->order_input = true;
            else if (!strcmp(optarg, "completion"))
                cfg->order_input = false;
            else {
                buf_addf(err, "--order must be completion or input, not '%s'", optarg);
                goto fail;
            }
            break;
        case OPT_COLOR:
            if (!strcmp(optarg, "auto"))
                cfg->color = COLOR_AUTO;
            else if (!strcmp(optarg, "always"))
                cfg->color = COLOR_ALWAYS;
            else if (!strcmp(optarg, "never"))
                cfg->color = COLOR_NEVER;
            else {
                buf_addf(err, "--color must be auto, always or never, not '%s'", optarg);
                goto fail;
            }
            break;
        case 'q':
            cfg->quiet = true;
            break;
        case 'X':
            if (!*optarg || strpbrk(optarg, " \t\r\n")) {
                buf_addf(err, "--request needs a method name, not '%s'", optarg);
                goto fail;
            }
            cfg->method = optarg;
            break;
        case 'H':
            if (!cli_check_header(optarg, err))
                goto fail;
            cli_push(&cfg->headers, &cfg->nheaders, log_strdup(optarg));
            break;
        case 'd':
        case OPT_DATA_BINARY:
            if (has_data) /* curl joins every piece of data with '&' */
                buf_addc(&data, '&');
            if (!cli_read_data(optarg, c == OPT_DATA_BINARY, &data, err))
                goto fail;
            has_data = true;
            break;
        case 'A':
            cfg->user_agent = optarg;
            break;
        case 'I':
            cfg->head = true;
            break;
        case 'L':
            cfg->location = true;
            break;
        case OPT_MAX_REDIRS:
            if (!cli_parse_long(optarg, -1, 1000, &cfg->max_redirs)) {
                buf_addf(err, "--max-redirs needs a number from -1 to 1000, not '%s'", optarg);
                goto fail;
            }
            break;
        case 'k':
            cfg->insecure = true;
            break;
        case OPT_CACERT:
            cfg->cacert = optarg;
            break;
        case OPT_HTTP11:
            cfg->http = HTTPV_1_1;
            break;
        case OPT_HTTP2:
            cfg->http = HTTPV_2;
            break;
        case OPT_HTTP2_PK:
            cfg->http = HTTPV_2_PRIOR;
            break;
        case OPT_COMPRESSED:
            cfg->compressed = true;
            break;
        case 'x':
            cfg->proxy = optarg;
            break;
        case OPT_RESOLVE:
            cli_push(&cfg->resolve, &cfg->nresolve, log_strdup(optarg));
            break;
        case OPT_CONNECT_TO:
            cli_push(&cfg->connect_to, &cfg->nconnect_to, log_strdup(optarg));
            break;
        case OPT_MAX_FILESIZE:
            if (!cli_parse_size(optarg, &cfg->max_filesize)) {
                buf_addf(err, "--max-filesize needs a size in bytes (e.g. 1048576 or 1M), not '%s'",
                         optarg);
                goto fail;
            }
            break;
        case ':':
            buf_addf(err, "option %s needs a value", argv[optind - 1]);
            goto fail;
        default:
            if (strncmp(argv[optind - 1], "--", 2) == 0)
                buf_addf(err, "unknown option or unexpected value: %s (see volley --help)",
                         argv[optind - 1]);
            else if (optopt && optopt < OPT_FIRST_LONG)
                buf_addf(err, "unknown option -%c (see volley --help)", optopt);
            else
                buf_addf(err, "unknown option %s (see volley --help)", argv[optind - 1]);
            goto fail;
        }
    }
    for (int i = optind; i < argc; i++)
        cli_push(&cfg->files, &cfg->nfiles, log_strdup(argv[i]));

    if (has_data) {
        cfg->data_len = data.len;
        cfg->data = log_malloc(data.len + 1);
        memcpy(cfg->data, data.p ? data.p : "", data.len);
        cfg->data[data.len] = '\0';
    }
    buf_free(&data);
    if (cfg->head && has_data) {
        buf_adds(err, "--head cannot be combined with --data");
        return CLI_ERROR;
    }
    if (write_out) {
        const char *why = NULL;
        char name[64] = "";
        cfg->tmpl = output_template_parse(write_out, &why, name, sizeof name);
        if (!cfg->tmpl) {
            buf_addf(err, "%s%s%s", why, *name ? ": " : "", name);
            return CLI_ERROR;
        }
        cfg->format = FORMAT_TEMPLATE;
    }
    if (!cli_check_files(cfg, err))
        return CLI_ERROR;
    if (cfg->output_dir && !cli_mkdirs(cfg->output_dir)) {
        buf_addf(err, "cannot create --output-dir %s: %s", cfg->output_dir, strerror(errno));
        return CLI_ERROR;
    }
    if (cfg->output_dir) {
        struct stat st;
        if (stat(cfg->output_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
            access(cfg->output_dir, W_OK) != 0) {
            buf_addf(err, "--output-dir %s is not a writable directory", cfg->output_dir);
            return CLI_ERROR;
        }
    }
    return CLI_RUN;
fail:
    buf_free(&data);
    return CLI_ERROR;
}

static void cli_free_list(char **arr, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(arr[i]);
    free(arr);
}

void cli_free(struct config *cfg)
{
    cli_free_list(cfg->files, cfg->nfiles);
    cli_free_list(cfg->urls, cfg->nurls);
    cli_free_list(cfg->headers, cfg->nheaders);
    cli_free_list(cfg->resolve, cfg->nresolve);
    cli_free_list(cfg->connect_to, cfg->nconnect_to);
    cli_free_list(cfg->reports, cfg->nreports);
    check_spec_free(cfg->checks);
    free(cfg->data);
    output_template_free(cfg->tmpl);
    memset(cfg, 0, sizeof *cfg);
}
