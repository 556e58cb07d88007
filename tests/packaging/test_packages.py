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
    found = sorted(PACKAGES.glob("pgmonkey_*.cpack.deb")) + sorted((PACKAGES / "debian").glob("pgmonkey_*.deb"))
    assert len(found) == 2, found  # the CPack one and the dpkg-buildpackage one
    return found


def pkg_config_version(name):
    out = subprocess.run(["pkg-config", "--modversion", name], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def runtime_libraries():
    """The Debian runtime packages the tools link, as named on this release (libpqxx-6.4 on Debian 12,
    libpqxx-7.10 on Debian 13; libyaml-cpp0.7 or 0.8)."""
    pqxx = ".".join(pkg_config_version("libpqxx").split(".")[:2])
    yaml = ".".join(pkg_config_version("yaml-cpp").split(".")[:2])
    return {"libpq5", f"libpqxx-{pqxx}", f"libyaml-cpp{yaml}"}, yaml


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
        assert (share / "fish" / "vendor_completions.d" / f"{tool}.fish").exists()
    assert list((share / "man" / "man5").glob("pgmonkey-config.5*"))
    # zsh completions once, where Debian's zsh reads them; templates only inside the binaries.
    assert not (share / "zsh" / "site-functions").exists()
    assert not (share / "pgmonkey").exists()
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


def test_package_files_have_distinct_names():
    names = [p.name for p in debs()]
    assert len(set(names)) == 2 and names[0].endswith(".cpack.deb"), names


def test_deb_dependencies_are_computed():
    libs, _ = runtime_libraries()
    for deb in debs():
        info = subprocess.run(["dpkg-deb", "-f", str(deb), "Depends"], capture_output=True, text=True).stdout
        for lib in libs:
            assert lib in info, (deb, info)


def test_rpm_requirements_are_computed():
    rpm = sorted(PACKAGES.glob("pgmonkey-*.rpm"))
    assert len(rpm) == 1
    req = subprocess.run(["rpm", "-qpR", str(rpm[0])], capture_output=True, text=True).stdout
    _, yaml = runtime_libraries()
    assert "libpq.so.5()(64bit)" in req and f"libyaml-cpp.so.{yaml}()(64bit)" in req, req


def lintian_findings():
    """lintian -EvIL +pedantic over both .deb files (and the .changes): its tag lines."""
    log = (PACKAGES / "lintian.log").read_text()
    return [line for line in log.splitlines() if line[:2] in ("E:", "W:", "I:", "P:", "X:", "O:")]


def test_lintian_reports_no_errors_or_warnings():
    bad = [line for line in lintian_findings() if line[:2] in ("E:", "W:")]
    assert not bad, "\n".join(bad)


def test_lintian_reports_no_missing_hardening():
    # hardening-no-bindnow, -fortify-functions, -pie, -relro: the build did not use dpkg-buildflags.
    bad = [line for line in lintian_findings() if "hardening-no-" in line]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("index", [0, 1])
def test_binaries_are_hardened(index, tmp_path):
    """What lintian's hardening tags check, read from the ELF files themselves."""
    root = tmp_path / "root"
    subprocess.run(["dpkg-deb", "-x", str(debs()[index]), str(root)], check=True)
    fortified = {}
    for tool in TOOLS:
        exe = str(root / "usr" / "bin" / tool)
        dyn = subprocess.run(["readelf", "-d", "-W", exe], capture_output=True, text=True, check=True).stdout
        assert "BIND_NOW" in dyn and "PIE" in dyn, (tool, dyn)
        head = subprocess.run(["readelf", "-l", "-W", exe], capture_output=True, text=True, check=True).stdout
        assert "GNU_RELRO" in head, tool
        syms = subprocess.run(["readelf", "--dyn-syms", "-W", exe], capture_output=True, text=True, check=True).stdout
        assert "__stack_chk_fail" in syms, tool
        names = {w.split("@")[0] for line in syms.splitlines() for w in line.split()}
        fortified[tool] = {n for n in names if n.endswith("_chk")} - {"__stack_chk_fail"}
    # _FORTIFY_SOURCE was in effect: fortified (_chk) calls appear. A small tool may have no call
    # GCC can fortify (pgmonkey only execs the others, on GCC 14); lintian's per-binary judgment
    # (hardening-no-fortify-functions) is test_lintian_reports_no_missing_hardening's.
    assert any(fortified.values()), f"no fortified (_chk) calls in any tool: {fortified}"


def test_dpkg_buildpackage_works_from_the_repository_root():
    root = pathlib.Path(__file__).resolve().parents[2]
    assert (root / "debian" / "changelog").exists() and (root / "debian" / "rules").exists()
    log = (PACKAGES / "dpkg-buildpackage.log").read_text()
    assert "dpkg-buildpackage -us -uc -b" in log or "binary-only upload" in log, log[-2000:]


def test_cmake_install_into_any_prefix(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", str(BUILD), "--prefix", str(prefix)], check=True, capture_output=True)
    check_tree(prefix, tmp_path)


def test_package_descriptions_read_as_written():
    for deb in debs():
        desc = subprocess.run(["dpkg-deb", "-f", str(deb), "Description"], capture_output=True, text=True).stdout
        assert "pgimport loads" in desc and ";pgserverconfig" not in desc and ";CSV" not in desc, (deb, desc)
    rpm = sorted(PACKAGES.glob("pgmonkey-*.rpm"))[0]
    info = subprocess.run(["rpm", "-qpi", str(rpm)], capture_output=True, text=True).stdout
    assert "pgimport loads" in info and "installer created using CPack" not in info, info
