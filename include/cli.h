/* cli: argv → struct config by the option table (cli_table.h): exact option
 * names, values converted by type; --help, --help-table and --version are
 * printed by cli_help.c. Pure: no file is opened here; prepare.c does the
 * side effects afterwards.
 *
 * Who owns what, by type: every `const char *` of struct config (and of
 * struct cli_data) is borrowed: it points into argv, which must outlive the
 * config, or at a static string (a choice, a default). Everything else that
 * points is the config's own, freed by cli_free(): each `char *`, each list
 * (`char **`, of copies), file_nurls, the data_args and query_args arrays,
 * the --expect-* spec, the -w template, and what prepare makes (data, query,
 * form, cert_file, cert_password; the -D file descriptor is closed). */
#ifndef VOLLEY_CLI_H
#define VOLLEY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "check.h"
#include "output.h"

struct form; /* -F, made by prepare (form.h) */

enum cli_color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum cli_http { HTTPV_DEFAULT, HTTPV_1_1, HTTPV_2, HTTPV_2_PRIOR };
enum cli_progress { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };
enum cli_auth { AUTH_BASIC, AUTH_DIGEST, AUTH_ANY }; /* --basic, --digest, --anyauth */
enum cli_tls { TLS_DEFAULT, TLS_1_2, TLS_1_3 };      /* the least TLS version */
enum cli_ip { IP_ANY, IP_V4, IP_V6 };                /* -4, -6 */

/* How a piece of data is read (curl's option of that name). */
enum cli_data_kind {
    DATA_ASCII,     /* -d: @FILE without CR and LF */
    DATA_BINARY,    /* --data-binary: @FILE byte for byte */
    DATA_RAW,       /* --data-raw: '@' is not special */
    DATA_URLENCODE, /* --data-urlencode: curl's five forms, URL-encoded */
    DATA_QUERY,     /* --url-query: as --data-urlencode; "+..." as is */
};

/* One -d/--data-binary/--data-raw/--data-urlencode/--url-query value, kept
 * as given until prepare reads it. */
struct cli_data {
    const char *arg; /* borrowed */
    enum cli_data_kind kind;
};

struct config {
    /* sources */
    char **files; /* FILE arguments; "-" is stdin */
    size_t nfiles;
    char **urls; /* --url values (trimmed), and after prepare the URL arguments */
    size_t nurls;
    size_t *file_nurls;        /* per FILE: how many --url came before it */
    const char *proto_default; /* "https" or "http" (static) */

    /* scheduling and timeouts */
    long parallel;
    long threads;            /* --threads: event loops; 0 until prepare: online CPUs, at most 8 */
    long conn_cache;         /* prepare: connections the loops' caches keep in all (idle and busy),
                                4 × -j as far as the open files allow, at least -j; 0: libcurl's */
    long per_host;           /* in flight per origin; 0: no cap */
    int64_t rate_us;         /* --rate: µs between starts; 0: none */
    int64_t rate_host_us;    /* --rate-per-host: the same per origin */
    long max_time_ms;        /* 0: none */
    long connect_timeout_ms; /* 0: libcurl's default */
    long deadline_ms;        /* whole run; 0: none */

    /* retries and failure thresholds */
    long retries;
    long retry_delay_ms;
    long retry_max_delay_ms;
    bool retry_all_errors;
    bool retry_busy_only; /* --links without --retry: retry a 429 or 503 only */
    bool fail_fast;
    long max_failures;     /* 0: none */
    double max_fail_ratio; /* --max-fail-ratio as a fraction; < 0: none */
    bool allow_timeouts;

    /* checks, bodies and reports */
    struct check_spec *checks; /* --expect-*; NULL: none */
    int64_t max_body;          /* --max-body */
    long jq_budget_ms;         /* --jq-budget: time of one jq evaluation */
    int64_t jq_memory;         /* --jq-memory: what jq may allocate */
    bool include_headers;
    bool include_body;
    bool sha256;
    const char *output_dir; /* borrowed */
    char **reports;         /* --report KIND=FILE */
    size_t nreports;
    enum cli_progress progress;

    /* output */
    enum output_format format;
    const char *write_out;        /* -w as given; borrowed */
    struct output_template *tmpl; /* -w, parsed */
    bool order_input;
    enum cli_color color;
    bool quiet;      /* -q, -s */
    bool show_error; /* -S: accepted; volley always shows errors */
    bool fail;       /* -f: accepted; HTTP >= 400 already fails a URL */

    /* request */
    const char *method; /* -X; NULL: GET, POST with data, HEAD with -I; borrowed */
    char **headers;
    size_t nheaders;
    struct cli_data *data_args; /* -d / --data-binary in order, until prepare */
    size_t ndata_args;
    char *data; /* set by prepare: the data_args joined with '&'; NULL: none */
    size_t data_len;
    const char *user_agent; /* borrowed, or the static default */
    bool head;
    bool location;
    long max_redirs;
    bool insecure;
    const char *cacert; /* borrowed */
    enum cli_http http;
    bool compressed;
    const char *proxy; /* borrowed */
    char **resolve;
    size_t nresolve;
    char **connect_to;
    size_t nconnect_to;
    int64_t max_filesize; /* < 0: none */
    bool deny_private;    /* --deny-private */
    char **allow_address; /* --allow-address ADDR[/BITS]: exceptions to it */
    size_t nallow_address;
    bool get;                    /* -G: the data goes into the query of a GET */
    struct cli_data *query_args; /* --url-query in order, until prepare */
    size_t nquery_args;
    char *query;  /* set by prepare: --url-query (and -G's data) joined with '&'; NULL: none */
    char **forms; /* -F as given */
    size_t nforms;
    struct form *form;   /* set by prepare from forms; NULL: none */
    const char *referer; /* -e as given ("URL", "URL;auto" or ";auto"); borrowed */
    bool path_as_is;

    /* credentials and cookies (secrets: never shown) */
    const char *user; /* -u USER:PASS; borrowed */
    enum cli_auth auth;
    const char *oauth2_bearer; /* borrowed */
    bool netrc;
    bool netrc_optional;
    const char *netrc_file; /* borrowed */
    const char *proxy_user; /* borrowed */
    const char *noproxy;    /* --noproxy; NULL: the environment's; borrowed */
    char **header_for;      /* --header-for PATTERN=HEADER, checked */
    size_t nheader_for;
    char **cookies; /* -b: "name=value; ..." strings or cookie files */
    size_t ncookies;
    const char *cookie_jar; /* -c; borrowed */

    /* TLS */
    const char *cert;    /* --cert FILE[:PASSWORD]; borrowed */
    char *cert_file;     /* set by prepare: --cert's FILE */
    char *cert_password; /* set by prepare: its PASSWORD; NULL: none */
    const char *cert_type;
    const char *key;
    const char *capath;
    const char *pinnedpubkey;
    enum cli_tls tls_min;
    const char *ciphers;

    /* connections */
    const char *interface; /* borrowed */
    long local_port;       /* 0: any */
    long local_port_range; /* ports to try from local_port on; 0: libcurl's */
    enum cli_ip ip;
    int64_t limit_rate; /* bytes per second per transfer; 0: none */
    long keepalive_ms;  /* --keepalive-time; libcurl takes whole seconds */
    bool no_keepalive;

    /* debugging */
    bool verbose;            /* -v: libcurl's trace on stderr */
    const char *dump_header; /* -D FILE; borrowed */
    int dump_header_fd;      /* set by prepare: -D's file, else -1; closed by cli_free */

    /* many machines: which lines are this run's, and runs that fetch nothing */
    unsigned long shard_k, shard_n; /* --shard K/N; shard_n 0: none */
    int shard_by;                   /* --shard-by: enum shard_by */
    char **resume;                  /* --resume FILE (repeatable) */
    size_t nresume;
    bool resume_failed; /* --resume-failed: only ok records are final */
    long max_age_ms;    /* --max-age; 0: any age */
    bool dry_run;       /* --dry-run: print the lines this run would fetch */
    bool summarize;     /* --summarize: the FILEs are record files to summarize */

    /* documents: --links */
    bool links; /* the FILEs (and --url values) are documents whose links are checked */
    const char *links_format; /* --links-format: "md", "html", "sitemap", "text"; NULL: by name */
    const char *base;         /* --base URL; borrowed; NULL: relative links are local files */
    bool check_fragments;     /* --check-fragments */
    char **include_url;       /* --include-url REGEX (repeatable) */
    size_t ninclude_url;
    char **exclude_url; /* --exclude-url REGEX (repeatable) */
    size_t nexclude_url;
};

enum cli_result { CLI_RUN, CLI_DONE, CLI_ERROR };

/* Parse ARGV into CFG: every row's default first, then the arguments in
 * order. Long options match by their exact name only. CLI_RUN: go on (call
 * prepare_config() next); CLI_DONE: --help, --help-table or --version was
 * printed to OUT; CLI_ERROR: ERR holds the message (exit 2). Free CFG with
 * cli_free() in every case. */
enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, struct buf *err);
void cli_free(struct config *cfg);

/* The first control character of S (a byte below 0x20, or 0x7f) that is not
 * a tab where TAB_OK, or NULL: such bytes would go on the wire as they are
 * (a CR LF starts a header or a request of its own). */
const char *cli_control(const char *s, bool tab_ok);
/* Is S (N bytes, N > 0) an HTTP token (a header name, a method)? */
bool cli_token(const char *s, size_t n);

/* Is S a plain decimal number: digits, with one '.' when FRACTION, and a
 * leading '-' when SIGNED? (strtod and strtol also take hex, "inf", "1e3",
 * blanks and '+'.) */
bool cli_decimal(const char *s, bool fraction, bool sign);
/* Parse a duration in decimal seconds ("1", "0.5") into milliseconds,
 * rounded up; at most a year. */
bool cli_parse_secs(const char *s, long *ms);
/* Parse a rate "R", "R/s", "R/m" or "R/h" (R decimal) into µs between
 * starts. */
bool cli_parse_rate(const char *s, int64_t *interval_us);
/* Parse a size ("1024", "10k", "2M", "1G"). */
bool cli_parse_size(const char *s, int64_t *out);

#endif
