/*
 * http_transport: serves a gateway on an HTTP listener. Turns each HTTP request into a gw_exchange
 * (in the request's arena), runs it through the gateway, and writes the response on the request's
 * loop thread; work finishing on other threads comes back through the server's resume.
 */
#ifndef PORTICO_GATEWAY_HTTP_TRANSPORT_H
#define PORTICO_GATEWAY_HTTP_TRANSPORT_H

#include "gateway/gateway.h"
#include "http/server.h"

/* An http_handler_fn; ctx is the gateway. */
http_outcome gateway_http_handler(http_request *req, void *ctx);
/* An http_shape_error_fn: 413 as API Gateway words it ({"message":"Request Too Long"}). */
void gateway_http_shape_error(void *ctx, http_response *out, arena *a);

#endif
