/*
 * api_keys: the values of the stack's API keys. A key declared without a value gets one generated
 * at its first start, kept in the data folder (api-keys.json, by logical id) so that clients keep
 * working across restarts. The value in force is written into the model's key once, before serving
 * (the loader leaves a fresh random one there), so that everything printing the model shows it.
 */
#ifndef PORTICO_GATEWAY_API_KEYS_H
#define PORTICO_GATEWAY_API_KEYS_H

#include "gateway/gw_internal.h"

int api_keys_resolve(gateway *g, const char *data_dir, aws_error *err);
/* The key with this value, or NULL. */
const model_api_key *api_keys_find(const gateway *g, slice value);

#endif
