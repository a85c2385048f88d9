/* record: the names of the error kinds, and which places of a link fail it. */
#include "record.h"

#include <string.h>

static const char *const record_kind_names[KIND__COUNT] = {
    [KIND_NONE] = "none",
    [KIND_INPUT] = "input",
    [KIND_DNS] = "dns",
    [KIND_CONNECT] = "connect",
    [KIND_TLS] = "tls",
    [KIND_TIMEOUT] = "timeout",
    [KIND_TOO_LARGE] = "too_large",
    [KIND_PROTOCOL] = "protocol",
    [KIND_HTTP] = "http",
    [KIND_CHECK] = "check",
    [KIND_CANCELLED] = "cancelled",
    [KIND_OTHER] = "other",
    [KIND_DENIED] = "denied",
    [KIND_MISSING] = "missing",
};

const char *record_kind_name(enum record_kind k)
{
    return (unsigned)k < KIND__COUNT ? record_kind_names[k] : "other";
}

/* The failed "fragment" check of R that names FRAGMENT, if any. */
static bool record_fragment_failed(const struct record *r, const char *fragment)
{
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct check_failure *c = &r->checks[i];
        if (strcmp(c->check, RECORD_CHECK_FRAGMENT) == 0 && c->expected[0] == '#' &&
            strcmp(c->expected + 1, fragment) == 0)
            return true;
    }
    return false;
}

bool record_source_failed(const struct record *r, const struct record_source *s)
{
    if (r->ok)
        return false;
    bool fragments = false, kept = false;
    for (size_t i = 0; i < r->nchecks && !fragments; i++)
        fragments = strcmp(r->checks[i].check, RECORD_CHECK_FRAGMENT) == 0;
    for (size_t i = 0; fragments && i < r->nsources && !kept; i++)
        kept = r->sources[i].fragment != NULL;
    if (!fragments || !kept)
        return true;
    return s->fragment && record_fragment_failed(r, s->fragment);
}
