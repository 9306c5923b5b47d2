"""Every overlay renders with kustomize into objects the API server of the pinned Kubernetes version,
with the operators' CRDs, would accept, and that meet what deploy/README.md promises."""
import copy

import pytest
import yaml
from django.test import override_settings

from dsrs.events import registry
from dsrs.events.topics import dead_letter_topic
from tests.deploy import kube
from tests.deploy.tools import ROOT

OVERLAYS = kube.overlays()


def test_there_are_overlays_to_check():
    assert OVERLAYS == ["production", "staging"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_for_the_pinned_kubernetes_and_crds(overlay):
    docs = kube.render(overlay)
    assert {d["kind"] for d in docs} >= {"Deployment", "Job", "NetworkPolicy", "ExternalSecret", "ScaledObject",
                                         "KafkaTopic", "PodMonitor", "ServiceMonitor", "PrometheusRule"}
    assert [e for doc in docs for e in kube.errors(doc)] == []


def test_an_invalid_manifest_is_refused():
    docs = kube.render("production")
    deployment = copy.deepcopy(next(d for d in docs if d["kind"] == "Deployment"))
    deployment["spec"]["replicas"] = "two"
    misspelt = copy.deepcopy(next(d for d in docs if d["kind"] == "Deployment"))
    misspelt["spec"]["template"]["spec"]["containers"][0]["resource"] = {"limits": {"cpu": 1}}
    topic = copy.deepcopy(next(d for d in docs if d["kind"] == "KafkaTopic"))
    topic["spec"]["partitons"] = 6
    scaled = copy.deepcopy(next(d for d in docs if d["kind"] == "ScaledObject"))
    scaled["spec"]["minReplicaCount"] = "one"
    problems = [e for doc in (deployment, misspelt, topic, scaled) for e in kube.errors(doc)]
    assert any("spec.replicas: 'two' is not of type" in e for e in problems)
    assert any("'resource' was unexpected" in e for e in problems)
    assert any("KafkaTopic" in e and "'partitons' was unexpected" in e for e in problems)
    assert any("ScaledObject" in e and "minReplicaCount" in e for e in problems)
    assert kube.errors({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "gone"}}) != []


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_meets_the_restricted_pod_security_standard_with_requests_and_limits(overlay):
    docs = kube.render(overlay)
    namespace = next(d for d in docs if d["kind"] == "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    workloads = list(kube.pod_specs(docs))
    assert len(workloads) == 9
    for name, pod in workloads:
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod["automountServiceAccountToken"] is False, name
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert set(container["resources"]["requests"]) == {"cpu", "memory"}, name
            assert set(container["resources"]["limits"]) == {"cpu", "memory"}, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_secret_comes_from_the_external_secrets_operator(overlay):
    docs = kube.render(overlay)
    assert [d for d in docs if d["kind"] == "Secret"] == []
    (external,) = [d for d in docs if d["kind"] == "ExternalSecret"]
    assert external["spec"]["target"]["name"] == "dsrs-secrets"
    assert external["spec"]["dataFrom"][0]["extract"]["key"] == f"dsrs-{overlay}"
    referenced = {ref["secretRef"]["name"] for _, pod in kube.pod_specs(docs)
                  for c in pod["containers"] for ref in c.get("envFrom", []) if "secretRef" in ref}
    assert referenced == {"dsrs-secrets"}


def _config(docs):
    return next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "dsrs-config")["data"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_and_its_dead_letter_topic_is_a_kafkatopic(overlay):
    docs = kube.render(overlay)
    with override_settings(EVENTS_TOPIC_PREFIX=_config(docs)["EVENTS_TOPIC_PREFIX"]):
        topics = {t for g in registry.groups() for t in registry.topics_for(g)}
    expected = topics | {dead_letter_topic(t) for t in topics}
    kafka_topics = {d["spec"]["topicName"]: d["spec"] for d in docs if d["kind"] == "KafkaTopic"}
    assert set(kafka_topics) == expected
    for name, spec in kafka_topics.items():
        assert spec["partitions"] >= 6 and spec["replicas"] == 3
        assert spec["config"]["min.insync.replicas"] == 2
        # the events are kept for good (analytics_rebuild replays the whole log), dead letters for a while
        assert spec["config"]["retention.ms"] == (-1 if name in topics else 7776000000), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_consumer_group_scales_on_its_own_lag_and_the_web_on_cpu(overlay):
    docs = kube.render(overlay)
    prefix = _config(docs)["EVENTS_GROUP_PREFIX"]
    scaled = {d["spec"]["scaleTargetRef"]["name"]: d["spec"] for d in docs if d["kind"] == "ScaledObject"}
    assert set(scaled) == {f"dsrs-consumer-{g}" for g in registry.groups()}
    for group in registry.groups():
        spec = scaled[f"dsrs-consumer-{group}"]
        (trigger,) = spec["triggers"]
        assert trigger["type"] == "kafka" and trigger["metadata"]["consumerGroup"] == f"{prefix}{group}"
        assert spec["maxReplicaCount"] <= 6  # the partitions of kafka-topics.yaml
        deployment = next(d for d in docs if d["kind"] == "Deployment"
                          and d["metadata"]["name"] == f"dsrs-consumer-{group}")
        assert "replicas" not in deployment["spec"]  # KEDA's HPA owns it
    (hpa,) = [d for d in docs if d["kind"] == "HorizontalPodAutoscaler"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "dsrs-web"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_but_the_single_scheduler_has_a_disruption_budget(overlay):
    docs = kube.render(overlay)
    budgets = {d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
               for d in docs if d["kind"] == "PodDisruptionBudget"}
    components = {d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"]
                  for d in docs if d["kind"] == "Deployment"}
    assert budgets == components - {"scheduler"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_every_metrics_port_and_loads_the_rule_file(overlay):
    docs = kube.render(overlay)
    (pod_monitor,) = [d for d in docs if d["kind"] == "PodMonitor"]
    selected = set(pod_monitor["spec"]["selector"]["matchExpressions"][0]["values"])
    with_metrics_port = {d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
                         for d in docs if d["kind"] == "Deployment"
                         and any(p["name"] == "metrics" for c in d["spec"]["template"]["spec"]["containers"]
                                 for p in c.get("ports", []))}
    assert selected == with_metrics_port == {"relay", "worker", "scheduler"} | {f"consumer-{g}" for g in registry.groups()}
    (service_monitor,) = [d for d in docs if d["kind"] == "ServiceMonitor"]
    assert service_monitor["spec"]["endpoints"][0]["port"] == "http"
    (rule,) = [d for d in docs if d["kind"] == "PrometheusRule"]
    rule_file = yaml.safe_load((ROOT / "deploy" / "prometheus" / "rules.yaml").read_text())
    assert rule["spec"]["groups"] == rule_file["groups"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_gateway_is_the_only_way_in_and_makes_its_config_from_the_release_image(overlay):
    docs = kube.render(overlay)
    exposed = [d["metadata"]["name"] for d in docs if d["kind"] == "Service" and d["spec"].get("type") == "LoadBalancer"]
    assert exposed == ["dsrs-gateway"]
    assert [d for d in docs if d["kind"] == "Ingress"] == []
    gateway = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "dsrs-gateway")
    pod = gateway["spec"]["template"]["spec"]
    (init,) = pod["initContainers"]
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "dsrs-web")
    assert init["image"] == web["spec"]["template"]["spec"]["containers"][0]["image"]
    assert init["command"][:3] == ["python", "manage.py", "gateway_config"]
    output = init["command"][init["command"].index("--output") + 1]
    (kong,) = pod["containers"]
    env = {e["name"]: e["value"] for e in kong["env"]}
    assert env["KONG_DATABASE"] == "off" and env["KONG_DECLARATIVE_CONFIG"] == output
    assert env["KONG_ADMIN_LISTEN"] == "off"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_dsrs_process_speaks_tls_to_its_servers_and_names_itself_to_the_collector(overlay):
    """What deploy/README.md promises under "What the cluster must provide" and "Tracing"."""
    docs = kube.render(overlay)
    config = _config(docs)
    assert config["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and config["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert config["DATABASE_SSLMODE"] == "verify-full"
    ca_files = {config[name] for name in ("KAFKA_SSL_CA_LOCATION", "DATABASE_SSLROOTCERT", "MONGODB_TLS_CA_FILE")}
    assert ca_files == {"/etc/dsrs/tls/ca.crt"}
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http")
    for name, pod in kube.pod_specs(docs):
        if "gateway" in name:
            continue
        (main, *_) = pod["containers"]
        mounts = {m["mountPath"]: m["name"] for m in main.get("volumeMounts", [])}
        assert mounts.get("/etc/dsrs/tls") == "tls-ca", name
        (volume,) = [v for v in pod["volumes"] if v["name"] == "tls-ca"]
        assert volume["secret"] == {"secretName": "dsrs-secrets", "items": [{"key": "TLS_CA_CRT", "path": "ca.crt"}]}
        env = {e["name"]: e for e in main["env"]}
        assert env["OTEL_SERVICE_NAME"]["value"] == "dsrs-$(DSRS_COMPONENT)", name
        assert env["DSRS_COMPONENT"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.labels['app.kubernetes.io/component']"
    (auth,) = [d for d in docs if d["kind"] == "TriggerAuthentication"]
    assert {ref["parameter"]: ref["key"] for ref in auth["spec"]["secretTargetRef"]} == {
        "username": "KAFKA_SASL_USERNAME", "password": "KAFKA_SASL_PASSWORD", "ca": "TLS_CA_CRT"}
    for scaled in (d for d in docs if d["kind"] == "ScaledObject"):
        for trigger in scaled["spec"]["triggers"]:
            assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
            assert trigger["metadata"]["sasl"] == "scram_sha512" and trigger["metadata"]["tls"] == "enable"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_kind_is_ready_and_live_on_its_own_probe(overlay):
    docs = kube.render(overlay)
    for name, pod in kube.pod_specs(docs):
        container = pod["containers"][0]
        probe = container.get("readinessProbe")
        if any(kind in name for kind in ("relay", "consumer", "worker", "scheduler")):
            assert probe["httpGet"] == {"path": "/healthz/ready", "port": "metrics"}, name
        if any(kind in name for kind in ("worker", "scheduler")):  # Celery serves them on CELERY_PROBE_PORT
            assert container["livenessProbe"]["httpGet"] == {"path": "/healthz/live", "port": "metrics"}, name
            (config,) = [d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("dsrs-config")]
            port = next(p["containerPort"] for p in container["ports"] if p["name"] == "metrics")
            assert config["CELERY_PROBE_PORT"] == str(port) and config["CELERY_PROBE_ADDR"] == "0.0.0.0", name
        elif name.endswith("web"):
            assert probe["httpGet"]["path"] == "/healthz/ready" and probe["httpGet"]["port"] == "http"
