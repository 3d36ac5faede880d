"""Differential test of the mapping-template engine: every case of tests/vtl-diff/cases/*.json and of the seeded
generator (tests/vtl-diff/generate.py) is rendered by `portico render` and by the reference renderer
(tests/vtl-diff/oracle/Harness.java: Velocity 1.7, Jayway JsonPath 2.0, json-smart 2.2, as API Gateway runs
them). Any difference not listed, with its reason, in tests/vtl-diff/known-differences.json fails the test; so
does a listed difference that no longer happens (the list must stay true)."""
import json
import pathlib
import subprocess


ROOT = pathlib.Path(__file__).resolve().parents[2]
DIFF = ROOT / "tests" / "vtl-diff"
GENERATED_SEED = 20261122
GENERATED_COUNT = 150


def load_cases():
    cases = []
    for f in sorted((DIFF / "cases").glob("*.json")):
        cases += json.loads(f.read_text(encoding="utf-8"))
    gen = subprocess.run(["/usr/bin/python3", str(DIFF / "generate.py"), "--seed", str(GENERATED_SEED),
                          "--count", str(GENERATED_COUNT)], capture_output=True, check=True, timeout=60)
    cases += json.loads(gen.stdout.decode("utf-8"))
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases


def oracle_render(cases, portico, tmp):
    """Renders every case with the Java harness in one JVM; returns id -> {"out": ...} or {"error": ...}."""
    oracle_dir = pathlib.Path(portico).resolve().parent / "vtl-oracle"
    cp = subprocess.run([str(DIFF / "build-oracle"), str(oracle_dir)], capture_output=True, text=True, timeout=300)
    assert cp.returncode == 0, "building the reference renderer failed:\n" + cp.stderr
    cases_file, out_file = tmp / "cases.json", tmp / "oracle.jsonl"
    cases_file.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    r = subprocess.run(["java", "-cp", cp.stdout.strip(), "Harness", "awsjp", str(cases_file), str(out_file)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "reference renderer failed:\n" + r.stderr
    results = {}
    for line in out_file.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        results[rec["id"]] = rec
    return results


def portico_render(portico, case, tmp):
    """Renders one case with `portico render`; returns {"out": ...} or {"error": ...}."""
    req = case["request"]
    template = tmp / "template.vtl"
    body = tmp / "body"
    template.write_bytes(case["template"].encode("utf-8"))
    body.write_bytes(req.get("body", "").encode("utf-8"))
    args = [portico, "render", str(template), "--body-file", str(body)]
    for flag, key in (("--path", "path"), ("--query", "querystring"), ("--header", "headers")):
        for k, v in req.get(key, {}).items():
            args += [flag, "%s=%s" % (k, v)]
    for k, v in case.get("stageVariables", {}).items():
        args += ["--stage-var", "%s=%s" % (k, v)]
    args += ["--method", req.get("method", "GET"), "--resource-path", req.get("resourcePath", "/"),
             "--stage", req.get("stage", "test"), "--context-json", json.dumps(case.get("context", {}))]
    r = subprocess.run(args, capture_output=True, timeout=30)
    if r.returncode == 0:
        return {"out": r.stdout.decode("utf-8", errors="replace")}
    return {"error": r.stderr.decode("utf-8", errors="replace").strip() or "exit %d" % r.returncode}


def same(want, got):
    if "error" in want or "error" in got:
        return "error" in want and "error" in got  # both fail; the wording is Java's, not compared
    return want["out"] == got["out"]


def show(rec):
    return ("ERROR " + rec["error"][:300]) if "error" in rec else repr(rec["out"][:600])


def test_portico_renders_as_the_reference(portico, tmp_path):
    cases = load_cases()
    known = {k["id"]: k["reason"] for k in json.loads((DIFF / "known-differences.json").read_text())}
    for cid, reason in known.items():
        assert reason.strip(), "known difference %s needs a reason" % cid
    want = oracle_render(cases, portico, tmp_path)
    unexpected, fixed = [], []
    for case in cases:
        got = portico_render(portico, case, tmp_path)
        ok = same(want[case["id"]], got)
        if not ok and case["id"] not in known:
            unexpected.append("%s\n  template: %r\n  body: %r\n  reference: %s\n  portico:   %s" % (
                case["id"], case["template"][:400], case["request"].get("body", "")[:200],
                show(want[case["id"]]), show(got)))
        elif ok and case["id"] in known:
            fixed.append(case["id"])
    unknown_ids = set(known) - {c["id"] for c in cases}
    assert not unknown_ids, "known-differences.json lists cases that do not exist: %s" % sorted(unknown_ids)
    assert not fixed, "these listed differences no longer happen; remove them from known-differences.json: %s" % fixed
    assert not unexpected, "%d of %d cases render differently from the reference:\n\n%s" % (
        len(unexpected), len(cases), "\n\n".join(unexpected[:25]))
