"""pgconfig test over TLS, with a CA made in the test."""
import json

import pytest

from conftest import start_cluster
from tls import make_ca, tls_cluster_args


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    ca_crt, args = tls_cluster_args(d)
    other_ca, _ = make_ca(d / "other", name="unrelated-ca")
    c = start_cluster(*args)
    yield c, ca_crt, other_ca
    c.stop()


@pytest.mark.parametrize("ctype", ["normal", "async"])
def test_sslmode_require_uses_tls(run, tls, tmp_path, ctype):
    c, _, _ = tls
    cfg = c.write_config(tmp_path / "r.yaml", connection_type=ctype, sslmode="require")
    r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)["results"][0]
    assert res["tls"]["in_use"] is True
    assert res["tls"]["protocol"].startswith("TLSv1.")
    assert res["tls"]["cipher"]


def test_verify_full_with_the_right_ca(run, tls, tmp_path):
    c, ca_crt, _ = tls
    cfg = c.write_config(tmp_path / "v.yaml", sslmode="verify-full", sslrootcert=str(ca_crt))
    r = run("pgconfig", "test", "-c", cfg, "--connection-type", "all")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("TLS TLSv1.") == 4


def test_verify_full_with_the_wrong_ca_fails_with_a_tls_hint(run, tls, tmp_path):
    c, _, other_ca = tls
    cfg = c.write_config(tmp_path / "w.yaml", sslmode="verify-full", sslrootcert=str(other_ca))
    for ctype in ("normal", "async"):
        r = run("pgconfig", "test", "-c", cfg, "--connection-type", ctype)
        assert r.returncode == 3, r.stderr
        assert "certificate" in r.stderr
        assert "hint:" in r.stderr and "sslrootcert" in r.stderr
        assert c.password not in r.stdout + r.stderr


def test_verify_full_with_a_host_name_the_certificate_lacks(run, tls, tmp_path):
    c, ca_crt, _ = tls
    # 127.0.0.2 reaches the same loopback server, but the certificate names only 127.0.0.1 and localhost.
    cfg = c.write_config(tmp_path / "h.yaml", sslmode="verify-full", sslrootcert=str(ca_crt),
                         host="127.0.0.2", hostaddr="127.0.0.1")
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 3
    assert "hint:" in r.stderr and "host name" in r.stderr


def test_require_against_a_server_without_tls(run, cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "n.yaml", sslmode="require")
    r = run("pgconfig", "test", "-c", cfg)
    assert r.returncode == 3
    assert "does not support SSL" in r.stderr and "ssl = off" in r.stderr
