#!/usr/bin/env python3
"""Validates recorded forge exchanges against the forges' published API descriptions.

Input: a JSONL file the forge emulators write when FLUXSTAMP_CONTRACT_LOG names it (one exchange a
line: forge, method, path, query, requestBody, status, responseBody). For Azure DevOps, Bitbucket
Cloud and Bitbucket Data Center every request is matched to an operation of
../shared/conformance/forge-api/*.json (method and path template), its query parameters checked
(declared, required present, typed), its JSON body validated against the operation's body schema,
and its response body against the schema documented for that status. For GitHub every GraphQL
query is parsed and validated against github-schema.graphql. Prints per forge how many requests
and responses were validated and every violation; exits 1 when there is any.

Counted apart, not as violations:
- answers the operation did not give (`origin`): failures a test injected, and the emulators'
  shared front (429 rate limits, 401 for a wrong credential), or given by an emulator playing
  another version than the description (Bitbucket Data Center before 7.14); their requests are
  still validated.
- error answers (4xx) of an operation whose description documents no error answer at all (Azure
  DevOps documents only 200): the description cannot be checked against.
- probes: requests a test sent on purpose to see an emulator refuse them (marked by a header).
  A probe that breaks the description must have been refused (4xx); one that was accepted is a
  violation (the emulator is more lenient than the API). A probe that follows the description is
  validated like any other request, except that a refusal for a rule observed on the real forge
  but not in its description (SPEC section 7) is counted with the refused probes.
Azure DevOps wraps collections in its VSS envelope `{count, value}`; the swagger describes the
array inside, so `value` is validated. Bitbucket Cloud's `page` and `pagelen` are its global
pagination parameters (developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination), not
repeated per operation.
"""
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import jsonschema
from openapi_schema_validator import OAS30Validator

SPECS = {
    "azuredevops": ("azure-devops-git-7.1.json", ""),
    "bitbucket": ("bitbucket-cloud-swagger.v3.json", "/2.0"),
    "bitbucketserver": ("bitbucket-datacenter-9.2-swagger.v3.json", "/rest"),
}
# Query parameters a forge documents once for every operation.
GLOBAL_QUERY = {"bitbucket": {"page", "pagelen"}}


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8-sig"))


class Spec:
    def __init__(self, document, base):
        self.doc = document
        self.base = base
        self.swagger2 = "swagger" in document
        self.operations = []
        for template, item in document["paths"].items():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method in ("parameters", "summary", "description", "servers"):
                    continue
                self.operations.append((method.upper(), re.compile(pattern), template, op, shared))

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            target = self.doc
            for part in ref.lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def validator(self, schema):
        root = dict(schema)
        # Make the document's own definitions resolvable from inside the schema.
        if self.swagger2:
            root["definitions"] = self.doc.get("definitions", {})
            return jsonschema.Draft4Validator(root)
        root["components"] = self.doc.get("components", {})
        return OAS30Validator(root)

    def match(self, method, path):
        # Anything before the base (a Data Center context path) is the server's, not the API's.
        if self.base and self.base in path:
            path = path[path.index(self.base) + len(self.base):]
        for m, pattern, template, op, shared in self.operations:
            if m == method and pattern.match(path):
                return template, op, [self.resolve(p) for p in shared + op.get("parameters", [])]
        return None


def errors_of(validator, value):
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in validator.iter_errors(value)]


def check_query(params, query, global_names):
    problems = []
    declared = {p["name"]: p for p in params if p.get("in") == "query"}
    for name, value in query.items():
        p = declared.get(name)
        if p is None and name in global_names:
            continue
        if p is None:
            problems.append(f"query parameter {name!r} is not declared")
            continue
        kind = p.get("type") or p.get("schema", {}).get("type")
        if kind == "integer" and not re.fullmatch(r"-?\d+", value):
            problems.append(f"query parameter {name}={value!r} is not an integer")
        if kind == "boolean" and value not in ("true", "false"):
            problems.append(f"query parameter {name}={value!r} is not a boolean")
    for name, p in declared.items():
        if p.get("required") and name not in query:
            problems.append(f"required query parameter {name!r} is missing")
    return problems


def body_schema(spec, op, params):
    if spec.swagger2:
        for p in params:
            if p.get("in") == "body":
                return p.get("schema"), p.get("required", False)
        return None, False
    body = spec.resolve(op.get("requestBody")) if op.get("requestBody") else None
    if not body:
        return None, False
    content = body.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {})
    return media.get("schema"), body.get("required", False)


def response_schema(spec, op, status):
    responses = op.get("responses", {})
    entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if entry is None:
        return False, None
    entry = spec.resolve(entry)
    if spec.swagger2:
        return True, entry.get("schema")
    content = entry.get("content", {})
    media = content.get("application/json") or next(iter(content.values()), {}) if content else {}
    return True, media.get("schema")


def check_rest(spec, forge, x, counts, violations):
    where = f"{forge} {x['method']} {x['path']}"
    found = spec.match(x["method"], x["path"])
    if found is None:
        violations.append(f"{where}: no operation in the published description")
        return
    template, op, params = found
    counts["requests"] += 1
    problems = check_query(params, x.get("query") or {}, GLOBAL_QUERY.get(forge, set()))
    schema, required = body_schema(spec, op, params)
    if x.get("requestBody") is not None:
        if schema is None:
            problems.append("a body was sent, the operation takes none")
        else:
            try:
                body = json.loads(x["requestBody"])
                problems += ["request body " + e for e in errors_of(spec.validator(schema), body)]
            except json.JSONDecodeError:
                problems.append("request body is not JSON")
    elif required:
        problems.append("the operation requires a body; none was sent")
    if x.get("probe") and problems:
        # A deliberately invalid request: the emulator must have refused it.
        counts["probes refused"] += 1
        if not 400 <= x["status"] < 500:
            violations.append(f"{where} -> {x['status']}: the emulator accepted a request the description forbids ({problems[0]})")
        return
    documented, rschema = response_schema(spec, op, x["status"])
    documents_errors = any(str(code).startswith("4") for code in op.get("responses", {}))
    if x.get("origin", "operation") != "operation":
        counts["platform"] += 1
    elif not documented and x["status"] >= 400 and not documents_errors:
        counts["undocumented errors"] += 1
    elif not documented and x.get("probe") and 400 <= x["status"] < 500:
        # A probe the description allows but the forge is observed to refuse (SPEC section 7:
        # Bitbucket Cloud keys over 40 characters, an invalid url).
        counts["probes refused"] += 1
    elif not documented:
        problems.append(f"status {x['status']} is not documented for {x['method']} {template}")
    else:
        counts["responses"] += 1
        if rschema is not None and x.get("responseBody"):
            try:
                answer = json.loads(x["responseBody"])
                schema_node = spec.resolve(rschema)
                if forge == "azuredevops" and schema_node.get("type") == "array" and isinstance(answer, dict) and "value" in answer:
                    answer = answer["value"]
                problems += ["response body " + e for e in errors_of(spec.validator(rschema), answer)]
            except json.JSONDecodeError:
                problems.append("response body is not JSON")
    violations += [f"{where} -> {x['status']}: {p}" for p in problems]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: contract-check.py EXCHANGES.jsonl FORGE_API_DIR")
    log, folder = Path(sys.argv[1]), Path(sys.argv[2])
    exchanges = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    specs = {forge: Spec(load(folder / name), base) for forge, (name, base) in SPECS.items()}
    counts = defaultdict(lambda: defaultdict(int))
    violations = []
    for x in exchanges:
        forge = x["forge"]
        if forge in specs:
            check_rest(specs[forge], forge, x, counts[forge], violations)
    # GitHub: every GraphQL query the client sent, against the published schema.
    from graphql import build_schema, parse, validate
    schema = build_schema((folder / "github-schema.graphql").read_text(), assume_valid_sdl=True)
    seen = set()
    for x in exchanges:
        if x["forge"] != "github" or x["path"] != "/api/graphql" or not x.get("requestBody"):
            continue
        query = json.loads(x["requestBody"]).get("query", "")
        counts["github (GraphQL)"]["requests"] += 1
        if query in seen:
            continue
        seen.add(query)
        try:
            errors = validate(schema, parse(query))
        except Exception as error:  # a syntax error is a violation too
            errors = [error]
        violations += [f"github GraphQL query: {e}" for e in errors]
    counts["github (GraphQL)"]["distinct queries"] = len(seen)
    for forge in ["azuredevops", "bitbucket", "bitbucketserver", "github (GraphQL)"]:
        c = counts[forge]
        if forge.startswith("github"):
            print(f"contract: {forge}: {c['requests']} queries validated ({c['distinct queries']} distinct) against github-schema.graphql")
        else:
            print(f"contract: {forge}: {c['requests']} requests and {c['responses']} responses validated against {SPECS[forge][0]}"
                  f" (apart: {c['platform']} injected, rate-limit/credential or other-version answers, {c['undocumented errors']} error answers"
                  f" the description documents none of, {c['probes refused']} deliberately invalid probes refused)")
    missing = [f for f in ["azuredevops", "bitbucket", "bitbucketserver", "github (GraphQL)"] if counts[f]["requests"] == 0]
    for forge in missing:
        violations.append(f"{forge}: no exchange recorded; did the tests run with FLUXSTAMP_CONTRACT_LOG set?")
    unique = sorted(set(violations))
    print(f"contract: {len(unique)} distinct violations ({len(violations)} in all)")
    for v in unique[:200]:
        print("  " + v)
    sys.exit(1 if unique else 0)


if __name__ == "__main__":
    main()
