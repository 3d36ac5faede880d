/*
 * gateway_response: the responses API Gateway itself produces (no route, bad key, validation failure,
 * integration timeout…), by type, with their default status codes and messages, and the rule for
 * which customisation applies: the type's own GatewayResponse, else DEFAULT_4XX / DEFAULT_5XX, else
 * the built-in default. Rendering the body template is the caller's job (it needs $context);
 * the built-in template is {"message":$context.error.messageString}.
 */
#ifndef PORTICO_GATEWAY_GATEWAY_RESPONSE_H
#define PORTICO_GATEWAY_GATEWAY_RESPONSE_H

#include "core/slice.h"

typedef enum gateway_response_type {
    GW_ACCESS_DENIED,
    GW_API_CONFIGURATION_ERROR,
    GW_AUTHORIZER_CONFIGURATION_ERROR,
    GW_AUTHORIZER_FAILURE,
    GW_BAD_REQUEST_PARAMETERS,
    GW_BAD_REQUEST_BODY,
    GW_DEFAULT_4XX,
    GW_DEFAULT_5XX,
    GW_EXPIRED_TOKEN,
    GW_INTEGRATION_FAILURE,
    GW_INTEGRATION_TIMEOUT,
    GW_INVALID_API_KEY,
    GW_INVALID_SIGNATURE,
    GW_MISSING_AUTHENTICATION_TOKEN,
    GW_QUOTA_EXCEEDED,
    GW_REQUEST_TOO_LARGE,
    GW_RESOURCE_NOT_FOUND,
    GW_THROTTLED,
    GW_UNAUTHORIZED,
    GW_UNSUPPORTED_MEDIA_TYPE,
    GW_WAF_FILTERED,
    GW_RESPONSE_TYPE_COUNT
} gateway_response_type;

typedef struct gateway_response_info {
    const char *name;               /* "MISSING_AUTHENTICATION_TOKEN", as GatewayResponse.ResponseType spells it */
    int status;                     /* default status code */
    const char *message;            /* default $context.error.message */
    gateway_response_type fallback; /* DEFAULT_4XX or DEFAULT_5XX (itself for those two) */
} gateway_response_info;

const gateway_response_info *gateway_response_info_of(gateway_response_type type);
/* The type named `name`, or -1 for a name API Gateway does not define. */
int gateway_response_type_from_name(slice name);
/* The built-in body template every gateway response uses unless customised. */
#define GATEWAY_RESPONSE_DEFAULT_TEMPLATE "{\"message\":$context.error.messageString}"

#endif
