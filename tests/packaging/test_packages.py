"""The packages install working tools: unpack each .deb into a scratch root and run them from there;
`cmake --install` into a scratch prefix works the same way."""
import os
import pathlib
import subprocess

import pytest

BUILD = pathlib.Path(os.environ.get("PGMONKEY_BUILD", pathlib.Path(__file__).resolve().parents[2] / "build"))
PACKAGES = BUILD / "packages"
TOOLS = ["pgconfig", "pgserverconfig", "pgimport", "pgexport", "pgmonkey"]


def debs():
    found = sorted(PACKAGES.glob("pgmonkey_*.deb")) + sorted((PACKAGES / "debian").glob("pgmonkey_*.deb"))
    assert len(found) == 2, found  # the CPack one and the dpkg-buildpackage one
    return found


def check_tree(root, tmp_path):
    """Runs every tool from an installed tree (usr/ layout under root)."""
    bindir = root / "usr" / "bin" if (root / "usr").exists() else root / "bin"
    share = bindir.parent / "share"
    for tool in TOOLS:
        v = subprocess.run([str(bindir / tool), "--version"], capture_output=True, text=True)
        assert v.returncode == 0 and tool in v.stdout, v.stderr
        h = subprocess.run([str(bindir / tool), "--help"], capture_output=True, text=True)
        assert h.returncode == 0 and "Examples:" in h.stdout
        assert list((share / "man" / "man1").glob(f"{tool}.1*"))
        assert (share / "bash-completion" / "completions" / tool).exists()
        assert (share / "zsh" / "vendor-completions" / f"_{tool}").exists()
        assert (share / "zsh" / "site-functions" / f"_{tool}").exists()
        assert (share / "fish" / "vendor_completions.d" / f"{tool}.fish").exists()
    assert list((share / "man" / "man5").glob("pgmonkey-config.5*"))
    cfg = tmp_path / "created" / "app.yaml"
    # Run from an unrelated folder: the templates are embedded, nothing is read from the tree.
    c = subprocess.run([str(bindir / "pgconfig"), "create", "-c", str(cfg)], capture_output=True, text=True,
                       cwd="/")
    assert c.returncode == 0, c.stderr
    assert "connection_settings:" in cfg.read_text()
    v = subprocess.run([str(bindir / "pgconfig"), "validate", "-c", str(cfg)], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout


@pytest.mark.parametrize("index", [0, 1])
def test_deb_unpacks_into_a_working_tree(index, tmp_path):
    deb = debs()[index]
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    check_tree(root, tmp_path)


def test_deb_dependencies_are_computed():
    for deb in debs():
        info = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True).stdout
        for lib in ("libpq5", "libpqxx-6.4", "libyaml-cpp0.7"):
            assert lib in info, (deb, info)


def test_rpm_requirements_are_computed():
    rpm = sorted(PACKAGES.glob("pgmonkey-*.rpm"))
    assert len(rpm) == 1
    req = subprocess.run(["rpm", "-qpR", str(rpm[0])], capture_output=True, text=True).stdout
    assert "libpq.so.5()(64bit)" in req and "libyaml-cpp.so.0.7()(64bit)" in req


def test_lintian_found_no_errors():
    log = (PACKAGES / "lintian.log").read_text()
    assert not [line for line in log.splitlines() if line.startswith("E:")], log


def test_cmake_install_into_any_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], check=True, capture_output=True)
    check_tree(prefix, tmp_path)
    assert (prefix / "share" / "pgmonkey" / "templates" / "config" / "pgmonkey.yaml").exists()


def test_package_descriptions_read_as_written():
    for deb in debs():
        desc = subprocess.run(["dpkg-deb", "-f", str(deb), "Description"], capture_output=True, text=True).stdout
        assert "pgimport loads" in desc and ";pgserverconfig" not in desc and ";CSV" not in desc, (deb, desc)
    rpm = sorted(PACKAGES.glob("pgmonkey-*.rpm"))[0]
    info = subprocess.run(["rpm", "-qpi", str(rpm)], capture_output=True, text=True).stdout
    assert "pgimport loads" in info and "installer created using CPack" not in info, info
