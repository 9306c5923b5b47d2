"""The checkers of deploy/ (kustomize, actionlint, checkov), installed by scripts/deploy-tools under
.infra/tools/ on first use, so that the suite needs no step of its own on a fresh machine."""
import functools
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = Path(os.environ.get("DSRS_TOOLS_DIR", ROOT / ".infra" / "tools"))
PATHS = {
    "kustomize": TOOLS / "bin" / "kustomize",
    "actionlint": TOOLS / "bin" / "actionlint",
    "checkov": TOOLS / "checkov-venv" / "bin" / "checkov",
}


@functools.cache
def tool(name: str) -> str:
    path = PATHS[name]
    if not path.exists():
        subprocess.run([str(ROOT / "scripts" / "deploy-tools")], check=True)
    return str(path)


def run(name: str, *args: str, check: bool = True, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([tool(name), *args], capture_output=True, text=True, check=check, cwd=cwd)
