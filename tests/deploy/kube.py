"""Render the kustomize overlays and validate every object: built-in kinds against the Kubernetes
schemas of a pinned version (kubernetes-validate's bundled strict schemas), custom resources against
the openAPIV3Schema of their CRD (vendored in deploy/k8s/crd-schemas/, each file naming its source)."""
import copy
import functools
import json
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

from tests.deploy.tools import ROOT, run

KUBERNETES_VERSION = "1.33.0"
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
CRD_SCHEMAS = ROOT / "deploy" / "k8s" / "crd-schemas"


def overlays() -> list[str]:
    return sorted(p.name for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").exists())


@functools.cache
def rendered_text(overlay: str) -> str:
    return run("kustomize", "build", str(OVERLAYS / overlay)).stdout


def render(overlay: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(rendered_text(overlay)) if doc]


def _closed(schema):
    """A CRD schema with unknown fields refused, as the API server's strict field validation does
    (it prunes them otherwise: a misspelt field would vanish silently)."""
    if isinstance(schema, dict):
        schema = {k: _closed(v) for k, v in schema.items()}
        if ("properties" in schema and "additionalProperties" not in schema
                and not schema.get("x-kubernetes-preserve-unknown-fields")):
            schema["additionalProperties"] = False
    elif isinstance(schema, list):
        schema = [_closed(v) for v in schema]
    return schema


@functools.cache
def crd_schema(api_version: str, kind: str) -> dict | None:
    group, _, version = api_version.rpartition("/")
    path = CRD_SCHEMAS / f"{group}_{kind.lower()}_{version}.json"
    if not path.exists():
        return None
    schema = _closed(json.loads(path.read_text()))
    schema["properties"]["metadata"] = {"type": "object"}  # ObjectMeta is checked with the built-ins
    return schema


def errors(doc: dict) -> list[str]:
    """Why the API server would refuse `doc` (empty if it would accept it)."""
    name = f"{doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
    schema = crd_schema(doc.get("apiVersion", ""), doc.get("kind", ""))
    if schema is None:
        return _builtin_errors(name, doc)
    found = [f"{name}: {'.'.join(map(str, e.absolute_path))}: {e.message}"
             for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]
    # A custom resource's ObjectMeta, by the built-in schema (any kind without other fields will do).
    return found + _builtin_errors(name, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": doc.get("metadata")})


def _builtin_errors(name: str, doc: dict) -> list[str]:
    try:
        kubernetes_validate.validate(copy.deepcopy(doc), KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        return [f"{name}: {'.'.join(map(str, e.path))}: {e.message}"]
    except kubernetes_validate.SchemaNotFoundError:
        return [f"{name}: no schema for {doc.get('apiVersion')} {doc.get('kind')} in Kubernetes "
                f"{KUBERNETES_VERSION} nor in deploy/k8s/crd-schemas/"]
    return []


def pod_specs(docs: list[dict]):
    """(object name, pod spec) of every workload."""
    for doc in docs:
        spec = doc.get("spec") or {}
        if doc["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        template = spec.get("template")
        if template and "containers" in template.get("spec", {}):
            yield f"{doc['kind']}/{doc['metadata']['name']}", template["spec"]
