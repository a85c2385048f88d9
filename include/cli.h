/* cli: the option table → getopt_long, validation, --help and --version,
 * producing an immutable struct config. Owns every string in the config. */
#ifndef VOLLEY_CLI_H
#define VOLLEY_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "check.h"
#include "output.h"

enum cli_color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum cli_http { HTTPV_DEFAULT, HTTPV_1_1, HTTPV_2, HTTPV_2_PRIOR };
enum cli_progress { PROGRESS_AUTO, PROGRESS_ALWAYS, PROGRESS_NEVER };

struct config {
    /* sources */
    char **files; /* FILE arguments; "-" is stdin */
    size_t nfiles;
    char **urls; /* --url values, trimmed */
    size_t nurls;
    const char *proto_default;

    /* scheduling and timeouts */
    long parallel;
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
    bool fail_fast;
    long max_failures;     /* 0: none */
    double max_fail_ratio; /* --max-fail-ratio as a fraction; < 0: none */
    bool allow_timeouts;

    /* checks, bodies and reports */
    struct check_spec *checks; /* --expect-*; NULL: none */
    int64_t max_body;          /* --max-body */
    bool include_headers;
    bool include_body;
    bool sha256;
    const char *output_dir;
    char **reports; /* --report KIND=FILE */
    size_t nreports;
    enum cli_progress progress;

    /* output */
    enum output_format format;
    struct output_template *tmpl; /* -w */
    bool order_input;
    enum cli_color color;
    bool quiet;

    /* request */
    const char *method; /* -X; NULL: GET, POST with data, HEAD with -I */
    char **headers;
    size_t nheaders;
    char *data; /* -d / --data-binary, joined with '&'; NULL: none */
    size_t data_len;
    const char *user_agent;
    bool head;
    bool location;
    long max_redirs;
    bool insecure;
    const char *cacert;
    enum cli_http http;
    bool compressed;
    const char *proxy;
    char **resolve;
    size_t nresolve;
    char **connect_to;
    size_t nconnect_to;
    int64_t max_filesize; /* < 0: none */
};

enum cli_result { CLI_RUN, CLI_DONE, CLI_ERROR };

/* Parse ARGV into CFG. CLI_RUN: go on; CLI_DONE: --help or --version was
 * printed to OUT; CLI_ERROR: ERR holds the message (exit 2). Free CFG with
 * cli_free() in every case. */
enum cli_result cli_parse(int argc, char **argv, struct config *cfg, FILE *out, struct buf *err);
void cli_free(struct config *cfg);

/* Parse a duration in seconds ("1", "0.5") into milliseconds. */
bool cli_parse_secs(const char *s, long *ms);
/* Parse a rate "R", "R/s", "R/m" or "R/h" into µs between starts. */
bool cli_parse_rate(const char *s, int64_t *interval_us);
/* Parse a size ("1024", "10k", "2M", "1G"). */
bool cli_parse_size(const char *s, int64_t *out);

#endif
