/* prepare: every side effect the command line asks for, done once after
 * cli_parse() and before anything is fetched, so that a bad environment is a
 * usage error (exit 2) up front: URL arguments, probing the FILEs, checking
 * the connection, TLS, credential and cookie files, reading the data
 * (-d @FILE and the other data options, --url-query, -F), mkdir -p of
 * --output-dir, opening -D and the --report files and fitting -j into the
 * open-files limit. */
#ifndef VOLLEY_PREPARE_H
#define VOLLEY_PREPARE_H

#include <stdbool.h>

#include "buf.h"
#include "cli.h"
#include "report.h"

/* Prepare CFG (from cli_parse) for the run, in this order, changing nothing
 * on disk before every check has passed:
 * - an argument that starts with http:// or https:// and is not an existing
 *   file moves from files to urls, at its place among the --url values;
 * - every FILE must be readable; -d @- (or any data option's @-) must not
 *   compete with a URL list on stdin; --resolve, --connect-to and -x must
 *   parse; --cacert, --cert (split into cert_file and cert_password), --key,
 *   a --pinnedpubkey file, --capath, the netrc file (unless
 *   --netrc-optional and missing) and -b files must be readable (a -b file
 *   that is also the -c jar may be missing); the -c jar must be writable;
 * - the data values are read and joined with '&' into cfg->data, the
 *   --url-query values into cfg->query, the -F fields into cfg->form;
 * - --output-dir is made (with its parents) and must be writable; -D FILE is
 *   created (emptied) into cfg->dump_header_fd;
 * - each --report KIND=FILE is added to REP (report_add creates the file);
 * - --threads 0 (not given) becomes the number of online CPUs, at most
 *   PREPARE_DEFAULT_THREADS;
 * - the soft open-files limit is raised to fit -j and the loops; when the
 *   hard limit is too low, -j is lowered to what fits, with one warning on
 *   stderr;
 * - there are never more loops than -j.
 * On error returns false with a one-line message in ERR. */
bool prepare_config(struct config *cfg, struct report *rep, struct buf *err);

/* The syntax checks of single values, exposed for the unit tests. Each
 * returns false with a message naming the option in ERR. */
/* [+]HOST:PORT:ADDR[,ADDR]... or -HOST:PORT (libcurl's CURLOPT_RESOLVE). */
bool prepare_resolve(const char *s, struct buf *err);
/* HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT, any part empty, IPv6 hosts in
 * brackets (libcurl's CURLOPT_CONNECT_TO). */
bool prepare_connect_to(const char *s, struct buf *err);
/* A proxy URL libcurl's URL parser accepts, scheme http, https, socks4,
 * socks4a, socks5 or socks5h (or none); "" (no proxy) too. */
bool prepare_proxy(const char *s, struct buf *err);

/* Append S (N bytes) to DST URL-encoded as curl_easy_escape does: letters,
 * digits and -._~ as they are, every other byte as %XX. */
void prepare_urlencode(const char *s, size_t n, struct buf *dst);
/* Split --cert's FILE[:PASSWORD] (a '\' escapes ':' and '\'; a pkcs11: URI
 * is not split) into FILE and PASSWORD; true when there is a password. */
bool prepare_cert(const char *arg, struct buf *file, struct buf *password);

/* How many transfers fit in LIMIT open files when each holds EACH of them
 * and PREPARE_SPARE_FDS stay for the rest; at least 1. */
#define PREPARE_SPARE_FDS 64
/* Open files an event loop holds by itself: its epoll, its wake-up, and
 * its multi handle's wake-up pair; and the most loops --threads defaults
 * to. */
#define PREPARE_LOOP_FDS 4
/* The loops' connection caches hold up to this many connections per
 * transfer of -j (libcurl's own default ratio), so that a run over many
 * origins finds its connections again; what the open-files limit leaves
 * after -j decides, never at the cost of -j. */
#define PREPARE_CACHE_PER_TRANSFER 4
#define PREPARE_DEFAULT_THREADS 8
long prepare_fit_parallel(unsigned long long limit, long each);

#endif
