/* Legacy request parameters (Expected, AttributeUpdates, filters, KeyConditions, AttributesToGet)
 * from arbitrary JSON: every request kind must answer a translation or a ValidationException. */
#include <stddef.h>
#include <stdint.h>

#include "dynamo/legacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *req = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (req == NULL)
        return 0;
    for (int kind = LEGACY_GET_ITEM; kind <= LEGACY_UPDATE_ITEM; kind++) {
        aws_error err;
        error_clear(&err);
        legacy_info info;
        json_t *out = legacy_translate((legacy_request)kind, req, &info, &err);
        if (out == NULL && !error_is_set(&err))
            __builtin_trap();
        json_decref(out);
    }
    json_decref(req);
    return 0;
}
