#include "gateway/lint.h"

#include <string.h>

#include "gateway/selection.h"

static bool handles_client_errors(const model_integration *in)
{
    for (size_t i = 0; i < in->response_count; i++) {
        const model_integration_response *r = &in->responses[i];
        if (!r->is_default && r->compiled != NULL && selection_matches(r->compiled, SLICE_LIT("400")))
            return true;
    }
    return false;
}

/* A line that puts $input.path / $input.params / $input.body inside a JSON string without escaping. */
static size_t unescaped_splices(const model_templates *templates, const char *where, FILE *out)
{
    static const char *const sources[] = {"\"$input.path(", "\"$input.params(", "\"$input.body", "\"${input.path(",
                                          "\"$input.json("};
    size_t found = 0;
    for (size_t t = 0; t < templates->count; t++) {
        slice text = templates->items[t].text;
        size_t line_no = 1, start = 0;
        for (size_t i = 0; i <= text.len; i++) {
            if (i < text.len && text.ptr[i] != '\n')
                continue;
            slice line = slice_sub(text, start, i - start);
            bool escaped = memmem(line.ptr, line.len, "escapeJavaScript", 16) != NULL;
            for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]) && !escaped; s++) {
                if (memmem(line.ptr, line.len, sources[s], strlen(sources[s])) != NULL) {
                    fprintf(out,
                            "warning: %s, request template line %zu: user input is spliced into DynamoDB JSON without "
                            "$util.escapeJavaScript(); a quote in the input breaks the request or changes it\n",
                            where, line_no);
                    found++;
                    break;
                }
            }
            line_no++;
            start = i + 1;
        }
    }
    return found;
}

static size_t lint_method(const model_api *api, const model_method *m, FILE *out)
{
    if (!m->has_integration)
        return 0;
    char where[512];
    snprintf(where, sizeof(where), "API %.*s, %.*s %.*s", SLICE_FMT(api->name), SLICE_FMT(m->http_method),
             SLICE_FMT(m->resource->path));
    const model_integration *in = &m->integration;
    size_t found = 0;
    if (in->type == MODEL_INTEGRATION_AWS && slice_eq_cstr(in->aws_service, "dynamodb")) {
        if (!handles_client_errors(in)) {
            fprintf(out,
                    "warning: %s: no integration response has a selection pattern matching 400, so DynamoDB errors "
                    "are answered by the default response (status %.*s); add one such as 4\\d{2}\n",
                    where, in->default_response ? (int)in->default_response->status_code.len : 4,
                    in->default_response ? in->default_response->status_code.ptr : "none");
            found++;
        }
        found += unescaped_splices(&in->request_templates, where, out);
    }
    if (in->default_response == NULL) {
        fprintf(out, "warning: %s: no default integration response; a status no pattern matches fails with 500\n",
                where);
        found++;
    }
    for (size_t s = 0; s < api->stage_count; s++) {
        if (!api->stages[s].cache_cluster_enabled)
            continue;
        for (size_t p = 0; p < m->request_parameters.count; p++) {
            slice name = m->request_parameters.items[p].name;
            if (slice_starts_with(name, SLICE_LIT("method.request.header.")))
                continue;
            bool keyed = false;
            for (size_t k = 0; k < in->cache_key_parameter_count; k++)
                keyed = keyed || slice_eq(in->cache_key_parameters[k], name);
            if (!keyed) {
                fprintf(out,
                        "warning: %s: stage %.*s caches responses but %.*s is not a cache key parameter, so "
                        "requests differing only in it share one cached response\n",
                        where, SLICE_FMT(api->stages[s].name), SLICE_FMT(name));
                found++;
            }
        }
    }
    return found;
}

size_t gateway_lint(const stack_model *m, FILE *out)
{
    size_t found = 0;
    for (size_t a = 0; a < m->api_count; a++) {
        const model_api *api = &m->apis[a];
        for (size_t r = 0; r < api->resource_count; r++)
            for (int v = 0; v < MODEL_VERB_COUNT; v++)
                if (api->resources[r]->methods[v] != NULL)
                    found += lint_method(api, api->resources[r]->methods[v], out);
    }
    return found;
}
