#include "gateway/gateway_response.h"

/* Statuses from API Gateway's table of gateway response types; messages as API Gateway sends them. */
static const gateway_response_info infos[GW_RESPONSE_TYPE_COUNT] = {
    [GW_ACCESS_DENIED] = {"ACCESS_DENIED", 403, "User is not authorized to access this resource", GW_DEFAULT_4XX},
    [GW_API_CONFIGURATION_ERROR] = {"API_CONFIGURATION_ERROR", 500, "Internal server error", GW_DEFAULT_5XX},
    [GW_AUTHORIZER_CONFIGURATION_ERROR] = {"AUTHORIZER_CONFIGURATION_ERROR", 500, "Internal server error",
                                           GW_DEFAULT_5XX},
    [GW_AUTHORIZER_FAILURE] = {"AUTHORIZER_FAILURE", 500, "Internal server error", GW_DEFAULT_5XX},
    [GW_BAD_REQUEST_PARAMETERS] = {"BAD_REQUEST_PARAMETERS", 400, "Missing required request parameters",
                                   GW_DEFAULT_4XX},
    [GW_BAD_REQUEST_BODY] = {"BAD_REQUEST_BODY", 400, "Invalid request body", GW_DEFAULT_4XX},
    [GW_DEFAULT_4XX] = {"DEFAULT_4XX", 400, "Bad Request", GW_DEFAULT_4XX},
    [GW_DEFAULT_5XX] = {"DEFAULT_5XX", 500, "Internal server error", GW_DEFAULT_5XX},
    [GW_EXPIRED_TOKEN] = {"EXPIRED_TOKEN", 403, "The security token included in the request is expired",
                          GW_DEFAULT_4XX},
    [GW_INTEGRATION_FAILURE] = {"INTEGRATION_FAILURE", 504, "Internal server error", GW_DEFAULT_5XX},
    [GW_INTEGRATION_TIMEOUT] = {"INTEGRATION_TIMEOUT", 504, "Endpoint request timed out", GW_DEFAULT_5XX},
    [GW_INVALID_API_KEY] = {"INVALID_API_KEY", 403, "Forbidden", GW_DEFAULT_4XX},
    [GW_INVALID_SIGNATURE] = {"INVALID_SIGNATURE", 403,
                              "The request signature we calculated does not match the signature you provided",
                              GW_DEFAULT_4XX},
    [GW_MISSING_AUTHENTICATION_TOKEN] = {"MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
                                         GW_DEFAULT_4XX},
    [GW_QUOTA_EXCEEDED] = {"QUOTA_EXCEEDED", 429, "Limit Exceeded", GW_DEFAULT_4XX},
    [GW_REQUEST_TOO_LARGE] = {"REQUEST_TOO_LARGE", 413, "Request Too Long", GW_DEFAULT_4XX},
    [GW_RESOURCE_NOT_FOUND] = {"RESOURCE_NOT_FOUND", 404, "Not Found", GW_DEFAULT_4XX},
    [GW_THROTTLED] = {"THROTTLED", 429, "Too Many Requests", GW_DEFAULT_4XX},
    [GW_UNAUTHORIZED] = {"UNAUTHORIZED", 401, "Unauthorized", GW_DEFAULT_4XX},
    [GW_UNSUPPORTED_MEDIA_TYPE] = {"UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type", GW_DEFAULT_4XX},
    [GW_WAF_FILTERED] = {"WAF_FILTERED", 403, "Forbidden", GW_DEFAULT_4XX},
};

const gateway_response_info *gateway_response_info_of(gateway_response_type type)
{
    return type < GW_RESPONSE_TYPE_COUNT ? &infos[type] : &infos[GW_DEFAULT_5XX];
}

int gateway_response_type_from_name(slice name)
{
    for (int i = 0; i < GW_RESPONSE_TYPE_COUNT; i++)
        if (slice_eq_cstr(name, infos[i].name))
            return i;
    return -1;
}
