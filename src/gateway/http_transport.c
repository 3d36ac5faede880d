#include "gateway/http_transport.h"

#include <stdbool.h>

typedef struct http_exchange {
    gw_exchange x;
    http_request *req;
    bool answered;
    void (*continuation)(gw_exchange *x);
} http_exchange;

static void respond(gw_exchange *x)
{
    http_exchange *hx = x->transport;
    hx->answered = true;
    http_header *headers = arena_alloc(x->arena, (x->response_headers.count + 1) * sizeof(*headers));
    for (size_t i = 0; i < x->response_headers.count; i++)
        headers[i] = (http_header){x->response_headers.items[i].name, x->response_headers.items[i].value};
    http_respond(hx->req, x->status, headers, x->response_headers.count, x->response_body);
}

static http_outcome run_continuation(http_request *req, void *data)
{
    (void)req;
    http_exchange *hx = data;
    hx->continuation(&hx->x);
    return hx->answered ? HTTP_DONE : HTTP_PENDING;
}

static void resume(gw_exchange *x, void (*fn)(gw_exchange *x))
{
    http_exchange *hx = x->transport;
    hx->continuation = fn;
    http_request_resume(hx->req, run_continuation, hx);
}

http_outcome gateway_http_handler(http_request *req, void *ctx)
{
    gateway *g = ctx;
    http_exchange *hx = arena_calloc(req->arena, sizeof(*hx));
    hx->req = req;
    vtl_pair *headers = arena_alloc(req->arena, (req->num_headers + 1) * sizeof(*headers));
    for (size_t i = 0; i < req->num_headers; i++)
        headers[i] = (vtl_pair){req->headers[i].name, req->headers[i].value};
    hx->x = (gw_exchange){
        .method = req->method,
        .path = req->path,
        .query = req->query,
        .host = http_request_header_lc(req, "host"),
        .headers = {headers, req->num_headers},
        .body = req->body,
        .source_ip = req->peer_ip,
        .protocol = req->protocol,
        .arena = req->arena,
        .done = respond,
        .resume = resume,
        .transport = hx,
        .http_loop = req->loop,
    };
    gateway_handle(g, &hx->x);
    return hx->answered ? HTTP_DONE : HTTP_PENDING;
}

void gateway_http_shape_error(void *ctx, http_response *out, arena *a)
{
    (void)ctx;
    http_header *h = arena_alloc(a, sizeof(*h));
    h[0] = (http_header){SLICE_LIT("Content-Type"), SLICE_LIT("application/json")};
    out->headers = h;
    out->num_headers = 1;
    out->body = out->status == 413 ? SLICE_LIT("{\"message\":\"Request Too Long\"}")
                                   : SLICE_LIT("{\"message\":\"Bad Request\"}");
}
