"""What deploy/README.md tells an operator to run or open exists: every `manage.py` command with the
subcommands and options it is given there, every repository file it names."""
import re

import pytest
from django.core.management import get_commands, load_command_class

from tests.deploy.tools import ROOT

README = (ROOT / "deploy" / "README.md").read_text()


def _invocations():
    for line in README.replace("\\\n", " ").splitlines():
        for match in re.finditer(r"manage\.py ([a-z_]+)((?: [^|`#;&)]*)?)", line):
            yield match.group(1), match.group(2).split()


@pytest.mark.parametrize("command,args", sorted({(c, tuple(a)) for c, a in _invocations()}))
def test_every_manage_py_command_in_the_readme_exists_with_its_options(command, args):
    commands = get_commands()
    assert command in commands
    parser = load_command_class(commands[command], command).create_parser("manage.py", command)
    words = [a for a in args if not a.startswith("<") and "=" not in a and a not in ("...", "P", "U")]
    options = {o for action in parser._actions for o in action.option_strings}
    subparsers = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    if subparsers and words and not words[0].startswith("-"):
        assert words[0] in subparsers[0].choices, (command, words[0])
        sub = subparsers[0].choices[words[0]]
        options |= {o for action in sub._actions for o in action.option_strings}
    for word in words:
        if word.startswith("--"):
            assert word in options, (command, word)


def test_every_repository_file_the_readme_names_exists():
    named = set(re.findall(r"`((?:deploy/|base/|prometheus/|grafana/|k8s/|\.github/)[\w./-]+\.(?:yaml|json|md))`", README))
    named |= {m for m in re.findall(r"\b((?:base|overlays/\w+)/[\w.-]+\.yaml)\b", README)}
    assert len(named) >= 5
    for name in named:
        candidates = [ROOT / name, ROOT / "deploy" / name, ROOT / "deploy" / "k8s" / name]
        assert any(c.exists() for c in candidates), name
