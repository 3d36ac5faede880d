#!/usr/bin/python3
"""Generates differential-test cases for the VTL engine: random request bodies (seeded, deterministic) and
templates that combine the constructs API Gateway templates use ($input.path/json/params/body, $util.*,
$context, #set/#if/#foreach, Java methods on the values) over paths that exist in the body and paths that do
not. Output is the reference harness's input format (see oracle/Harness.java).

usage: generate.py [--seed N] [--count N] > cases.json
"""
import argparse
import json
import random

WORDS = ["alpha", "beta", "gamma", "delta", "x", "Item", "page-1", "user_2", "k3"]
TEXTS = ["hello", "", "it's", 'say "hi"', "a/b", "back\\slash", "tab\there", "line\nbreak", "café", "€100",
         "<b>&amp;</b>", "100%", "a+b=c", "  padded  ", "emoji \U0001F600", "null", "true", "42", "{}", "[1]"]
NUMBERS = [0, 1, -1, 7, 42, 2147483647, 2147483648, 123456789012, -5, 0.5, 249.99, 0.99, 1.0, 100.0, 3.14159,
           1e-05, 0.001, 1234567.0, 12345678.9, 1e21, -0.0, 2.5e-7]
CONTEXT = {"requestId": "req-0001", "apiId": "api123", "resourceId": "res456", "accountId": "123456789012",
           "identity": {"sourceIp": "198.51.100.1", "userAgent": "gen/1.0", "caller": "", "user": ""}}
CONTEXT_FIELDS = ["requestId", "apiId", "resourceId", "accountId", "identity.sourceIp", "identity.userAgent",
                  "identity.caller", "httpMethod", "resourcePath", "stage", "nope"]


def rand_value(r, depth):
    k = r.random()
    if depth > 2 or k < 0.45:
        return r.choice([lambda: r.choice(TEXTS), lambda: r.choice(NUMBERS), lambda: r.choice([True, False, None])])()
    if k < 0.75:
        return {r.choice(WORDS) + ("" if r.random() < 0.7 else str(i)): rand_value(r, depth + 1)
                for i in range(r.randint(0, 4))}
    return [rand_value(r, depth + 1) for _ in range(r.randint(0, 4))]


def paths(value, prefix="$"):
    """(path, value) for every node reachable with dot/bracket/index syntax."""
    out = [(prefix, value)]
    if isinstance(value, dict):
        for k, v in value.items():
            p = prefix + ("." + k if k.replace("_", "").isalnum() else "['" + k + "']")
            out += paths(v, p)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, "%s[%d]" % (prefix, i))
    return out


def fragments(r, body_value, names):
    ps = paths(body_value)
    p, v = r.choice(ps)
    if r.random() < 0.2:
        p, v = r.choice(["$.missing", "$.a.b.c", "$.x[3]"]), None
    if r.random() < 0.1 and len(ps) > 1:
        p = p + r.choice(["[*]", ".*"]) if isinstance(v, (list, dict)) else p
    q = '"' + p + '"' if "'" in p else "'" + p + "'"
    choices = [
        "$input.path(%s)" % q,
        "$input.json(%s)" % q,
        "#set($v = $input.path(%s))v=[$v]" % q,
        "$util.escapeJavaScript($input.path(%s))" % q,
        "$util.urlEncode($input.path(%s))" % q,
        "$util.base64Encode($input.json(%s))" % q,
        "#if($input.path(%s))T#{else}F#end" % q,
        "#if($input.path(%s) == '')E#{else}N#end" % q,
        "$input.params('%s')" % r.choice(names + ["absent"]),
        "$context.%s" % r.choice(CONTEXT_FIELDS),
        "$stageVariables.%s" % r.choice(["env", "absent"]),
    ]
    if isinstance(v, list):
        choices += ["$input.path(%s).size()" % q,
                    "#foreach($x in $input.path(%s))$x#if($foreach.hasNext),#end#end" % q,
                    "#foreach($x in $input.path(%s))\n  $foreach.count: $x\n#end" % q]
    if isinstance(v, dict):
        choices += ["$input.path(%s).size()" % q, "$input.path(%s).keySet()" % q,
                    "#set($o = $input.path(%s))#foreach($k in $o.keySet())$k=$o.get($k);#end" % q]
        if v:
            choices.append("#set($o = $input.path(%s))$o.%s" % (q, next(iter(v))))
    if isinstance(v, str):
        choices += ["$input.path(%s).length()" % q, "$input.path(%s).toUpperCase()" % q,
                    "$input.path(%s).replaceAll('[aeiou]', '_')" % q, "$input.path(%s).trim()" % q,
                    "$util.urlDecode($util.urlEncode($input.path(%s)))" % q]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        choices += ["#set($n = $input.path(%s))#set($m = $n * 2)$m" % q,
                    "#if($input.path(%s) > 10)big#{else}small#end" % q]
    return r.choice(choices)


def wrap(r, t):
    """Surrounds a template with directives and the whitespace around them, where Velocity's rules bite."""
    k = r.random()
    if k < 0.25:
        return "{\n  \"value\": \"%s\"\n}" % t
    if k < 0.35:
        return "#foreach($i in [1..2])\n  #if($foreach.first)first#end\n  %s\n#end" % t
    if k < 0.45:
        return "#set($flag = %s)\n#if($flag)\n    %s\n#else\n    none\n#end\n" % (r.choice(["true", "false", "''", "$nothing"]), t)
    if k < 0.5:
        return "#macro(show $x)<$x>#end\n#show(\"%s\")" % t.replace('"', "'")
    if k < 0.55:
        return "#define($block)\n%s\n#end\n$block$block" % t
    if k < 0.6:
        return "  #set($a = [1, 'two', 3.0])\n$a $a.size() $a[1] #set($m = {'k': $a})$m\n" + t
    return t


def make_case(r, i):
    body_value = rand_value(r, 0)
    if not isinstance(body_value, (dict, list)):
        body_value = {"value": body_value}
    kind = r.random()
    if kind < 0.08:
        body = r.choice(["", "a=b&c=d", "plain text", "  {\"a\": 1}  "])
        body_value = {}
    elif kind < 0.15:
        body = json.dumps(body_value, separators=(",", ":"))
    else:
        body = json.dumps(body_value, indent=r.choice([None, 2]), ensure_ascii=r.random() < 0.5)
    names = ["id", "q", "h"]
    seps = ["|", "\n", ", ", "\n  ", " ", "\n## note\n", "\n    #set($t = 1)\n"]
    template = r.choice(seps).join(fragments(r, body_value, names) for _ in range(r.randint(2, 6)))
    template = wrap(r, template)
    return {"id": "gen-%03d" % i, "template": template,
            "request": {"body": body, "path": {"id": "p-%d" % i},
                        "querystring": {"q": r.choice(TEXTS)} if r.random() < 0.7 else {},
                        "headers": {"h": "hv", "Content-Type": "application/json"},
                        "method": r.choice(["GET", "POST"]), "resourcePath": "/items/{id}", "stage": "test"},
            "context": CONTEXT, "stageVariables": {"env": "dev"} if r.random() < 0.5 else {}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--count", type=int, default=150)
    a = ap.parse_args()
    r = random.Random(a.seed)
    print(json.dumps([make_case(r, i) for i in range(a.count)], indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
