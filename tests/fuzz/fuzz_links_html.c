/* fuzz_links_html: libFuzzer target for the HTML (libxml2) link extractor:
 * any input must parse without a crash, a leak or a broken invariant. */
#include "fuzz_links.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_links_check(data, size, LINKS_FORMAT_HTML);
    return 0;
}
