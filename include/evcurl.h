/* evcurl: the bridge between one libcurl multi handle (multi_socket API)
 * and one libevent event_base. It owns the multi handle, the per-socket
 * events and the multi timer; finished transfers are reported, once per
 * loop pass, through a callback. */
#ifndef VOLLEY_EVCURL_H
#define VOLLEY_EVCURL_H

#include <curl/curl.h>
#include <event2/event.h>
#include <stddef.h>

/* Called for a finished transfer after it was removed from the multi; DATA
 * is what evcurl_add() was given with it. */
typedef void (*evcurl_done_fn)(void *arg, void *data, CURLcode result);

struct evcurl;

/* BASE is borrowed and must outlive the bridge. Free with evcurl_free()
 * before the base is freed. */
struct evcurl *evcurl_new(struct event_base *base, evcurl_done_fn done, void *arg);
/* Keep at most N idle-or-busy connections in the multi handle's cache
 * (CURLMOPT_MAXCONNECTS): a connection that comes back to a fuller cache
 * closes the oldest idle one. Transfers in flight are never refused. */
void evcurl_max_connections(struct evcurl *ec, long n);
/* Tear down: removes no handles (the caller removes its own first). */
void evcurl_free(struct evcurl *ec);

/* Start a transfer (it begins on the next loop pass); DATA (borrowed) comes
 * back with it in the done callback (kept as CURLOPT_PRIVATE). Not from
 * inside a libcurl callback. */
void evcurl_add(struct evcurl *ec, CURL *easy, void *data);
/* Abort a running transfer; no done callback follows. */
void evcurl_remove(struct evcurl *ec, CURL *easy);
/* Report every finished transfer through the done callback. Call once per
 * loop pass, after event_base_loop(EVLOOP_ONCE) returns. */
void evcurl_drain(struct evcurl *ec);

#endif
