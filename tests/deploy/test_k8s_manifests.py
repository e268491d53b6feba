"""The cluster manifests (deploy/k8s): they render with kustomize, every document validates offline against the
Kubernetes schemas (strict: an unknown field is an error), and they keep the promises of docs and settings."""

import base64
import re

import kubernetes_validate
import pytest
from django.conf import settings

from shaho.core import periodic

from .manifests import BASE, EXAMPLE, KUBERNETES_VERSION, containers, of_kind, pod_labels, pod_spec, render


@pytest.fixture(scope="module")
def documents():
    return render(EXAMPLE)


def _name(doc):
    return f"{doc['kind']}/{doc['metadata']['name']}"


@pytest.mark.parametrize("directory", [BASE, EXAMPLE], ids=["base", "example"])
def test_every_document_validates_against_the_kubernetes_schemas_strictly(directory):
    problems = []
    for doc in render(directory):
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{_name(doc)}: {'.'.join(map(str, error.path))}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(f"{_name(doc)}: no schema for {doc['apiVersion']} in Kubernetes {KUBERNETES_VERSION}")
    assert problems == []


def test_a_misspelt_field_does_not_validate(documents):
    """The validation above can fail: an unknown field in a container is refused."""
    web = next(doc for doc in of_kind(documents, "Deployment") if doc["metadata"]["name"] == "shaho-web")
    web["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError, match="readinessProbes"):
        kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)


def test_the_example_has_the_parts_of_a_site(documents):
    kinds = {(doc["kind"], doc["metadata"]["name"]) for doc in documents}
    assert {
        ("Deployment", "shaho-web"),
        ("Deployment", "shaho-worker-reports"),
        ("Deployment", "shaho-worker-imports"),
        ("Service", "shaho-web"),
        ("Ingress", "shaho-web"),
        ("Job", "shaho-migrate"),
    } <= kinds
    assert len(of_kind(documents, "ConfigMap")) == 1 and len(of_kind(documents, "Secret")) == 1
    assert {doc["metadata"]["namespace"] for doc in documents} == {"shaho-example"}


def test_every_container_has_requests_and_limits(documents):
    missing = [
        f"{_name(doc)} {container['name']} {part}.{resource}"
        for doc in documents
        for container in containers(doc)
        for part in ("requests", "limits")
        for resource in ("cpu", "memory")
        if resource not in container.get("resources", {}).get(part, {})
    ]
    assert missing == []


def test_every_deployment_has_readiness_and_liveness_probes(documents):
    deployments = of_kind(documents, "Deployment")
    assert len(deployments) == 3
    missing = [
        f"{_name(doc)} {container['name']} {probe}"
        for doc in deployments
        for container in containers(doc, init=False)
        for probe in ("readinessProbe", "livenessProbe", "startupProbe")
        if probe not in container
    ]
    assert missing == []


def test_web_probes_ask_the_health_endpoints(documents):
    (web,) = [doc for doc in of_kind(documents, "Deployment") if doc["metadata"]["name"] == "shaho-web"]
    (container,) = containers(web, init=False)
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready/"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live/"
    assert container["startupProbe"]["httpGet"]["path"] == "/health/live/"
    assert container["args"][:2] == ["gunicorn", "shaho.wsgi:application"]


def test_every_deployment_has_a_disruption_budget_and_an_autoscaler(documents):
    budgets, scalers = of_kind(documents, "PodDisruptionBudget"), of_kind(documents, "HorizontalPodAutoscaler")
    for deployment in of_kind(documents, "Deployment"):
        labels = pod_labels(deployment)
        covering = [
            b for b in budgets if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]  # a budget's selector picks the deployment's pods
        assert len(covering) == 1, f"{_name(deployment)}: {len(covering)} PodDisruptionBudgets"
        target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
        scaling = [s for s in scalers if s["spec"]["scaleTargetRef"] == target]
        assert len(scaling) == 1, f"{_name(deployment)}: {len(scaling)} HorizontalPodAutoscalers"
        (scaler,) = scaling
        assert 1 <= scaler["spec"]["minReplicas"] <= scaler["spec"]["maxReplicas"]


def _worker_args(documents, name):
    (deployment,) = [doc for doc in of_kind(documents, "Deployment") if doc["metadata"]["name"] == name]
    (container,) = containers(deployment, init=False)
    return deployment, container, container["args"]


def _kib(quantity):
    number, unit = re.fullmatch(r"(\d+)(Mi|Gi)", quantity).groups()
    return int(number) * 1024 * (1024 if unit == "Gi" else 1)


def _flag(args, name):
    return next(a.split("=", 1)[1] for a in args if a.startswith(f"--{name}="))


@pytest.mark.parametrize(
    ("name", "queues"), [("shaho-worker-reports", "reports"), ("shaho-worker-imports", "imports,default")]
)
def test_workers_take_the_queues_by_kind_with_memory_bounded_per_child(documents, name, queues):
    _, worker, args = _worker_args(documents, name)
    assert _flag(args, "queues") == queues
    assert int(_flag(args, "max-tasks-per-child")) > 0
    # The pod's memory limit leaves room for every child at its recycling threshold, and for the main process.
    concurrency, per_child_kib = int(_flag(args, "concurrency")), int(_flag(args, "max-memory-per-child"))
    assert _kib(worker["resources"]["limits"]["memory"]) > concurrency * per_child_kib + 128 * 1024


def test_every_queue_has_a_worker(documents):
    taken = set()
    for name in ("shaho-worker-reports", "shaho-worker-imports"):
        taken |= set(_flag(_worker_args(documents, name)[2], "queues").split(","))
    assert taken == {"reports", "imports", "default"}
    # Every queue the settings route a task to (CELERY_TASK_ROUTES, issue 22's queues part) has a worker.
    routes = getattr(settings, "CELERY_TASK_ROUTES", {}) or {}
    routed = {route.get("queue") for route in routes.values() if isinstance(route, dict)}
    assert routed - {None} <= taken


def test_one_cronjob_per_beat_entry_on_the_same_schedule(documents):
    cronjobs = of_kind(documents, "CronJob")
    by_entry = {}
    for cronjob in cronjobs:
        (container,) = containers(cronjob)
        assert container["args"][:2] == ["manage.py", "periodic"], _name(cronjob)
        by_entry[container["args"][2]] = cronjob["spec"]
    assert len(by_entry) == len(cronjobs)
    assert set(by_entry) == set(settings.CELERY_BEAT_SCHEDULE)
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        spec = by_entry[name]
        assert spec["schedule"] == periodic.cron_for(entry["schedule"]), name
        assert spec["timeZone"] == settings.CELERY_TIMEZONE, name
        assert spec["concurrencyPolicy"] == "Forbid", name
        assert pod_spec({"kind": "CronJob", "spec": spec})["restartPolicy"] == "Never"
    assert by_entry["core-backup-daily"]["schedule"] == "0 3 * * *"


def test_no_beat_runs_in_the_cluster(documents):
    for doc in documents:
        for container in containers(doc):
            assert "beat" not in container.get("args", []) + container.get("command", []), _name(doc)


def test_the_migration_job_migrates(documents):
    (job,) = of_kind(documents, "Job")
    (container,) = containers(job)
    assert container["args"] == ["manage.py", "migrate", "--noinput"]
    for deployment in of_kind(documents, "Deployment"):
        (init,) = pod_spec(deployment)["initContainers"]
        assert "migrate --check" in " ".join(init["command"]), _name(deployment)


def test_no_persistent_volume_anywhere(documents):
    kinds = {doc["kind"] for doc in documents}
    assert not kinds & {"PersistentVolume", "PersistentVolumeClaim", "StatefulSet"}
    for doc in documents:
        for volume in (pod_spec(doc) or {}).get("volumes", []):
            assert set(volume) - {"name"} <= {"emptyDir", "configMap", "secret"}, f"{_name(doc)}: {volume}"


def test_files_and_backups_go_to_object_storage(documents):
    (config,) = of_kind(documents, "ConfigMap")
    assert config["data"]["SHAHO_STORAGE"] == "s3"
    assert config["data"]["SHAHO_BACKUP_STORAGE"] == "backups"
    assert config["data"]["SHAHO_BACKUP_S3_BUCKET"] != config["data"]["SHAHO_S3_BUCKET"]


@pytest.mark.parametrize("directory", [BASE, EXAMPLE], ids=["base", "example"])
def test_every_image_has_a_pinned_tag_never_latest(directory):
    images = {container["image"] for doc in render(directory) for container in containers(doc)}
    assert images
    for image in images:
        name, _, tag = image.rpartition(":")
        assert name and "/" not in tag and tag not in ("", "latest"), image


def test_pods_run_as_a_user_on_a_read_only_root_without_escalation(documents):
    for doc in documents:
        spec = pod_spec(doc)
        if spec is None:
            continue
        assert spec["securityContext"]["runAsNonRoot"] is True, _name(doc)
        assert spec["securityContext"]["runAsUser"] != 0, _name(doc)
        assert spec["automountServiceAccountToken"] is False, _name(doc)
        for container in containers(doc):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, _name(doc)
            assert context["readOnlyRootFilesystem"] is True, _name(doc)
            assert context["capabilities"]["drop"] == ["ALL"], _name(doc)
            assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], _name(doc)


def test_the_example_secret_holds_fake_values_only(documents):
    (secret,) = of_kind(documents, "Secret")
    values = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert values and all("fake" in value.lower() for value in values.values()), values
