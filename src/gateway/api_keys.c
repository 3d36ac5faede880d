#include "gateway/api_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/json.h"
#include "core/log.h"

static int save(const char *path, json_t *values, aws_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if (json_dump_file(values, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || rename(tmp, path) != 0)
        return error_set(err, 500, "InternalFailure", "cannot write %s", path);
    return 0;
}

/* The i-th key over all the models. */
static const model_api_key *api_key_at(const gateway *g, size_t i)
{
    for (size_t m = 0; m < g->model_count; m++) {
        if (i < g->models[m]->api_key_count)
            return &g->models[m]->api_keys[i];
        i -= g->models[m]->api_key_count;
    }
    return NULL;
}

int api_keys_resolve(gateway *g, const char *data_dir, aws_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < g->model_count; i++)
        total += g->models[i]->api_key_count;
    char path[4096];
    json_t *kept = NULL;
    arena *previous = json_arena_push(NULL); /* what is read here lives as long as the gateway */
    if (data_dir != NULL) {
        snprintf(path, sizeof(path), "%s/api-keys.json", data_dir);
        kept = json_load_file(path, 0, NULL);
    }
    if (!json_is_object(kept)) {
        json_decref(kept);
        kept = json_object();
    }
    bool changed = false;
    for (size_t i = 0; i < total; i++) {
        const model_api_key *k = api_key_at(g, i);
        slice value = k->value;
        if (k->value_generated) {
            const json_t *stored = json_object_getn(kept, k->logical_id.ptr, k->logical_id.len);
            if (json_is_string(stored)) {
                value = arena_slice_dup(g->arena, json_string_slice(stored));
            } else {
                json_object_setn_new(kept, k->logical_id.ptr, k->logical_id.len, json_stringn(value.ptr, value.len));
                changed = true;
            }
        }
        ((model_api_key *)k)->value = value; /* the model's slot for the value in force */
    }
    int rc = 0;
    if (changed && data_dir != NULL) {
        mkdir(data_dir, 0755);
        rc = save(path, kept, err);
    }
    json_decref(kept);
    json_arena_pop(previous);
    return rc;
}

const model_api_key *api_keys_find(const gateway *g, slice value)
{
    for (size_t m = 0; m < g->model_count; m++) {
        const model_api_key *k = model_api_key_by_value(g->models[m], value);
        if (k != NULL)
            return k;
    }
    return NULL;
}
