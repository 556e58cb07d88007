"""Every long option in each tool's --help is documented in its man page, which renders cleanly."""
import os
import re
import subprocess

import pytest

from conftest import BIN

MAN = BIN.parent / "man"
SUBCOMMANDS = {"pgconfig": ["create", "validate", "test", "generate-code"]}


def long_options(tool):
    options = set()
    invocations = [[]] + [[sub] for sub in SUBCOMMANDS.get(tool, [])]
    for args in invocations:
        r = subprocess.run([str(BIN / tool), *args, "--help"], capture_output=True, text=True)
        if args and r.returncode != 0:
            continue  # a subcommand this build does not have
        assert r.returncode == 0, r.stderr
        options |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9_-]*)", r.stdout))
    return options


def rendered(page):
    path = MAN / page
    assert path.exists(), f"{page} was not built"
    r = subprocess.run(["man", "--warnings", "-l", str(path)], capture_output=True, text=True,
                       env={**os.environ, "MANWIDTH": "100", "LC_ALL": "C.UTF-8"})
    assert r.returncode == 0
    assert r.stderr.strip() == "", r.stderr
    return r.stdout


@pytest.mark.parametrize("tool", ["pgconfig", "pgserverconfig", "pgimport", "pgexport"])
def test_every_long_option_is_documented(tool):
    text = rendered(f"{tool}.1")
    # man renders hyphens in various ways; compare on plain ASCII.
    text = text.replace("\u2010", "-").replace("\u2011", "-").replace("\u2212", "-")
    missing = sorted(o for o in long_options(tool) if o not in text)
    assert not missing, f"{tool}.1 does not document {missing}"
    for section in ("NAME", "SYNOPSIS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"):
        assert section in text


def test_config_format_page_renders():
    text = rendered("pgmonkey-config.5")
    for word in ("connection_settings", "pool_settings", "from_file", "async_pool_settings",
                 "SIDECAR", "has_headers", "auto_create_table", "enforce_lowercase", "quotechar"):
        assert word in text
