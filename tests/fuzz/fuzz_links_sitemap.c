/* fuzz_links_sitemap: libFuzzer target for the sitemap (libxml2 SAX) link extractor:
 * any input must parse without a crash, a leak or a broken invariant. */
#include "fuzz_links.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_links_check(data, size, LINKS_FORMAT_SITEMAP);
    return 0;
}
