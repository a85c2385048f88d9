/* strmap: a hash map from byte strings to size_t values (FNV-1a, open
 * addressing), for the sets the link pipeline keeps: distinct URLs, heading
 * ids. Memory grows with the number of keys; nothing is ever removed. */
#ifndef VOLLEY_STRMAP_H
#define VOLLEY_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

struct strmap;

/* Caller frees with strmap_free(). */
struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);
/* Forget every key (the map stays usable). */
void strmap_clear(struct strmap *m);
size_t strmap_count(const struct strmap *m);

/* True when KEY (LEN bytes, any bytes) is in M; then *VALUE (if not NULL)
 * gets its value. */
bool strmap_get(const struct strmap *m, const char *key, size_t len, size_t *value);
/* Set KEY to VALUE, copying the key when it is new (*ADDED, if not NULL,
 * says whether it was). Returns the map's NUL-terminated copy of the key,
 * owned by M and valid until strmap_clear() or strmap_free(). */
const char *strmap_put(struct strmap *m, const char *key, size_t len, size_t value, bool *added);

#endif
