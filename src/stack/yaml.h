/*
 * yaml: YAML text to jansson, with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub ...)
 * turned into the long forms JSON templates use ({"Ref": ...}, {"Fn::GetAtt": [...]}), so that
 * everything after this point sees one representation. Anchors, aliases and merge keys work as in
 * YAML; alias expansion is bounded (a "billion laughs" file is an error, not an out-of-memory).
 * Also loads JSON (with jansson) into the same shape. Knows nothing about what the keys mean.
 */
#ifndef PORTICO_STACK_YAML_H
#define PORTICO_STACK_YAML_H

#include <jansson.h>
#include <stddef.h>

#include "core/error.h"

/* The most nodes (counting every alias expansion) and nesting levels a file may produce. */
#define STACK_YAML_MAX_WEIGHT 2000000
#define STACK_YAML_MAX_DEPTH  200

/* Values are created in the current json arena. On failure returns NULL and sets err with
 * "name:line:column: what" (1-based). Plain scalars follow YAML 1.2's core schema (null, booleans,
 * integers, floats), except numbers with a leading zero and integers too big for 64 bits, which
 * stay strings (an account id "012345678901" must not become a number). */
json_t *stack_yaml_parse(const char *name, const char *data, size_t len, aws_error *err);
json_t *stack_json_parse(const char *name, const char *data, size_t len, aws_error *err);
/* Picks by the first non-blank byte: '{' or '[' is JSON, anything else YAML. */
json_t *stack_document_parse(const char *name, const char *data, size_t len, aws_error *err);

#endif
