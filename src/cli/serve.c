/* `portico serve`: opens the engine, starts the listeners (the API gateway and DynamoDB's wire API)
 * and serves until SIGINT or SIGTERM, then stops gracefully: in-flight requests (writes included)
 * finish, the engine closes. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "core/log.h"
#include "core/reqid.h"
#include "dynamo/engine.h"
#include "dynamo/wire.h"
#include "gateway/gateway.h"
#include "gateway/http_transport.h"
#include "gateway/tables.h"
#include "http/server.h"
#include "stack/stack.h"

typedef struct {
    char host[64];
    unsigned port;
    bool off;
} listen_addr;

static void usage(FILE *out)
{
    fputs("usage: portico serve [TEMPLATE...] [--data DIR] [--listen ADDR:PORT] [--parameter K=V]...\n"
          "                     [--dynamodb-listen ADDR:PORT|off] [--threads N] [--no-fsync] [--http2]\n"
          "\n"
          "  TEMPLATE              CloudFormation / SAM / OpenAPI files whose APIs to serve\n"
          "  --data DIR            where the embedded store keeps its data (default ./portico-data)\n"
          "  --listen ADDR:PORT    the API gateway (default 127.0.0.1:8080)\n"
          "  --parameter K=V       a template parameter's value (overrides its Default)\n"
          "  --dynamodb-listen A:P DynamoDB's wire API for the AWS CLI and SDKs (default 127.0.0.1:8000),\n"
          "                        or 'off'\n"
          "  --threads N           event loops (default: one per core)\n"
          "  --no-fsync            do not fsync commits (throwaway data only: a crash can lose writes)\n"
          "  --http2               also accept cleartext HTTP/2\n",
          out);
}

/* "127.0.0.1:8080", "[::1]:8080", "8080" (loopback), "off" (when allowed). */
static int parse_listen(const char *arg, bool allow_off, listen_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (allow_off && strcmp(arg, "off") == 0) {
        out->off = true;
        return 0;
    }
    const char *port;
    size_t hostlen;
    const char *host = arg;
    if (arg[0] == '[') {
        const char *end = strchr(arg, ']');
        if (end == NULL || end[1] != ':')
            return -1;
        host = arg + 1;
        hostlen = (size_t)(end - host);
        port = end + 2;
    } else {
        const char *colon = strrchr(arg, ':');
        if (colon == NULL) {
            host = "127.0.0.1";
            hostlen = strlen(host);
            port = arg;
        } else {
            hostlen = (size_t)(colon - arg);
            port = colon + 1;
        }
    }
    if (hostlen == 0 || hostlen >= sizeof(out->host))
        return -1;
    memcpy(out->host, host, hostlen);
    out->host[hostlen] = '\0';
    char *end;
    errno = 0;
    unsigned long p = strtoul(port, &end, 10);
    if (errno != 0 || *port == '\0' || *end != '\0' || p > 65535)
        return -1;
    out->port = (unsigned)p;
    return 0;
}

static void print_url(const char *what, const char *host, unsigned port)
{
    bool v6 = strchr(host, ':') != NULL;
    printf("portico: %s on http://%s%s%s:%u\n", what, v6 ? "[" : "", host, v6 ? "]" : "", port);
}

int cmd_serve(int argc, char **argv)
{
    const char *data_dir = "./portico-data";
    listen_addr gateway_addr, wire_addr;
    parse_listen("127.0.0.1:8080", false, &gateway_addr);
    parse_listen("127.0.0.1:8000", true, &wire_addr);
    unsigned threads = 0;
    bool durable = true, http2 = false;
    const char **templates = calloc((size_t)argc + 1, sizeof(char *));
    size_t num_templates = 0;
    stack_parameter *parameters = calloc((size_t)argc + 1, sizeof(*parameters));
    size_t num_parameters = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(templates);
            free(parameters);
            return 0;
        } else if (strcmp(a, "--data") == 0 && has_value) {
            data_dir = argv[++i];
        } else if (strcmp(a, "--listen") == 0 && has_value) {
            if (parse_listen(argv[++i], false, &gateway_addr) != 0) {
                fprintf(stderr, "portico: --listen wants ADDR:PORT, not '%s'\n", argv[i]);
                free(templates);
                return 2;
            }
        } else if (strcmp(a, "--dynamodb-listen") == 0 && has_value) {
            if (parse_listen(argv[++i], true, &wire_addr) != 0) {
                fprintf(stderr, "portico: --dynamodb-listen wants ADDR:PORT or 'off', not '%s'\n", argv[i]);
                free(templates);
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0 && has_value) {
            char *end;
            long n = strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 1024) {
                fprintf(stderr, "portico: --threads wants a number from 1 to 1024, not '%s'\n", argv[i]);
                free(templates);
                return 2;
            }
            threads = (unsigned)n;
        } else if (strcmp(a, "--parameter") == 0 && has_value) {
            if (stack_parameter_parse(argv[++i], &parameters[num_parameters]) != 0) {
                fprintf(stderr, "portico: --parameter wants K=V, not '%s'\n", argv[i]);
                free(templates);
                free(parameters);
                return 2;
            }
            num_parameters++;
        } else if (strcmp(a, "--no-fsync") == 0) {
            durable = false;
        } else if (strcmp(a, "--http2") == 0) {
            http2 = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "portico: serve: unknown option or missing value: '%s'\n\n", a);
            usage(stderr);
            free(templates);
            free(parameters);
            return 2;
        } else {
            templates[num_templates++] = a;
        }
    }
    /* The APIs to serve, read before anything starts: a broken template stops here. */
    arena load;
    arena_init(&load, 1 << 16);
    stack_model **models = calloc(num_templates + 1, sizeof(*models));
    aws_error err;
    error_clear(&err);
    stack_options stack_opts = {.parameters = parameters, .parameter_count = num_parameters};
    for (size_t i = 0; i < num_templates; i++) {
        if (stack_load(templates[i], &stack_opts, &models[i], &load, &err) != 0) {
            fprintf(stderr, "portico: %s\n", err.message);
            free(templates);
            free(parameters);
            free(models);
            arena_destroy(&load);
            return 1;
        }
        stack_print_warnings(stderr, models[i]);
    }
    free(templates);

    /* The loops inherit this mask: only the main thread takes the stop signals. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    dynamo_options opts = {.data_dir = data_dir, .no_sync = !durable};
    dynamo_engine *engine = dynamo_engine_open(&opts, &err);
    if (engine == NULL) {
        fprintf(stderr, "portico: cannot open the store in %s: %s\n", data_dir,
                error_is_set(&err) ? err.message : "unknown error");
        free(parameters);
        free(models);
        arena_destroy(&load);
        return 1;
    }
    gateway_options gw_opts = {.data_dir = data_dir};
    gateway *gw = NULL;
    for (size_t i = 0; i < num_templates && error_is_set(&err) == false; i++)
        gateway_ensure_tables(models[i], engine, &err);
    if (!error_is_set(&err))
        gw = gateway_create((const stack_model *const *)models, num_templates, engine, &gw_opts, &load, &err);
    if (gw == NULL) {
        fprintf(stderr, "portico: %s\n", err.message);
        dynamo_engine_close(engine);
        free(parameters);
        free(models);
        arena_destroy(&load);
        return 1;
    }
    dynamo_wire *wire = dynamo_wire_new(engine, NULL);

    http_listener_config listeners[2];
    size_t n = 0;
    listeners[n++] = (http_listener_config){
        .name = "API gateway",
        .host = gateway_addr.host,
        .port = gateway_addr.port,
        .handler = gateway_http_handler,
        .ctx = gw,
        .shape_error = gateway_http_shape_error,
    };
    if (!wire_addr.off)
        listeners[n++] = (http_listener_config){
            .name = "DynamoDB API",
            .host = wire_addr.host,
            .port = wire_addr.port,
            .handler = dynamo_wire_handle,
            .ctx = wire,
            .shape_error = dynamo_wire_shape_error,
        };
    http_server_config config = {
        .threads = threads,
        .http2 = http2,
        .listeners = listeners,
        .num_listeners = n,
    };
    char msg[256];
    http_server *server = http_server_start(&config, msg, sizeof(msg));
    if (server == NULL) {
        fprintf(stderr, "portico: %s\n", msg);
        dynamo_wire_free(wire);
        gateway_destroy(gw);
        dynamo_engine_close(engine);
        free(parameters);
        free(models);
        arena_destroy(&load);
        return 1;
    }
    print_url("API gateway", gateway_addr.host, http_server_port(server, 0));
    char base_url[128];
    snprintf(base_url, sizeof(base_url), "http://%s:%u", gateway_addr.host, http_server_port(server, 0));
    for (size_t i = 0; i < num_templates; i++) {
        stack_print_routes(stdout, models[i], base_url);
    }
    if (!wire_addr.off)
        print_url("DynamoDB API", wire_addr.host, http_server_port(server, 1));
    fflush(stdout);

    int sig = 0;
    sigwait(&stop_signals, &sig);
    log_info("serve: %s received, finishing the requests under way", sig == SIGINT ? "SIGINT" : "SIGTERM");
    http_server_stop(server);
    dynamo_wire_free(wire);
    gateway_destroy(gw);
    dynamo_engine_close(engine);
    free(parameters);
    free(models);
    arena_destroy(&load);
    log_info("serve: stopped");
    return 0;
}
