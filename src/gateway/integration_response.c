/* Integration response: the selection pattern picks the response, which maps parameters and renders
 * its template; then the method response goes out. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/json.h"
#include "core/json_write.h"
#include "core/reqid.h"
#include "gateway/gw_internal.h"
#include "gateway/selection.h"

static const model_integration_response *select_response(const model_integration *in, slice status)
{
    for (size_t i = 0; i < in->response_count; i++) {
        const model_integration_response *r = &in->responses[i];
        if (!r->is_default && r->compiled != NULL && selection_matches(r->compiled, status))
            return r;
    }
    return in->default_response;
}

/* API Gateway picks the response template by the client's Accept header, falling back to
 * application/json and then to the first one declared. */
static const model_template *response_template(gw_exchange *x, const model_templates *templates)
{
    if (templates->count == 0)
        return NULL;
    slice accept = gw_pairs_get(x->headers, SLICE_LIT("Accept"), true);
    const model_template *t = accept.ptr != NULL ? model_template_find(templates, accept) : NULL;
    if (t == NULL)
        t = model_template_find(templates, SLICE_LIT("application/json"));
    return t != NULL ? t : &templates->items[0];
}

static slice trace_id(arena *a, time_t now)
{
    char *text = arena_alloc(a, REQID_TRACE_LEN + 1);
    reqid_trace(text, now);
    return slice_make(text, REQID_TRACE_LEN);
}

slice gw_integration_response_text(gw_exchange *x, gw_state *st)
{
    if (st->integration_response_body.ptr == NULL && st->integration_response_json != NULL) {
        buf b;
        buf_init(&b, x->arena, 1024);
        json_write(&b, st->integration_response_json, JSON_COMPACT | JSON_ENCODE_ANY);
        st->integration_response_body = buf_slice(&b);
    }
    return st->integration_response_body;
}

void gw_integration_response(gw_exchange *x)
{
    gw_state *st = x->state;
    const model_integration *in = &st->method->integration;
    char status_text[16];
    snprintf(status_text, sizeof(status_text), "%d", st->integration_status);
    gw_trace(x, "Received response. Status: %s", status_text);
    const model_integration_response *r = select_response(in, slice_cstr(status_text));
    if (r == NULL) {
        gw_trace(x,
                 "Execution failed due to configuration error: No match for output mapping and no default output "
                 "mapping configured. Endpoint Response Status Code: %s",
                 status_text);
        gw_fail(x, GW_API_CONFIGURATION_ERROR, NULL);
        return;
    }
    int status = atoi(r->status_code.ptr);
    slice body = SLICE_NULL;
    slice content_type = SLICE_LIT("application/json");
    const model_template *t = response_template(x, &r->response_templates);
    if (t != NULL) {
        content_type = t->content_type;
        if (gw_render(x, st, t, st->integration_response_body, st->integration_response_json, &body) != 0)
            return;
    } else {
        body = gw_integration_response_text(x, st);
    }
    vtl_pairs headers = {0};
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("Content-Type"), content_type);
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("x-amzn-RequestId"), slice_cstr(st->request_id));
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("x-amz-apigw-id"), slice_cstr(st->extended_request_id));
    headers = gw_pairs_append(x->arena, headers, SLICE_LIT("X-Amzn-Trace-Id"), trace_id(x->arena, st->started.tv_sec));
    static const char prefix[] = "method.response.header.";
    for (size_t i = 0; i < r->response_parameters.count; i++) {
        slice target = r->response_parameters.items[i].key;
        if (!slice_starts_with(target, SLICE_LIT(prefix)))
            continue;
        slice value = gw_mapping_value(x, st, r->response_parameters.items[i].value);
        if (value.ptr != NULL)
            headers = gw_pairs_set(x->arena, headers, slice_sub(target, sizeof(prefix) - 1, target.len), value);
    }
    for (size_t i = 0; i < st->overrides.response_header.count; i++)
        headers = gw_pairs_set(x->arena, headers, st->overrides.response_header.items[i].name,
                               st->overrides.response_header.items[i].value);
    if (st->overrides.response_status != 0)
        status = st->overrides.response_status;
    gw_trace(x, "Method response body after transformations: %.*s", SLICE_FMT(body));
    gw_trace(x, "Method response headers: %s", gw_trace_pairs(x, headers));
    gw_trace(x, "Method completed with status: %d", status);
    x->status = status;
    x->response_headers = headers;
    x->response_body = body;
    x->done(x);
}
