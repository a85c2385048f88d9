/* record: the names of the error kinds. */
#include "record.h"

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
};

const char *record_kind_name(enum record_kind k)
{
    return (unsigned)k < KIND__COUNT ? record_kind_names[k] : "other";
}
