/* The HTTP server and client together on loopback: an "upstream" listener and a "relay" listener
 * whose handler calls the upstream through the client. */
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/client.h"
#include "http/server.h"

static unsigned upstream_port;

/* ---- upstream: echoes; /slow answers 1 s later from another thread ---- */

static http_outcome answer_slow(http_request *req, void *data)
{
    (void)data;
    http_respond(req, 200, NULL, 0, SLICE_LIT("slow"));
    return HTTP_DONE;
}

static void *resume_later(void *arg)
{
    usleep(1000000);
    http_request_resume(arg, answer_slow, NULL);
    return NULL;
}

static http_outcome upstream(http_request *req, void *ctx)
{
    (void)ctx;
    if (slice_eq_cstr(req->path, "/slow")) {
        pthread_t t;
        pthread_create(&t, NULL, resume_later, req);
        pthread_detach(t);
        return HTTP_PENDING;
    }
    char *body = arena_sprintf(req->arena, "%.*s %.*s ?%.*s [%.*s] x=%.*s", SLICE_FMT(req->method),
                               SLICE_FMT(req->path), SLICE_FMT(req->query), SLICE_FMT(req->body),
                               SLICE_FMT(http_request_header(req, SLICE_LIT("X-Test"))));
    http_header h[] = {{SLICE_LIT("X-Upstream"), SLICE_LIT("yes")}};
    http_respond(req, slice_eq_cstr(req->path, "/missing") ? 404 : 200, h, 1, slice_cstr(body));
    return HTTP_DONE;
}

/* ---- relay: /to/<path> -> upstream <path>; 300 ms timeout for /to/slow, 5 s otherwise ---- */

typedef struct {
    http_request *req;
} relay_ctx;

static void relayed(void *user, const http_client_response *res)
{
    relay_ctx *rc = user;
    http_request *req = rc->req;
    if (res->error != NULL) {
        char *msg = arena_sprintf(req->arena, "error: %s%s", res->error, res->timed_out ? " (timed out)" : "");
        http_respond(req, 504, NULL, 0, slice_cstr(msg));
    } else {
        slice up = SLICE_NULL;
        for (size_t i = 0; i < res->num_headers; i++)
            if (slice_eq_cstr(res->headers[i].name, "x-upstream"))
                up = res->headers[i].value;
        char *msg = arena_sprintf(req->arena, "%d %.*s | %.*s", res->status, SLICE_FMT(up), SLICE_FMT(res->body));
        http_respond(req, 200, NULL, 0, slice_cstr(msg));
    }
}

static http_outcome resume_done(http_request *req, void *data)
{
    (void)req;
    (void)data;
    return HTTP_DONE; /* relayed() already answered on the loop thread */
}

static void relayed_then_resume(void *user, const http_client_response *res)
{
    relayed(user, res);
    http_request_resume(((relay_ctx *)user)->req, resume_done, NULL);
}

static http_outcome relay(http_request *req, void *ctx)
{
    (void)ctx;
    relay_ctx *rc = arena_calloc(req->arena, sizeof(*rc));
    rc->req = req;
    slice rest = slice_sub(req->path, 3, req->path.len);
    unsigned port = slice_eq_cstr(rest, "/refused") ? 1 : upstream_port;
    char *url = arena_sprintf(req->arena, "http://127.0.0.1:%u%.*s%s%.*s", port, SLICE_FMT(rest),
                              req->query.len ? "?" : "", SLICE_FMT(req->query));
    http_header h[] = {{SLICE_LIT("X-Test"), SLICE_LIT("relayed")}};
    http_client_request cr = {.method = req->method,
                              .url = slice_cstr(url),
                              .headers = h,
                              .num_headers = 1,
                              .body = req->body,
                              .timeout_ms = slice_eq_cstr(rest, "/slow") ? 300 : 5000};
    http_client_send(req->loop, req->arena, &cr, relayed_then_resume, rc);
    return HTTP_PENDING;
}

static http_server *server;

static void start(void)
{
    http_listener_config l[] = {
        {.name = "upstream", .host = "127.0.0.1", .port = 0, .handler = upstream},
        {.name = "relay", .host = "127.0.0.1", .port = 0, .handler = relay},
    };
    http_server_config c = {.threads = 2, .listeners = l, .num_listeners = 2};
    char err[256];
    server = http_server_start(&c, err, sizeof(err));
    cr_assert_not_null(server, "%s", err);
    upstream_port = http_server_port(server, 0);
    cr_assert_neq(upstream_port, 0);
}

static void stop(void)
{
    http_server_stop(server);
}

/* One HTTP/1.0-style exchange on a fresh connection (the server closes after answering). */
static char *exchange(unsigned port, const char *request)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sin.sin_addr.s_addr = htonl(0x7f000001);
    cr_assert_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    cr_assert_eq(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    static char buf[65536];
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = '\0';
    close(fd);
    return buf;
}

static const char *body_of(const char *reply)
{
    const char *b = strstr(reply, "\r\n\r\n");
    return b != NULL ? b + 4 : "";
}

TestSuite(http, .init = start, .fini = stop, .timeout = 30);

Test(http, answers_with_content_length_and_view)
{
    char *r = exchange(upstream_port, "POST /a%20b?x=1 HTTP/1.0\r\nX-Test: hi\r\nContent-Length: 3\r\n\r\nabc");
    cr_assert(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", r);
    cr_assert_not_null(strstr(r, "Content-Length: "));
    cr_assert_not_null(strstr(r, "X-Upstream: yes\r\n"));
    cr_assert_null(strstr(r, "Server:"));
    cr_assert_str_eq(body_of(r), "POST /a%20b ?x=1 [abc] x=hi");
}

Test(http, resume_from_another_thread)
{
    char *r = exchange(upstream_port, "GET /slow HTTP/1.0\r\n\r\n");
    cr_assert_str_eq(body_of(r), "slow");
}

Test(http, client_relays_status_headers_and_body)
{
    char *r = exchange(http_server_port(server, 1), "PUT /to/x?q=2 HTTP/1.0\r\nContent-Length: 4\r\n\r\ndata");
    cr_assert_str_eq(body_of(r), "200 yes | PUT /x ?q=2 [data] x=relayed");
    r = exchange(http_server_port(server, 1), "GET /to/missing HTTP/1.0\r\n\r\n");
    cr_assert_str_eq(body_of(r), "404 yes | GET /missing ? [] x=relayed");
    /* Again, over the pooled connection. */
    r = exchange(http_server_port(server, 1), "GET /to/again HTTP/1.0\r\n\r\n");
    cr_assert_str_eq(body_of(r), "200 yes | GET /again ? [] x=relayed");
}

Test(http, client_timeout)
{
    char *r = exchange(http_server_port(server, 1), "GET /to/slow HTTP/1.0\r\n\r\n");
    cr_assert_str_eq(body_of(r), "error: timeout (timed out)");
}

Test(http, client_connection_refused)
{
    char *r = exchange(http_server_port(server, 1), "GET /to/refused HTTP/1.0\r\n\r\n");
    cr_assert(strncmp(body_of(r), "error: ", 7) == 0, "%s", r);
    cr_assert_null(strstr(body_of(r), "timed out"));
}
