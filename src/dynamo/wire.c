#include "dynamo/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/json.h"
#include "core/json_parse.h"
#include "core/log.h"
#include "core/reqid.h"
#include "http/sigv4.h"

struct dynamo_wire {
    dynamo_engine *engine;
    char *health; /* "healthy: dynamodb.us-east-1.amazonaws.com " */
};

/* One request on its way through the engine; lives in the request arena. */
typedef struct {
    dynamo_call call;
    http_request *req;
    slice content_type; /* of the answer: mirrors the request's */
    char request_id[DYNAMO_REQUEST_ID_LEN + 1];
    bool cors;
} wire_request;

static const slice JSON_10 = SLICE_LIT("application/x-amz-json-1.0");
static const slice JSON_PLAIN = SLICE_LIT("application/json");

dynamo_wire *dynamo_wire_new(dynamo_engine *engine, const char *region)
{
    dynamo_wire *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return NULL;
    w->engine = engine;
    const char *r = region != NULL ? region : "us-east-1";
    size_t n = strlen(r) + 64;
    w->health = malloc(n);
    if (w->health == NULL) {
        free(w);
        return NULL;
    }
    snprintf(w->health, n, "healthy: dynamodb.%s.amazonaws.com ", r);
    return w;
}

void dynamo_wire_free(dynamo_wire *w)
{
    if (w == NULL)
        return;
    free(w->health);
    free(w);
}

/* ---------- pieces ---------- */

int dynamo_wire_parse_target(slice target, slice *operation)
{
    static const slice api = SLICE_LIT("DynamoDB_20120810.");
    if (!slice_starts_with(target, api))
        return -1;
    slice op = slice_sub(target, api.len, target.len - api.len);
    if (op.len == 0 || memchr(op.ptr, '.', op.len) != NULL)
        return -1;
    *operation = op;
    return 0;
}

static bool starts_with_aws4(slice auth)
{
    while (auth.len != 0 && (auth.ptr[0] == ' ' || auth.ptr[0] == '\t')) {
        auth.ptr++;
        auth.len--;
    }
    return slice_starts_with(auth, SLICE_LIT("AWS4-"));
}

static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

int dynamo_wire_check_auth(slice authorization, slice query, bool has_date, aws_error *err)
{
    bool has_header = authorization.ptr != NULL;
    bool query_auth = sigv4_query_param(query, "X-Amz-Algorithm", NULL) == 0;
    if (has_header && query_auth)
        return error_set(err, 400, "InvalidSignatureException",
                         "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
    if ((!has_header && !query_auth) || (has_header && !starts_with_aws4(authorization)))
        return error_set(err, 400, "MissingAuthenticationTokenException", "Request is missing Authentication Token");

    char msg[AWS_ERROR_MESSAGE_MAX];
    size_t len = 0;
    msg[0] = '\0';
    if (has_header) {
        sigv4_header h;
        sigv4_parse_header(authorization, &h);
        if (h.credential.len == 0)
            append(msg, sizeof(msg), &len, "Authorization header requires 'Credential' parameter. ");
        if (h.signature.len == 0)
            append(msg, sizeof(msg), &len, "Authorization header requires 'Signature' parameter. ");
        if (h.signed_headers.len == 0)
            append(msg, sizeof(msg), &len, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!has_date)
            append(msg, sizeof(msg), &len,
                   "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        if (len != 0) {
            append(msg, sizeof(msg), &len, "Authorization=%.*s", SLICE_FMT(authorization));
            return error_set(err, 400, "IncompleteSignatureException", "%s", msg);
        }
        if (!slice_eq_cstr(h.algorithm, "AWS4-HMAC-SHA256"))
            return error_set(err, 400, "IncompleteSignatureException",
                             "Unsupported AWS 'algorithm': '%.*s' (only AWS4-HMAC-SHA256 for now). ",
                             SLICE_FMT(h.algorithm));
        if (h.credential_parts != 5) {
            slice c = h.credential;
            while (c.len != 0 && c.ptr[c.len - 1] == '/')
                c.len--;
            return error_set(err, 400, "IncompleteSignatureException",
                             "Credential must have exactly 5 slash-delimited elements, e.g. "
                             "keyid/date/region/service/term, got '%.*s'",
                             SLICE_FMT(c));
        }
        return 0;
    }
    static const char *const params[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature",
                                         "X-Amz-SignedHeaders", "X-Amz-Date"};
    for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
        slice v;
        if (sigv4_query_param(query, params[i], &v) != 0 || v.len == 0)
            append(msg, sizeof(msg), &len, "AWS query-string parameters must include '%s'. ", params[i]);
    }
    if (len != 0) {
        append(msg, sizeof(msg), &len, "Re-examine the query-string parameters.");
        return error_set(err, 400, "IncompleteSignatureException", "%s", msg);
    }
    return 0;
}

const char *dynamo_wire_error_namespace(const char *type)
{
    static const char *const coral_service[] = {
        "SerializationException",
        "UnknownOperationException",
        "MissingAuthenticationTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "UnrecognizedClientException",
        "AccessDeniedException",
        "InvalidClientTokenId",
        "RequestExpired",
        "InternalFailure",
    };
    if (strcmp(type, "ValidationException") == 0)
        return "com.amazon.coral.validate#";
    if (strcmp(type, "ThrottlingException") == 0)
        return "com.amazon.coral.availability#";
    for (size_t i = 0; i < sizeof(coral_service) / sizeof(coral_service[0]); i++)
        if (strcmp(type, coral_service[i]) == 0)
            return "com.amazon.coral.service#";
    return "com.amazonaws.dynamodb.v20120810#";
}

void dynamo_wire_request_id(char out[DYNAMO_REQUEST_ID_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    uint64_t r = 0;
    for (int i = 0; i < DYNAMO_REQUEST_ID_LEN; i++) {
        if (i % 12 == 0)
            r = reqid_random64();
        out[i] = alphabet[r % 36];
        r /= 36;
    }
    out[DYNAMO_REQUEST_ID_LEN] = '\0';
}

slice dynamo_wire_error_body(const aws_error *err, json_t *extra, arena *a)
{
    arena *prev = json_arena_push(a);
    const char *type = err->type != NULL ? err->type : "InternalServerError";
    json_t *o = json_object();
    char *full = arena_sprintf(a, "%s%s", strchr(type, '#') != NULL ? "" : dynamo_wire_error_namespace(type), type);
    json_object_set_new(o, "__type", json_string(full));
    bool extra_has_message = json_is_object(extra) &&
                             (json_object_get(extra, "message") != NULL || json_object_get(extra, "Message") != NULL);
    if (err->message[0] != '\0' && !extra_has_message) {
        /* Coral's serialization errors capitalise the key; DynamoDB's own use "message". */
        const char *key = strcmp(type, "SerializationException") == 0 ? "Message" : "message";
        json_object_set_new(o, key, json_string(err->message));
    }
    if (json_is_object(extra)) {
        const char *key;
        json_t *value;
        json_object_foreach(extra, key, value)
        {
            if (strcmp(key, "__type") != 0)
                json_object_set(o, key, value);
        }
    }
    slice body = json_dump_slice(o, JSON_COMPACT);
    json_arena_pop(prev);
    return body;
}

/* ---------- answering ---------- */

static void respond(wire_request *wr, int status, slice body, bool with_content_type)
{
    arena *a = wr->req->arena;
    char *crc = arena_sprintf(a, "%lu", (unsigned long)crc32(0L, (const Bytef *)body.ptr, (uInt)body.len));
    http_header h[6];
    size_t n = 0;
    h[n++] = (http_header){SLICE_LIT("Server"), SLICE_LIT("Server")};
    h[n++] = (http_header){SLICE_LIT("x-amzn-RequestId"), slice_cstr(wr->request_id)};
    h[n++] = (http_header){SLICE_LIT("x-amz-crc32"), slice_cstr(crc)};
    if (with_content_type)
        h[n++] = (http_header){SLICE_LIT("Content-Type"), wr->content_type};
    if (wr->cors)
        h[n++] = (http_header){SLICE_LIT("Access-Control-Allow-Origin"), SLICE_LIT("*")};
    http_respond(wr->req, status, h, n, body);
}

static void respond_error(wire_request *wr, const aws_error *err, json_t *extra)
{
    slice body = dynamo_wire_error_body(err, extra, wr->req->arena);
    respond(wr, err->status != 0 ? err->status : 400, body, true);
}

static void respond_error_type(wire_request *wr, const char *type, const char *message)
{
    aws_error e;
    error_set(&e, 400, type, "%s", message);
    respond_error(wr, &e, NULL);
}

static http_outcome finish_call(http_request *req, void *data)
{
    (void)req;
    wire_request *wr = data;
    dynamo_call *call = &wr->call;
    if (error_is_set(&call->error)) {
        respond_error(wr, &call->error, call->response);
        return HTTP_DONE;
    }
    if (call->response_text.ptr != NULL) {
        respond(wr, 200, call->response_text, true);
        return HTTP_DONE;
    }
    if (call->response == NULL) {
        aws_error e;
        error_set(&e, 500, "InternalServerError", "Internal server error");
        respond_error(wr, &e, NULL);
        return HTTP_DONE;
    }
    arena *prev = json_arena_push(req->arena);
    slice body = json_dump_slice(call->response, JSON_COMPACT);
    json_arena_pop(prev);
    respond(wr, 200, body, true);
    return HTTP_DONE;
}

static void on_call_done(dynamo_call *call)
{
    wire_request *wr = call->user;
    http_request_resume(wr->req, finish_call, wr);
}

/* "application/json; charset=utf-8" -> "application/json" */
static slice media_type(slice content_type)
{
    const char *semi = content_type.len != 0 ? memchr(content_type.ptr, ';', content_type.len) : NULL;
    slice s = semi != NULL ? slice_make(content_type.ptr, (size_t)(semi - content_type.ptr)) : content_type;
    while (s.len != 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
        s.ptr++;
        s.len--;
    }
    while (s.len != 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
}

static http_outcome answer_cors_preflight(wire_request *wr)
{
    http_request *req = wr->req;
    http_header h[6];
    size_t n = 0;
    h[n++] = (http_header){SLICE_LIT("Server"), SLICE_LIT("Server")};
    h[n++] = (http_header){SLICE_LIT("x-amzn-RequestId"), slice_cstr(wr->request_id)};
    h[n++] = (http_header){SLICE_LIT("Access-Control-Allow-Origin"), SLICE_LIT("*")};
    slice rh = http_request_header_lc(req, "access-control-request-headers");
    if (rh.ptr != NULL)
        h[n++] = (http_header){SLICE_LIT("Access-Control-Allow-Headers"), rh};
    slice rm = http_request_header_lc(req, "access-control-request-method");
    if (rm.ptr != NULL)
        h[n++] = (http_header){SLICE_LIT("Access-Control-Allow-Methods"), rm};
    h[n++] = (http_header){SLICE_LIT("Access-Control-Max-Age"), SLICE_LIT("172800")};
    http_respond(req, 200, h, n, SLICE_LIT(""));
    return HTTP_DONE;
}

http_outcome dynamo_wire_handle(http_request *req, void *ctx)
{
    dynamo_wire *w = ctx;
    wire_request *wr = arena_calloc(req->arena, sizeof(*wr));
    wr->req = req;
    dynamo_wire_request_id(wr->request_id);
    wr->cors = http_request_header_lc(req, "origin").ptr != NULL;

    if (slice_eq_cstr(req->method, "GET")) {
        respond(wr, 200, slice_cstr(w->health), false);
        return HTTP_DONE;
    }
    if (slice_eq_cstr(req->method, "OPTIONS") && wr->cors)
        return answer_cors_preflight(wr);

    slice ctype = media_type(http_request_header_lc(req, "content-type"));
    bool json10 = slice_eq(ctype, JSON_10);
    if (!slice_eq_cstr(req->method, "POST") || (req->body.len != 0 && !json10 && !slice_eq(ctype, JSON_PLAIN))) {
        respond(wr, 404, SLICE_LIT("<UnknownOperationException/>\n"), false);
        return HTTP_DONE;
    }
    wr->content_type = json10 ? JSON_10 : JSON_PLAIN;

    json_t *body = NULL;
    if (req->body.len != 0) {
        arena *prev = json_arena_push(req->arena);
        body = json_parse(req->body, JSON_ALLOW_NUL);
        json_arena_pop(prev);
        if (body == NULL) {
            respond_error_type(wr, "SerializationException", "");
            return HTTP_DONE;
        }
    }

    slice operation;
    if (dynamo_wire_parse_target(http_request_header_lc(req, "x-amz-target"), &operation) != 0 ||
        !dynamo_operation_known(operation)) {
        respond_error_type(wr, "UnknownOperationException", "");
        return HTTP_DONE;
    }

    aws_error err;
    bool has_date =
        http_request_header_lc(req, "x-amz-date").ptr != NULL || http_request_header_lc(req, "date").ptr != NULL;
    if (dynamo_wire_check_auth(http_request_header_lc(req, "authorization"), req->query, has_date, &err) != 0) {
        respond_error(wr, &err, NULL);
        return HTTP_DONE;
    }
    if (body == NULL || !json_is_object(body)) {
        respond_error_type(wr, "SerializationException", "");
        return HTTP_DONE;
    }

    dynamo_call *call = &wr->call;
    call->operation = operation;
    call->request = body;
    call->arena = req->arena;
    call->done = on_call_done;
    call->user = wr;
    call->text_response = true; /* the answer is only written out: reads may skip the tree */
    error_clear(&call->error);
    arena *prev = json_arena_push(req->arena);
    dynamo_engine_call(w->engine, call);
    json_arena_pop(prev);
    return HTTP_PENDING;
}

void dynamo_wire_shape_error(void *ctx, http_response *out, arena *a)
{
    (void)ctx;
    /* DynamoDB refuses an oversized request with an empty body. */
    char *id = arena_alloc(a, DYNAMO_REQUEST_ID_LEN + 1);
    dynamo_wire_request_id(id);
    http_header *h = arena_alloc(a, sizeof(*h) * 2);
    h[0] = (http_header){SLICE_LIT("Server"), SLICE_LIT("Server")};
    h[1] = (http_header){SLICE_LIT("x-amzn-RequestId"), slice_cstr(id)};
    out->headers = h;
    out->num_headers = 2;
    out->body = SLICE_LIT("");
}
