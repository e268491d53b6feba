"""The cluster manifests as the tests read them: rendered with `kubectl kustomize`, split into documents.

Without kubectl the tests that need it fail under CI (SHAHO_REQUIRE_SERVICES=1; .ci/run installs Debian's
kubernetes-client when /usr/bin/kubectl is missing) and are skipped on a developer's machine.
"""

import functools
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.required_services import service_missing

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
EXAMPLE = K8S / "overlays" / "example"
COMPOSE = ROOT / "docker-compose.yml"
# The Kubernetes version the manifests are validated against (kubernetes-validate carries its schemas).
KUBERNETES_VERSION = "1.33"


def kubectl():
    path = shutil.which("kubectl") or ("/usr/bin/kubectl" if Path("/usr/bin/kubectl").exists() else None)
    if path is None:
        service_missing("needs kubectl (with kustomize) to render deploy/k8s: apt-get install kubernetes-client")
    return path


@functools.cache
def _render(directory):
    completed = subprocess.run(
        [kubectl(), "kustomize", str(directory)], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, f"kubectl kustomize {directory} failed:\n{completed.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(completed.stdout) if doc)


def render(directory=EXAMPLE):
    """The documents `kubectl kustomize directory` prints (a fresh list of the cached, parsed documents)."""
    return list(_render(Path(directory)))


def of_kind(documents, kind):
    return [doc for doc in documents if doc["kind"] == kind]


def pod_spec(doc):
    """The pod template's spec of a Deployment, Job or CronJob (None for other kinds)."""
    if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return doc["spec"]["template"]["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def pod_labels(doc):
    template = doc["spec"]["jobTemplate"]["spec"]["template"] if doc["kind"] == "CronJob" else doc["spec"]["template"]
    return template["metadata"].get("labels", {})


def containers(doc, *, init=True):
    spec = pod_spec(doc) or {}
    return list(spec.get("containers", [])) + (list(spec.get("initContainers", [])) if init else [])


def environment_names(documents):
    """Every variable the manifests give the app: the ConfigMaps' and Secrets' keys, and containers' own env."""
    names = set()
    for doc in documents:
        if doc["kind"] in ("ConfigMap", "Secret"):
            names |= set(doc.get("data", {})) | set(doc.get("stringData", {}))
        for container in containers(doc):
            names |= {item["name"] for item in container.get("env", [])}
    return names


def compose_web_environment():
    """docker-compose.yml's web environment (its `<<: *app` merged), as {name: value}."""
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    environment = compose["services"]["web"].get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return environment
