"""pgconfig against a real throw-away cluster: the basic happy path."""
import json


def test_test_normal_reports_select_1(cluster, run, tmp_path):
    cfg = cluster.write_config(tmp_path / "c.yaml")
    r = run("pgconfig", "test", "-c", cfg, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["ok"] is True
    assert doc["results"][0]["connection_type"] == "normal"
    assert doc["results"][0]["user"] == "postgres"
    assert cluster.password not in r.stdout + r.stderr
