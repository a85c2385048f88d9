/* fuzz_links_md: libFuzzer target for the Markdown (md4c) link extractor:
 * any input must parse without a crash, a leak or a broken invariant. */
#include "fuzz_links.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_links_check(data, size, LINKS_FORMAT_MD);
    return 0;
}
