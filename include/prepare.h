/* prepare: every side effect the command line asks for, done once after
 * cli_parse() and before anything is fetched, so that a bad environment is a
 * usage error (exit 2) up front: URL arguments, probing the FILEs, checking
 * the connection options, reading -d @FILE, mkdir -p of --output-dir,
 * opening the --report files and fitting -j into the open-files limit. */
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
 * - every FILE must be readable; -d @- must not compete with a URL list on
 *   stdin; --resolve, --connect-to and -x must parse, --cacert be readable;
 * - the -d/--data-binary values are read and joined into cfg->data;
 * - --output-dir is made (with its parents) and must be writable;
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

/* How many transfers fit in LIMIT open files when each holds EACH of them
 * and PREPARE_SPARE_FDS stay for the rest; at least 1. */
#define PREPARE_SPARE_FDS 64
/* Open files an event loop holds by itself: its epoll, its wake-up, and
 * its multi handle's wake-up pair; and the most loops --threads defaults
 * to. */
#define PREPARE_LOOP_FDS 4
#define PREPARE_DEFAULT_THREADS 8
long prepare_fit_parallel(unsigned long long limit, long each);

#endif
