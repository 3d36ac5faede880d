#include <criterion/criterion.h>
#include <string.h>

#include "dynamo/item_request.h"

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    cr_assert_not_null(v, "bad test JSON: %s", e.text);
    return v;
}

/* A table pk (S) with a KEYS_ONLY GSI on g (S) and an ALL LSI on pk + ls (N). */
static void make_table(table_def *t, index_def ix[2])
{
    memset(t, 0, sizeof *t);
    memset(ix, 0, 2 * sizeof *ix);
    t->name = SLICE_LIT("Things");
    t->key.hash = (key_attr){SLICE_LIT("pk"), ATTR_S};
    ix[0].name = SLICE_LIT("byG");
    ix[0].global = true;
    ix[0].key.hash = (key_attr){SLICE_LIT("g"), ATTR_S};
    ix[0].projection = PROJECTION_KEYS_ONLY;
    ix[1].name = SLICE_LIT("byLs");
    ix[1].key.hash = (key_attr){SLICE_LIT("pk"), ATTR_S};
    ix[1].key.range = (key_attr){SLICE_LIT("ls"), ATTR_N};
    ix[1].projection = PROJECTION_ALL;
    t->indexes = ix;
    t->n_indexes = 2;
    t->n_gsi = 1;
}

Test(item_request, read_and_write_units_round_up)
{
    cr_assert_eq(capacity_write_units(0), 1.0);
    cr_assert_eq(capacity_write_units(1024), 1.0);
    cr_assert_eq(capacity_write_units(1025), 2.0);
    cr_assert_eq(capacity_read_units(4096, true), 1.0);
    cr_assert_eq(capacity_read_units(4097, true), 2.0);
    cr_assert_eq(capacity_read_units(4097, false), 1.0);
    cr_assert_eq(capacity_read_units(0, false), 0.5);
}

Test(item_request, writes_charge_the_indexes_they_touch)
{
    table_def t;
    index_def ix[2];
    make_table(&t, ix);
    json_t *plain = parse("{\"pk\":{\"S\":\"a\"},\"v\":{\"S\":\"x\"}}");
    json_t *in_gsi = parse("{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"1\"}}");
    json_t *moved = parse("{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"2\"}}");

    item_capacity c = {0};
    capacity_add_write(&c, &t, NULL, plain, 1);
    cr_assert_eq(c.table, 1.0);
    cr_assert_eq(c.index[0], 0.0); /* sparse: no g, not in the GSI */
    cr_assert_eq(c.index[1], 0.0); /* no ls, not in the LSI */

    item_capacity d = {0};
    capacity_add_write(&d, &t, in_gsi, moved, 2);
    cr_assert_eq(d.table, 2.0);
    cr_assert_eq(d.index[0], 4.0); /* the index key changed: a delete and a put, doubled in a transaction */

    json_t *cap = capacity_json(RCC_INDEXES, &t, &d, false);
    cr_assert_eq(json_real_value(json_object_get(cap, "CapacityUnits")), 6.0);
    cr_assert_str_eq(json_string_value(json_object_get(cap, "TableName")), "Things");
    json_t *gsi = json_object_get(json_object_get(cap, "GlobalSecondaryIndexes"), "byG");
    cr_assert_eq(json_real_value(json_object_get(gsi, "WriteCapacityUnits")), 4.0);
    cr_assert_null(json_object_get(cap, "LocalSecondaryIndexes"));
    cr_assert_null(capacity_json(RCC_NONE, &t, &d, false));
    json_decref(cap);
    json_decref(plain);
    json_decref(in_gsi);
    json_decref(moved);
}

Test(item_request, index_projection_sizes)
{
    table_def t;
    index_def ix[2];
    make_table(&t, ix);
    json_t *item = parse("{\"pk\":{\"S\":\"a\"},\"g\":{\"S\":\"1\"},\"big\":{\"S\":\"0123456789\"}}");
    /* KEYS_ONLY holds pk and g: names 2 + 1, values 1 + 1 */
    cr_assert_eq(index_projected_size(&t, &ix[0], item), 5);
    cr_assert(index_projects(&t, &ix[0], SLICE_LIT("pk")));
    cr_assert_not(index_projects(&t, &ix[0], SLICE_LIT("big")));
    cr_assert(index_projects(&t, &ix[1], SLICE_LIT("big")));
    json_t *m = item_collection_metrics(&t, item);
    cr_assert_not_null(m);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_object_get(json_object_get(m, "ItemCollectionKey"), "pk"), "S")), "a");
    json_decref(m);
    json_decref(item);
}

Test(item_request, table_name_rules)
{
    aws_error err;
    slice name;
    json_t *req = parse("{\"TableName\":\"a;\"}");
    error_clear(&err);
    cr_assert_eq(ireq_table_name(req, "TableName", "tableName", &name, &err), -1);
    cr_assert_str_eq(err.message,
                     "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: "
                     "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at "
                     "'tableName' failed to satisfy constraint: Member must have length greater than or "
                     "equal to 3");
    json_decref(req);
    req = parse("{\"TableName\":\"Good.Name-1\"}");
    error_clear(&err);
    cr_assert_eq(ireq_table_name(req, "TableName", "tableName", &name, &err), 0);
    cr_assert(slice_eq_cstr(name, "Good.Name-1"));
    json_decref(req);
}
