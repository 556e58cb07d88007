"""Every EXAMPLES block of the man pages pastes into a shell as the reader sees it: each block is
rendered by man, copied as shown, and run by bash with stand-ins for the commands it names, which
record their arguments. A lost line continuation makes bash run an option as a command."""
import os
import re
import stat
import subprocess

import pytest
import yaml

from conftest import BIN

MAN = BIN.parent / "man"
TOOLS = ["pgconfig", "pgserverconfig", "pgimport", "pgexport", "pgmonkey"]
# What the examples call besides the tools; the stand-ins only record the call.
OTHER_COMMANDS = ["g++", "gcc", "pkg-config", "gzip", "gunzip", "psql", "python3"]


def examples_roff(page):
    roff = (MAN / page).read_text()
    m = re.search(r"^\.SH EXAMPLES\n(.*?)(?=^\.SH )", roff, re.S | re.M)
    assert m, f"{page} has no EXAMPLES section"
    return m.group(1)


def blocks(section):
    """Code blocks (.nf ... .fi) and bold example lines (\\fB<tool> ...\\fR), as roff."""
    found = [b.strip("\n") for b in re.findall(r"^\.nf\n(?:\.RS \d+\n)?(.*?)^\.fi$", section, re.S | re.M)]
    found += re.findall(r"^(\\fB(?:%s) .*\\fR)$" % "|".join(TOOLS), section, re.M)
    return found


def as_shown(roff_block):
    """The block as man prints it, indentation removed: what a reader copies."""
    doc = ".TH T 1\n.SH BLOCK\n.nf\n" + roff_block + "\n.fi\n.SH END\n"
    r = subprocess.run(["man", "-l", "-"], input=doc, capture_output=True, text=True,
                       env={**os.environ, "MANWIDTH": "250", "LC_ALL": "C.UTF-8", "MAN_KEEP_FORMATTING": ""})
    assert r.returncode == 0, r.stderr
    text = r.stdout.replace("\u2010", "-").replace("\u2212", "-")
    body = text.split("BLOCK\n", 1)[1].split("\nEND", 1)[0].rstrip("\n").split("\n")
    body = [line for line in body if line.strip()]
    indent = min(len(line) - len(line.lstrip()) for line in body)
    return "\n".join(line[indent:] for line in body)


def stand_ins(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "calls.log"
    for name in TOOLS + OTHER_COMMANDS:
        f = bindir / name
        f.write_text(f'#!/bin/bash\nprintf "%s\\n" "{name} $*" >> {log}\n')
        f.chmod(f.stat().st_mode | stat.S_IXUSR)
    return bindir, log


def pages(section):
    return sorted(p.name for p in MAN.glob(f"*.{section}") if p.is_file())


def test_man_pages_were_built():
    assert pages(1) == sorted(f"{t}.1" for t in TOOLS), list(MAN.iterdir())


@pytest.mark.parametrize("page", [f"{t}.1" for t in TOOLS])
def test_every_example_runs_in_a_shell_as_shown(page, tmp_path):
    examples = blocks(examples_roff(page))
    assert examples, f"{page}: no example commands found"
    bindir, log = stand_ins(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    # Programs an example builds and runs from the current folder (./pool).
    (work / "pool").symlink_to(bindir / "pgconfig")
    for block in examples:
        text = as_shown(block)
        log.write_text("")
        r = subprocess.run(["/bin/bash", "-e", "-o", "pipefail", "-c", text], cwd=work, capture_output=True,
                           text=True, env={"PATH": str(bindir), "HOME": str(tmp_path)})
        assert r.returncode == 0, f"{page}: this example fails in bash:\n{text}\n{r.stderr}"
        calls = log.read_text()
        # Every option shown reached a command: none was cut off by a lost continuation.
        for option in re.findall(r"(?<![\w-])--?[a-z][\w-]*", text):
            assert option in calls, f"{page}: {option} never reached a command in:\n{text}\ncalls:\n{calls}"


def test_the_config_page_example_is_a_config():
    examples = blocks(examples_roff("pgmonkey-config.5"))
    assert examples
    for block in examples:
        doc = yaml.safe_load(as_shown(block))
        assert doc["connection_type"] and doc["connection_settings"]
