"""Certificates made for a test: a CA, and a server certificate it signs (openssl CLI)."""
import pathlib
import subprocess


def make_ca(directory, name="pgmonkey-test-ca"):
    d = pathlib.Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    key, crt = d / f"{name}.key", d / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    return crt, key


def make_server_cert(directory, ca_crt, ca_key, hosts=("localhost",), ips=("127.0.0.1",)):
    d = pathlib.Path(directory)
    key, csr, crt = d / "server.key", d / "server.csr", d / "server.crt"
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-keyout", str(key), "-out", str(csr)], check=True, capture_output=True)
    san = ",".join([f"DNS:{h}" for h in hosts] + [f"IP:{i}" for i in ips])
    ext = d / "san.ext"
    ext.write_text(f"subjectAltName={san}\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
                    "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(crt)],
                   check=True, capture_output=True)
    return crt, key


def tls_cluster_args(directory):
    """Makes a CA and a server certificate; returns (ca_crt, pgcluster start args for ssl = on)."""
    ca_crt, ca_key = make_ca(directory)
    crt, key = make_server_cert(directory, ca_crt, ca_key)
    args = ["--copy", str(crt), "--copy", str(key), "--copy", str(ca_crt),
            "--set", "ssl=on", "--set", "ssl_cert_file='server.crt'", "--set", "ssl_key_file='server.key'",
            "--set", f"ssl_ca_file='{ca_crt.name}'"]
    return ca_crt, args
