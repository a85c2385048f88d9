/* cli_table: every option of volley as one typed row, the curl options it
 * does not have (each with a hint), and the lookups cli.c parses with. */
#include "cli_table.h"
#include "cli.h"
#include "shard.h"

#include <limits.h>
#include <string.h>

/* Where a row's value goes in struct config. */
#define AT(f)                                                                                      \
    .off = offsetof(struct config, f), .size = sizeof(((struct config *)0)->f),                    \
    .store = _Generic(((struct config *)0)->f, bool: CLI_S_BOOL, const char *: CLI_S_STR,         \
                      char **: CLI_S_LIST, default: CLI_S_NUM)
#define LIST_AT(f, n) AT(f), .count = offsetof(struct config, n), .flags = CLI_F_REPEAT

/* Choices, in the order of the values they store: enum cli_color and
 * cli_progress, enum output_format, bool order_input; the schemes are
 * stored as themselves. */
static const char *const cli_when[] = {"auto", "always", "never", NULL};
static const char *const cli_formats[] = {"text", "jsonl", "json", NULL};
static const char *const cli_orders[] = {"completion", "input", NULL};
static const char *const cli_schemes[] = {"https", "http", NULL};
static const char *const cli_cert_types[] = {"PEM", "DER", "ENG", "P12", NULL};
static const char *const cli_shard_keys[] = {"host", "domain", "origin", "url", NULL};
_Static_assert(COLOR_AUTO == 0 && COLOR_ALWAYS == 1 && COLOR_NEVER == 2, "cli_when");
_Static_assert(PROGRESS_AUTO == 0 && PROGRESS_ALWAYS == 1 && PROGRESS_NEVER == 2, "cli_when");
_Static_assert(FORMAT_TEXT == 0 && FORMAT_JSONL == 1 && FORMAT_JSON == 2, "cli_formats");
_Static_assert(SHARD_BY_HOST == 0 && SHARD_BY_DOMAIN == 1 && SHARD_BY_ORIGIN == 2 &&
                   SHARD_BY_URL == 3,
               "cli_shard_keys");

#define FLAG(f) CLI_FLAG, AT(f)
#define TEXT (CLI_F_PRINTABLE | CLI_F_NONEMPTY)
#define SECRET (CLI_F_PRINTABLE | CLI_F_NONEMPTY | CLI_F_SECRET)
#define EXPECT(name, a, h)                                                                         \
    {                                                                                              \
        "expect-" name, 0, CLI_CUSTOM, .custom = CLI_C_EXPECT, .arg = a, .help = h                 \
    }

/* Sorted by long name; --help lists them in this order. */
static const struct cli_opt cli_rows[] = {
    {"allow-address", 0, CLI_LIST, LIST_AT(allow_address, nallow_address), .arg = "ADDR[/BITS]",
     .help = "with --deny-private: connect to these addresses anyway"},
    {"allow-timeouts", 0, FLAG(allow_timeouts),
     .help = "timeouts are recorded but fail neither the run nor the thresholds"},
    {"anyauth", 0, FLAG(auth), .set = AUTH_ANY,
     .help = "-u: let libcurl pick the safest HTTP auth the server offers"},
    {"basic", 0, FLAG(auth), .set = AUTH_BASIC, .help = "-u with HTTP Basic auth (the default)"},
    {"cacert", 0, CLI_STRING, AT(cacert), .arg = "FILE",
     .help = "CA certificates to verify peers with"},
    {"capath", 0, CLI_STRING, AT(capath), .flags = CLI_F_NONEMPTY, .arg = "DIR",
     .help = "a directory of CA certificates (OpenSSL's hashed names)"},
    {"cert", 'E', CLI_STRING, AT(cert), .flags = CLI_F_NONEMPTY | CLI_F_SECRET,
     .arg = "FILE[:PASSWORD]", .help = "TLS client certificate (and its key's password)"},
    {"cert-type", 0, CLI_CHOICE, AT(cert_type), .flags = CLI_F_ICASE, .choices = cli_cert_types,
     .def = "PEM", .arg = "TYPE", .help = "the format of --cert"},
    {"ciphers", 0, CLI_STRING, AT(ciphers), .flags = TEXT, .arg = "LIST",
     .help = "TLS 1.2 cipher list (OpenSSL's syntax)"},
    {"color", 0, CLI_CHOICE, AT(color), .choices = cli_when, .def = "auto", .arg = "WHEN",
     .help = "colour text output"},
    {"compressed", 0, FLAG(compressed), .help = "ask for a compressed response and decode it"},
    {"connect-timeout", 0, CLI_SECS, AT(connect_timeout_ms), .def = "10", .arg = "SECS",
     .help = "per attempt: DNS + TCP + TLS time limit; 0: libcurl's"},
    {"connect-to", 0, CLI_LIST, LIST_AT(connect_to, nconnect_to), .arg = "H1:P1:H2:P2",
     .help = "connect to H2:P2 for requests to H1:P1"},
    {"cookie", 'b', CLI_LIST, LIST_AT(cookies, ncookies), .arg = "DATA|FILE",
     .help = "send cookies: 'NAME=VALUE; ...', or read a cookie file"},
    {"cookie-jar", 'c', CLI_STRING, AT(cookie_jar), .flags = CLI_F_NONEMPTY, .arg = "FILE",
     .help = "one cookie jar for the run, written to FILE at exit"},
    {"data", 'd', CLI_CUSTOM, .custom = CLI_C_DATA, .flags = CLI_F_REPEAT, .arg = "DATA",
     .help = "send DATA in a POST (@file reads a file, dropping CR/LF)"},
    {"data-binary", 0, CLI_CUSTOM, .custom = CLI_C_DATA_BINARY, .flags = CLI_F_REPEAT,
     .arg = "DATA", .help = "send DATA as is (@file reads a file byte for byte)"},
    {"data-raw", 0, CLI_CUSTOM, .custom = CLI_C_DATA_RAW, .flags = CLI_F_REPEAT, .arg = "DATA",
     .help = "send DATA as -d does, '@' not special"},
    {"data-urlencode", 0, CLI_CUSTOM, .custom = CLI_C_DATA_URLENCODE, .flags = CLI_F_REPEAT,
     .arg = "DATA", .help = "send DATA URL-encoded: TEXT, =TEXT, NAME=TEXT, @FILE, NAME@FILE"},
    {"deadline", 0, CLI_SECS, AT(deadline_ms), .min = 1, .arg = "SECS",
     .help = "whole run: then cancel what is left (exit 124)"},
    {"deny-private", 0, FLAG(deny_private),
     .help = "refuse to connect to loopback, private, link-local, multicast, reserved and "
             "metadata addresses"},
    {"digest", 0, FLAG(auth), .set = AUTH_DIGEST, .help = "-u with HTTP Digest auth"},
    {"dry-run", 0, FLAG(dry_run), .help = "print the lines this run would handle; fetch nothing"},
    {"dump-header", 'D', CLI_STRING, AT(dump_header), .flags = CLI_F_NONEMPTY, .arg = "FILE",
     .help = "write every response's headers to FILE, each block after its [seq] URL"},
    EXPECT("body", "REGEX", "the body must match REGEX (PCRE2)"),
    EXPECT("body-contains", "TEXT", "the body must contain TEXT"),
    {"expect-header", 0, CLI_CUSTOM, .custom = CLI_C_EXPECT, .flags = CLI_F_REPEAT,
     .arg = "'NAME: REGEX'", .help = "a response header must match"},
    EXPECT("jq", "EXPR", "a jq program on the JSON body must hold (as jq -e)"),
    EXPECT("sha256", "HEX", "the body's SHA-256"),
    EXPECT("size", "N|MIN-MAX|MIN-", "the body's size in bytes"),
    EXPECT("status", "LIST", "accepted statuses, e.g. 200,204,300-399 (replaces 2xx/3xx)"),
    EXPECT("time", "SECS", "time_total must be at most SECS"),
    {"fail", 'f', FLAG(fail), .help = "accepted for curl users: HTTP >= 400 already fails a URL"},
    {"fail-fast", 0, FLAG(fail_fast), .help = "the first failed URL cancels the rest"},
    {"form", 'F', CLI_LIST, LIST_AT(forms, nforms), .arg = "NAME=VALUE",
     .help = "send a multipart form field: NAME=TEXT, NAME=@FILE, NAME=<FILE"},
    {"format", 0, CLI_CHOICE, AT(format), .choices = cli_formats, .def = "text", .arg = "FMT",
     .help = "record format"},
    {"get", 'G', FLAG(get), .help = "send the data in the URL's query, with GET"},
    {"head", 'I', FLAG(head), .help = "send HEAD requests"},
    {"header", 'H', CLI_CUSTOM, .custom = CLI_C_HEADER, .flags = CLI_F_REPEAT,
     .arg = "'NAME: VALUE'", .help = "add a request header"},
    {"header-for", 0, CLI_CUSTOM, .custom = CLI_C_HEADER_FOR, .flags = CLI_F_REPEAT,
     .arg = "PATTERN='NAME: VALUE'",
     .help = "a header sent only to hosts matching PATTERN (HOST or *.DOMAIN)"},
    {"help", 'h', CLI_CUSTOM, .custom = CLI_C_HELP, .help = "show this help and exit"},
    {"help-table", 0, CLI_CUSTOM, .custom = CLI_C_HELP_TABLE, .flags = CLI_F_HIDDEN,
     .help = "the option table as tab-separated rows (for scripts/completions.sh)"},
    {"http1.1", 0, FLAG(http), .set = HTTPV_1_1, .help = "use HTTP/1.1"},
    {"http2", 0, FLAG(http), .set = HTTPV_2,
     .help = "use HTTP/2 (upgrade on http://, ALPN on https://)"},
    {"http2-prior-knowledge", 0, FLAG(http), .set = HTTPV_2_PRIOR,
     .help = "use HTTP/2 without HTTP/1.1 upgrade"},
    {"include", 'i', FLAG(include_headers), .help = "curl's -i: the same as --include-headers"},
    {"include-body", 0, FLAG(include_body),
     .help = "put the body (up to --max-body) in the record"},
    {"include-headers", 0, FLAG(include_headers), .help = "put the response headers in the record"},
    {"insecure", 'k', FLAG(insecure), .help = "do not verify TLS certificates"},
    {"interface", 0, CLI_STRING, AT(interface), .flags = TEXT, .arg = "NAME|ADDR",
     .help = "connect from this interface or source address"},
    {"ipv4", '4', FLAG(ip), .set = IP_V4, .help = "connect to IPv4 addresses only"},
    {"ipv6", '6', FLAG(ip), .set = IP_V6, .help = "connect to IPv6 addresses only"},
    {"jq-budget", 0, CLI_SECS, AT(jq_budget_ms), .min = 1, .def = "1", .arg = "SECS",
     .help = "time limit of one --expect-jq evaluation (its check fails past it)"},
    {"jq-memory", 0, CLI_SIZE, AT(jq_memory), .def = "512M", .arg = "BYTES",
     .help = "memory one --expect-jq evaluation may use (its check fails past it)"},
    {"json", 0, FLAG(format), .set = FORMAT_JSONL, .help = "the same as --format jsonl"},
    {"keepalive-time", 0, CLI_SECS, AT(keepalive_ms), .min = 1000, .def = "60", .arg = "SECS",
     .help = "idle time before TCP keepalive probes (whole seconds)"},
    {"key", 0, CLI_STRING, AT(key), .flags = CLI_F_NONEMPTY, .arg = "FILE",
     .help = "the private key of --cert"},
    {"limit-rate", 0, CLI_SIZE, AT(limit_rate), .arg = "RATE",
     .help = "most bytes per second, per transfer; 0: none"},
    {"local-port", 0, CLI_CUSTOM, .custom = CLI_C_LOCAL_PORT, .arg = "N[-M]",
     .help = "connect from local port N (or one from N to M)"},
    {"location", 'L', FLAG(location), .help = "follow redirects (http and https only)"},
    {"max-age", 0, CLI_SECS, AT(max_age_ms), .min = 1, .arg = "SECS",
     .help = "--resume: older records are not final"},
    {"max-body", 0, CLI_SIZE, AT(max_body), .def = "1M", .arg = "BYTES",
     .help = "most body bytes kept for checks and records"},
    {"max-fail-ratio", 0, CLI_PERCENT, AT(max_fail_ratio), .min = 0, .max = 100, .unset = -1,
     .arg = "P%", .help = "the run passes while failed / read <= P%"},
    {"max-failures", 0, CLI_INT, AT(max_failures), .min = 1, .max = LONG_MAX, .arg = "N",
     .help = "cancel the rest after N failed URLs"},
    {"max-filesize", 0, CLI_SIZE, AT(max_filesize), .unset = -1, .arg = "BYTES",
     .help = "fail a URL whose body is larger (too_large)"},
    {"max-redirs", 0, CLI_INT, AT(max_redirs), .min = -1, .max = 1000, .def = "10", .arg = "N",
     .help = "most redirects to follow with -L; -1: no limit"},
    {"max-time", 'm', CLI_SECS, AT(max_time_ms), .def = "30", .arg = "SECS",
     .help = "per attempt: whole transfer time limit; 0: none"},
    {"netrc", 0, FLAG(netrc), .help = "credentials from ~/.netrc (which must be readable)"},
    {"netrc-file", 0, CLI_STRING, AT(netrc_file), .flags = CLI_F_NONEMPTY, .arg = "FILE",
     .help = "credentials from FILE instead of ~/.netrc"},
    {"netrc-optional", 0, FLAG(netrc_optional),
     .help = "credentials from ~/.netrc (or --netrc-file) when it is there"},
    {"no-keepalive", 0, FLAG(no_keepalive), .help = "no TCP keepalive probes"},
    {"noproxy", 0, CLI_STRING, AT(noproxy), .flags = CLI_F_PRINTABLE, .arg = "LIST",
     .help = "hosts reached without the proxy ('*': all); replaces no_proxy"},
    {"oauth2-bearer", 0, CLI_STRING, AT(oauth2_bearer), .flags = SECRET, .arg = "TOKEN",
     .help = "send an OAuth 2 Bearer token"},
    {"order", 0, CLI_CHOICE, AT(order_input), .choices = cli_orders, .def = "completion",
     .arg = "ORDER", .help = "record order on stdout"},
    {"output-dir", 0, CLI_STRING, AT(output_dir), .flags = CLI_F_NONEMPTY, .arg = "DIR",
     .help = "save each body in DIR (created if missing)"},
    {"parallel", 'j', CLI_INT, AT(parallel), .min = 1, .max = 100000, .def = "50", .arg = "N",
     .help = "transfers in flight at once"},
    {"path-as-is", 0, FLAG(path_as_is), .help = "send /../ and /./ in paths as given"},
    {"per-host", 0, CLI_INT, AT(per_host), .min = 0, .max = 100000, .def = "0", .arg = "N",
     .help = "transfers in flight per origin; 0: no cap"},
    {"pinnedpubkey", 0, CLI_STRING, AT(pinnedpubkey), .flags = CLI_F_NONEMPTY,
     .arg = "FILE|sha256//HASH", .help = "the server's public key must be this one"},
    {"progress", 0, CLI_CHOICE, AT(progress), .choices = cli_when, .def = "auto", .arg = "WHEN",
     .help = "progress line on stderr"},
    {"proto-default", 0, CLI_CHOICE, AT(proto_default), .flags = CLI_F_ICASE,
     .choices = cli_schemes, .def = "https", .arg = "SCHEME",
     .help = "scheme for URLs without one"},
    {"proxy", 'x', CLI_STRING, AT(proxy), .arg = "URL",
     .help = "use this proxy (the usual proxy variables apply too)"},
    {"proxy-user", 'U', CLI_STRING, AT(proxy_user), .flags = SECRET, .arg = "USER:PASS",
     .help = "credentials for the proxy"},
    {"quiet", 'q', FLAG(quiet), .help = "no summary or progress on stderr"},
    {"rate", 0, CLI_RATE, AT(rate_us), .arg = "R[/s|/m|/h]",
     .help = "start at most R requests per unit, evenly spaced"},
    {"rate-per-host", 0, CLI_RATE, AT(rate_host_us), .arg = "R[/s|/m|/h]",
     .help = "the same, per origin"},
    {"referer", 'e', CLI_STRING, AT(referer), .flags = TEXT, .arg = "URL[;auto]",
     .help = "Referer header (;auto: the previous URL after a redirect)"},
    {"report", 0, CLI_LIST, LIST_AT(reports, nreports), .arg = "KIND=FILE",
     .help = "also write a junit, tap, markdown or json report"},
    {"request", 'X', CLI_STRING, AT(method), .flags = TEXT | CLI_F_TOKEN, .arg = "METHOD",
     .help = "request method"},
    {"resolve", 0, CLI_LIST, LIST_AT(resolve, nresolve), .arg = "HOST:PORT:ADDR",
     .help = "resolve HOST:PORT to ADDR"},
    {"resume", 0, CLI_LIST, LIST_AT(resume, nresume), .arg = "FILE",
     .help = "skip requests already done in FILE (a JSONL output)"},
    {"resume-failed", 0, FLAG(resume_failed), .help = "--resume: fetch failed requests again"},
    {"retry", 0, CLI_INT, AT(retries), .min = 0, .max = 1000, .def = "0", .arg = "N",
     .help = "extra attempts on transient failures"},
    {"retry-all-errors", 0, FLAG(retry_all_errors), .help = "retry every failure, any method"},
    {"retry-delay", 0, CLI_SECS, AT(retry_delay_ms), .def = "1", .arg = "SECS",
     .help = "first backoff, doubled each time, jittered"},
    {"retry-max-delay", 0, CLI_SECS, AT(retry_max_delay_ms), .def = "30", .arg = "SECS",
     .help = "cap for one backoff and for Retry-After"},
    {"sha256", 0, FLAG(sha256), .help = "put the body's SHA-256 in the record (body_sha256)"},
    {"shard", 0, CLI_CUSTOM, .custom = CLI_C_SHARD, .arg = "K/N",
     .help = "keep shard K of N of the lines (K from 1)"},
    {"shard-by", 0, CLI_CHOICE, AT(shard_by), .choices = cli_shard_keys, .def = "host",
     .arg = "KEY", .help = "what --shard hashes (FNV-1a-64)"},
    {"show-error", 'S', FLAG(show_error),
     .help = "accepted for curl users: volley always shows errors"},
    {"silent", 's', FLAG(quiet), .help = "curl's -s: the same as --quiet"},
    {"summarize", 0, FLAG(summarize), .help = "FILEs are records: summarize them as one run"},
    {"tlsv1.2", 0, FLAG(tls_min), .set = TLS_1_2, .help = "use TLS 1.2 or later"},
    {"tlsv1.3", 0, FLAG(tls_min), .set = TLS_1_3, .help = "use TLS 1.3 or later"},
    {"url", 0, CLI_CUSTOM, .custom = CLI_C_URL, .flags = CLI_F_REPEAT, .arg = "URL",
     .help = "fetch URL too, before the lists"},
    {"url-query", 0, CLI_CUSTOM, .custom = CLI_C_URL_QUERY, .flags = CLI_F_REPEAT, .arg = "DATA",
     .help = "append DATA to every URL's query, as --data-urlencode (+DATA: as is)"},
    {"user", 'u', CLI_STRING, AT(user), .flags = SECRET, .arg = "USER:PASS",
     .help = "server credentials (Basic unless --digest or --anyauth)"},
    {"user-agent", 'A', CLI_STRING, AT(user_agent), .flags = CLI_F_PRINTABLE,
     .def = "volley/" VOLLEY_VERSION, .arg = "NAME", .help = "User-Agent header"},
    {"verbose", 'v', FLAG(verbose),
     .help = "libcurl's trace on stderr, each line after its [seq], secrets as ***"},
    {"version", 0, CLI_CUSTOM, .custom = CLI_C_VERSION, .help = "show versions and exit"},
    {"write-out", 'w', CLI_STRING, AT(write_out), .arg = "TEMPLATE",
     .help = "write each record with a template: %{http_code} %{url}\\n"},
};

#define NROWS (sizeof cli_rows / sizeof cli_rows[0])

#define CARES "needs a libcurl built with c-ares, which Debian's is not; use --resolve"
#define BODIES "volley writes every body with --output-dir"

/* curl's options that volley does not offer. Never list here what volley
 * is going to add (then it gets a row above). */
static const struct cli_curl cli_curl_opts[] = {
    {'o', "output", "curl's -o writes one body; volley writes bodies with --output-dir"},
    {'O', "remote-name", BODIES " (named after the URL)"},
    {0, "remote-name-all", BODIES " (named after the URL)"},
    {'J', "remote-header-name", BODIES " (named after the URL)"},
    {0, "create-dirs", "--output-dir creates its directory"},
    {'T', "upload-file", "send a body with -d/--data-binary @FILE (and -X PUT)"},
    {0, "dns-servers", CARES},
    {0, "dns-interface", CARES},
    {0, "dns-ipv4-addr", CARES},
    {0, "dns-ipv6-addr", CARES},
    {0, "doh-url", "volley resolves with the system resolver; use --resolve"},
    {'#', "progress-bar", "volley draws its own progress line (--progress)"},
    {'C', "continue-at", "volley fetches whole bodies"},
    {'r', "range", "volley fetches whole bodies; send -H 'Range: bytes=...' yourself"},
    {'Z', NULL, "volley is always parallel: -j"},
    {0, "parallel-max", "volley's -j/--parallel"},
    {0, "parallel-immediate", "volley is always parallel: -j"},
    {'K', "config", "volley reads no config file; put the options in a script"},
    {':', "next",
     "volley applies one set of options to every URL; per-URL settings go in "
     "JSON request specs"},
    {0, "http3", "needs a libcurl built with HTTP/3, which Debian's is not"},
    {0, "http3-only", "needs a libcurl built with HTTP/3, which Debian's is not"},
    {'0', "http1.0", "volley speaks HTTP/1.1 and HTTP/2 (--http1.1, --http2)"},
    {'N', "no-buffer", "volley writes each record whole, as it finishes"},
    {'Y', "speed-limit", "limit each attempt with -m/--max-time"},
    {'y', "speed-time", "limit each attempt with -m/--max-time"},
    {0, "retry-max-time", "--deadline bounds the whole run"},
    {0, "retry-connrefused", "--retry already retries refused connections"},
    {0, "fail-early", "volley's --fail-fast"},
    {0, "fail-with-body", "every failed URL is recorded; --include-body adds its body"},
    {0, "proto", "volley fetches http and https only"},
    {0, "proto-redir", "volley follows redirects to http and https only"},
    {'g', "globoff", "volley never expands {} or [] in URLs"},
    {0, "unix-socket", "volley connects over TCP only"},
    {0, "abstract-unix-socket", "volley connects over TCP only"},
    {0, "stderr", "diagnostics go to stderr; redirect it with 2>"},
    {'M', "manual", "see volley --help and man volley"},
};

#define NCURL (sizeof cli_curl_opts / sizeof cli_curl_opts[0])

const struct cli_opt *cli_table_rows(size_t *n)
{
    *n = NROWS;
    return cli_rows;
}

static bool cli_table_is(const char *name, const char *s, size_t len)
{
    return name && strlen(name) == len && memcmp(name, s, len) == 0;
}

const struct cli_opt *cli_table_long(const char *name, size_t len)
{
    for (size_t i = 0; i < NROWS; i++)
        if (cli_table_is(cli_rows[i].name, name, len))
            return &cli_rows[i];
    return NULL;
}

const struct cli_opt *cli_table_short(char c)
{
    for (size_t i = 0; c && i < NROWS; i++)
        if (cli_rows[i].letter == c)
            return &cli_rows[i];
    return NULL;
}

const struct cli_curl *cli_table_curl_long(const char *name, size_t len)
{
    for (size_t i = 0; i < NCURL; i++)
        if (cli_table_is(cli_curl_opts[i].name, name, len))
            return &cli_curl_opts[i];
    return NULL;
}

const struct cli_curl *cli_table_curl_short(char c)
{
    for (size_t i = 0; c && i < NCURL; i++)
        if (cli_curl_opts[i].letter == c)
            return &cli_curl_opts[i];
    return NULL;
}

/* Edit distance between A and B (insertions, deletions, substitutions and
 * swaps of neighbours each cost 1); both at most 63 bytes. */
static size_t cli_table_distance(const char *a, size_t la, const char *b, size_t lb)
{
    size_t d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

/* Keep NAME with SCORE among the N best so far (lowest first, table order
 * among equals). */
static void cli_table_keep(const char **best, size_t *score, size_t *n, size_t max,
                           const char *name, size_t s)
{
    size_t at = *n;
    while (at > 0 && score[at - 1] > s)
        at--;
    if (at == max)
        return;
    if (*n < max)
        (*n)++;
    memmove(&best[at + 1], &best[at], (*n - 1 - at) * sizeof best[0]);
    memmove(&score[at + 1], &score[at], (*n - 1 - at) * sizeof score[0]);
    best[at] = name;
    score[at] = s;
}

void cli_table_suggest(const char *name, size_t len, struct buf *dst)
{
    enum { MAX_SUGGEST = 3 };
    const char *best[MAX_SUGGEST];
    size_t score[MAX_SUGGEST], n = 0;
    if (len == 0 || len > 63)
        return;
    /* a shortened name: the options it starts; else those a typo away */
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
    for (int pass = 0; pass < 2 && n == 0; pass++)
        for (size_t i = 0; i < NROWS; i++) {
            const struct cli_opt *o = &cli_rows[i];
            size_t ln = strlen(o->name);
            if (o->flags & CLI_F_HIDDEN || ln > 63)
                continue;
            if (pass == 0 && ln > len && memcmp(o->name, name, len) == 0)
                cli_table_keep(best, score, &n, MAX_SUGGEST, o->name, 0);
            size_t d = pass == 1 ? cli_table_distance(name, len, o->name, ln) : limit + 1;
            if (d <= limit)
                cli_table_keep(best, score, &n, MAX_SUGGEST, o->name, d);
        }
    for (size_t i = 0; i < n; i++)
        buf_addf(dst, "%s--%s", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ", best[i]);
    if (n)
        buf_addc(dst, '?');
}
