"""The GitHub Actions workflow passes actionlint, and runs what issue 11 asks of the pipeline."""
import yaml

from tests.deploy.tools import ROOT, run

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yaml"


def test_actionlint_passes_the_workflow():
    result = run("actionlint", "-no-color", str(WORKFLOW), check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / ".github" / "workflows" / "broken.yaml"
    broken.parent.mkdir(parents=True)
    broken.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n"
                      "      - run: echo ${{ github.nonexistent_context }}\n      - uses: actions/checkout\n")
    result = run("actionlint", "-no-color", str(broken), check=False, cwd=tmp_path)
    assert result.returncode == 1
    assert "nonexistent_context" in result.stdout


def test_the_pipeline_tests_builds_and_publishes_on_a_tag():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    jobs = workflow["jobs"]
    assert [s["run"] for s in jobs["test"]["steps"] if "run" in s] == ["make test"]
    build = next(s for s in jobs["image"]["steps"] if s.get("id") == "build")
    assert jobs["image"]["needs"] == "test"
    assert build["with"]["push"] == "${{ startsWith(github.ref, 'refs/tags/v') }}"
    assert "v*" in workflow[True]["push"]["tags"]  # YAML reads the key `on` as True
