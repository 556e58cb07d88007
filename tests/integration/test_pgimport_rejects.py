"""pgimport --max-errors/--reject-file against a real cluster: bad records set aside with reasons,
the rest loaded in one transaction; the reject file is the input's bytes and re-imports."""
import json
import signal
import subprocess
import time

from conftest import BIN, clean_env

FLAGS = ["--delimiter", ",", "--quote", '"', "--header", "--encoding", "UTF-8"]
TABLE = ("CREATE TABLE {} (id bigint PRIMARY KEY, amount numeric(8,2) NOT NULL CHECK (amount >= 0), "
         "day date, code text UNIQUE NOT NULL, name varchar(5))")

# (line, bytes, SQLSTATE of the reject or None when the row loads)
RECORDS = [
    (2, b"1,10.50,2024-01-01,a,ann\n", None),
    (3, b"2,x,2024-01-02,b,bob\n", "22P02"),          # numeric
    (4, b"3,5,2024-13-01,c,cy\n", "22008"),           # date
    (5, b"4,5,2024-01-04,a,dee\n", "23505"),          # unique, against line 2
    (6, b"5,,2024-01-05,e,eve\n", "23502"),           # NOT NULL
    (7, b"6,-1,2024-01-06,f,fay\n", "23514"),         # CHECK
    (8, b"7,1,2024-01-07,g,toolongname\n", "22001"),  # value too long
    (9, b"8,1,2024-01-08,h\n", "22P04"),              # field count (client)
    (10, b'9,1,2024-01-09,i,a"b\n', "22P04"),         # stray quote (client)
    (11, b"10,1,2024-01-10,j,n\x00l\n", "22021"),     # NUL (client)
    (12, b"11,1,2024-01-11,k,\xffx\n", "22021"),      # bad UTF-8 byte (client)
    (13, b"12,1,2024-01-12,l,zed\n", None),
    (14, b"abc,1,2024-01-13,m,mo\n", "22P02"),        # bigint
    (15, b'13,2,2024-01-13,n,"a\nb"\n', None),        # two lines, one record
    (17, b"14,3,2024-01-14,l,dup\n", "23505"),        # unique, against line 13
    (18, b"15,4,2024-01-15,o,ok\n", None),
]
HEADER = b"id,amount,day,code,name\n"


def imp(*args, input=None):
    return subprocess.run([str(BIN / "pgimport"), "--progress", "never", *map(str, args)], env=clean_env(),
                          input=input, capture_output=True, timeout=300)


def write_input(tmp_path, name="data.csv"):
    f = tmp_path / name
    f.write_bytes(HEADER + b"".join(r[1] for r in RECORDS))
    return f


def test_each_kind_of_bad_record_is_set_aside_and_the_rest_loads(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql(TABLE.format("rj_kinds"))
    f = write_input(tmp_path)
    r = imp("-c", cfg, "-t", "rj_kinds", *FLAGS, "--max-errors", 20, f, "--format", "json")
    assert r.returncode == 0, r.stderr
    rej = tmp_path / "data.rejects.csv"
    bad = [x for x in RECORDS if x[2]]
    assert f"rejected {len(bad)} of {len(RECORDS)} rows (see {rej})" in r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["rejected"] == len(bad) and doc["rows"] == len(RECORDS) - len(bad)
    assert doc["reject_file"] == str(rej) and doc["reject_log"] == str(rej) + ".log"
    assert cluster.sql("SELECT id FROM rj_kinds ORDER BY id") == [(1,), (12,), (13,), (15,)]
    assert rej.read_bytes() == HEADER + b"".join(x[1] for x in bad)
    log = (tmp_path / "data.rejects.csv.log").read_text().splitlines()
    assert len(log) == len(bad)
    for line, (n, _, state) in zip(log, bad):
        assert line.startswith(f"{f}:{n}: ") and line.endswith(f"({state})"), line
    assert "column amount" in log[0] and "column 19" in log[7]  # server's column name; client's character
    assert "already exists" in log[2] and "already exists" in log[-1]

    # Fixed with sed, the reject file loads with the same flags and nothing more is rejected.
    fixed = tmp_path / "fixed.csv"
    script = ["s/,x,/,2,/", "s/2024-13-01/2024-12-01/", "s/,a,dee/,aa,dee/", "s/5,,2024/5,1,2024/",
              "s/,-1,/,1,/", "s/toolongname/tl/", "s/,h$/,h,hh/", 's/a"b/ab/', "s/\\x00//", "s/\\xff//",
              "s/^abc,/16,/", "s/,l,dup/,ll,dup/"]
    with open(fixed, "wb") as out:
        subprocess.run(["sed", *sum((["-e", s] for s in script), []), str(rej)], stdout=out, check=True,
                       env=clean_env({"LC_ALL": "C"}))
    r = imp("-c", cfg, "-t", "rj_kinds", *FLAGS, "--max-errors", 5, fixed)
    assert r.returncode == 0, r.stderr
    assert "rejected" not in r.stderr.decode()
    assert not (tmp_path / "fixed.rejects.csv").exists()
    assert cluster.sql("SELECT count(*) FROM rj_kinds") == [(len(RECORDS),)]


def test_more_rejects_than_allowed_rolls_back_and_still_writes_them(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql(TABLE.format("rj_over"))
    f = write_input(tmp_path)
    rej = tmp_path / "over.csv"
    r = imp("-c", cfg, "-t", "rj_over", *FLAGS, "--max-errors", 3, "--reject-file", rej, f)
    assert r.returncode == 1, r.stderr
    err = r.stderr.decode()
    assert "more than 3 records rejected" in err and "rolled back" in err
    assert cluster.sql("SELECT count(*) FROM rj_over") == [(0,)]
    bad = [x for x in RECORDS if x[2]][:4]
    assert rej.read_bytes() == HEADER + b"".join(x[1] for x in bad)
    assert len((tmp_path / "over.csv.log").read_text().splitlines()) == 4


def test_default_is_all_or_nothing(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql(TABLE.format("rj_default"))
    f = write_input(tmp_path)
    r = imp("-c", cfg, "-t", "rj_default", *FLAGS, f)
    assert r.returncode == 1
    assert cluster.sql("SELECT count(*) FROM rj_default") == [(0,)]
    assert not (tmp_path / "data.rejects.csv").exists()


def test_latin1_rejects_stay_latin1(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_latin1 (id int, name varchar(4))")
    lines = ["id,name\n", "1,café\n", "2,naïveté\n", "3,Zürich\n", "4,ñu\n"]
    f = tmp_path / "latin.csv"
    f.write_bytes("".join(lines).encode("latin-1"))
    r = imp("-c", cfg, "-t", "rj_latin1", "--encoding", "LATIN1", "--header", "--max-errors", 5, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT name FROM rj_latin1 ORDER BY id") == [("café",), ("ñu",)]
    assert (tmp_path / "latin.rejects.csv").read_bytes() == (lines[0] + lines[2] + lines[3]).encode("latin-1")


def test_crlf_rejects_keep_their_line_endings(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_crlf (id int, v int)")
    f = tmp_path / "crlf.csv"
    f.write_bytes(b"id,v\r\n1,5\r\n2,x\r\n3,7\r\n4,8,9\r\n5,1")
    r = imp("-c", cfg, "-t", "rj_crlf", "--header", "--max-errors", 5, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id FROM rj_crlf ORDER BY id") == [(1,), (3,), (5,)]
    assert (tmp_path / "crlf.rejects.csv").read_bytes() == b"id,v\r\n2,x\r\n4,8,9\r\n"


def test_stdin_needs_a_reject_file_before_anything_is_sent(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    r = imp("-c", cfg, "-t", "rj_stdin", "--max-errors", 5, "-", input=b"a,b\n1,2\n")
    assert r.returncode == 2
    assert "--reject-file" in r.stderr.decode()
    assert cluster.sql("SELECT to_regclass('rj_stdin') IS NULL") == [(True,)]
    rej = tmp_path / "stdin.rejects.csv"
    r = imp("-c", cfg, "-t", "rj_stdin", "--max-errors", 5, "--reject-file", rej, "--header", "-",
            input=b"a,b\n1,2\n3\n")
    assert r.returncode == 0, r.stderr
    assert rej.read_bytes() == b"a,b\n3\n"
    assert (tmp_path / "stdin.rejects.csv.log").read_text().startswith("standard input:3: expected 2 fields")


def test_existing_reject_file_is_not_overwritten_without_force(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_force (id int)")
    f = tmp_path / "force.csv"
    f.write_bytes(b"id\n1\nx\n")
    rej = tmp_path / "force.rejects.csv"
    rej.write_bytes(b"keep me\n")
    r = imp("-c", cfg, "-t", "rj_force", "--header", "--max-errors", 5, f)
    assert r.returncode == 2 and "already exists" in r.stderr.decode()
    assert rej.read_bytes() == b"keep me\n"
    assert cluster.sql("SELECT count(*) FROM rj_force") == [(0,)]
    r = imp("-c", cfg, "-t", "rj_force", "--header", "--max-errors", 5, "--force", f)
    assert r.returncode == 0, r.stderr
    assert rej.read_bytes() == b"id\nx\n"
    assert cluster.sql("SELECT id FROM rj_force") == [(1,)]


def test_dry_run_counts_client_side_rejects(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql(TABLE.format("rj_dry"))
    f = write_input(tmp_path)
    r = imp("-c", cfg, "-t", "rj_dry", *FLAGS, "--max-errors", 20, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    # field count, stray quote, NUL, bad byte, the two values no server reads as numbers, the
    # amount the table's CHECK (amount >= 0) refuses, the empty NOT NULL amount and the name too
    # long for varchar(5)
    assert "would reject 9 of 16 rows" in r.stderr.decode()
    assert not (tmp_path / "data.rejects.csv").exists()
    assert cluster.sql("SELECT count(*) FROM rj_dry") == [(0,)]


def test_check_constraints_judged_on_the_client_only_when_certain(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    # lo/hi and the range are judged on the client; the length and the float check only by the server.
    cluster.sql("CREATE TABLE rj_chk (id int, lo int, hi int, qty numeric(6,1), r real, name text, "
                "CHECK (lo <= hi), CHECK (qty BETWEEN 0 AND 10), CHECK (r > 0), CHECK (length(name) > 1))")
    f = tmp_path / "chk.csv"
    f.write_bytes(b"id,lo,hi,qty,r,name\n"
                  b"1,1,2,5,1,ok\n"      # loads
                  b"2,3,2,5,1,ok\n"      # lo > hi: client
                  b"3,1,2,10.04,1,ok\n"  # stored as 10.0 (numeric(6,1)): loads
                  b"4,1,2,10.1,1,ok\n"   # over 10: client
                  b"5,1,2,,1,ok\n"       # NULL passes a check
                  b"6,1,2,-0.01,1,ok\n"  # stored as 0.0: loads
                  b"7,1,2,-1,1,ok\n"     # under 0: client
                  b"8,1,2,1,-1,ok\n"     # real: server
                  b"9,1,2,1,1,x\n")      # length: server
    r = imp("-c", cfg, "-t", "rj_chk", *FLAGS, "--max-errors", 10, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert "would reject 3 of 9 rows" in r.stderr.decode()
    r = imp("-c", cfg, "-t", "rj_chk", *FLAGS, "--max-errors", 10, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id, qty FROM rj_chk ORDER BY id") == [(1, 5), (3, 10), (5, None), (6, 0)]
    log = (tmp_path / "chk.rejects.csv.log").read_text().splitlines()
    assert [x.split(":")[1] for x in log] == ["3", "5", "8", "9", "10"]
    assert 'violates check constraint "rj_chk_check"' in log[0] and "column " not in log[0]
    assert log[1].startswith(f"{f}:5: column qty: new row for relation \"rj_chk\" violates check constraint")
    assert all(x.endswith("(23514)") for x in log)
    assert "Failing row contains" in log[3] and "Failing row contains" in log[4]  # the server's own words

    # A BEFORE INSERT row trigger may change the row before the checks: nothing is judged ahead.
    cluster.sql("CREATE FUNCTION rj_fix() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN NEW.lo := least(NEW.lo, NEW.hi); NEW.qty := abs(NEW.qty); RETURN NEW; END$$")
    cluster.sql("CREATE TABLE rj_chk2 (LIKE rj_chk INCLUDING CONSTRAINTS)")
    cluster.sql("CREATE TRIGGER fix BEFORE INSERT ON rj_chk2 FOR EACH ROW EXECUTE FUNCTION rj_fix()")
    r = imp("-c", cfg, "-t", "rj_chk2", *FLAGS, "--max-errors", 10, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert "would reject" not in r.stderr.decode()
    r = imp("-c", cfg, "-t", "rj_chk2", *FLAGS, "--max-errors", 10, "--reject-file", tmp_path / "t2.csv", f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id FROM rj_chk2 ORDER BY id") == [(1,), (2,), (3,), (5,), (6,), (7,)]


def test_checks_the_client_leaves_to_the_server(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    # A user's operator, which a search_path putting its schema first prints as a plain ">".
    cluster.sql("CREATE SCHEMA rjop")
    cluster.sql("CREATE FUNCTION rjop.always(int, int) RETURNS bool LANGUAGE sql IMMUTABLE AS 'SELECT true'")
    cluster.sql("CREATE OPERATOR rjop.> (leftarg = int, rightarg = int, function = rjop.always)")
    cluster.sql("CREATE TABLE rj_op (a int, CONSTRAINT rj_op_a CHECK (a OPERATOR(rjop.>) 0))")
    f = tmp_path / "op.csv"
    f.write_bytes(b"a\n-5\n5\n")
    env = clean_env({"PGOPTIONS": "-c search_path=rjop,public,pg_catalog"})
    r = subprocess.run([str(BIN / "pgimport"), "--progress", "never", "-c", cfg, "-t", "public.rj_op", *FLAGS,
                        "--max-errors", "10", str(f)], env=env, capture_output=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "rejected" not in r.stderr.decode()
    assert cluster.sql("SELECT a FROM rj_op ORDER BY a") == [(-5,), (5,)]

    # A row whose number the server cannot store is named for that, not for its CHECK.
    cluster.sql("CREATE TABLE rj_first (a int CHECK (a > 0), b numeric(3,1))")
    g = tmp_path / "first.csv"
    g.write_bytes(b"a,b\n-1,12345\n-1,1.0e2\n-1,5\n")
    r = imp("-c", cfg, "-t", "rj_first", *FLAGS, "--max-errors", 10, "--dry-run", g)
    assert "would reject 1 of 3 rows" in r.stderr.decode()
    r = imp("-c", cfg, "-t", "rj_first", *FLAGS, "--max-errors", 10, g)
    assert r.returncode == 0, r.stderr
    log = (tmp_path / "first.rejects.csv.log").read_text().splitlines()
    assert [x.rsplit("(", 1)[1] for x in log] == ["22003)", "22003)", "23514)"]
    assert "numeric field overflow" in log[0] and 'check constraint "rj_first_a_check"' in log[2]


def test_values_too_long_judged_on_the_client(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_len (id int, v varchar(3), c char(2), t text)")
    f = tmp_path / "len.csv"
    f.write_bytes("id,v,c,t\n"
                  "1,Zoë,ab,x\n"          # three characters, four bytes: loads
                  "2,abc   ,a ,x\n"       # the excess is spaces, cut: loads
                  "3,abcd,ab,x\n"         # too long: client
                  '4,"a""b",ab,x\n'       # a"b: three characters: loads
                  '5,"a""bc",ab,x\n'      # a"bc: too long: client
                  "6,ab,abc,x\n"          # character(2): client
                  "7,Zoëé,ab,x\n"         # four characters: client
                  "8,,,\n".encode())      # NULLs: loads
    r = imp("-c", cfg, "-t", "rj_len", *FLAGS, "--max-errors", 10, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert "would reject 4 of 8 rows" in r.stderr.decode()
    r = imp("-c", cfg, "-t", "rj_len", *FLAGS, "--max-errors", 10, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id, v, c FROM rj_len ORDER BY id") == [
        (1, "Zoë", "ab"), (2, "abc", "a "), (4, 'a"b', "ab"), (8, None, None)]
    log = (tmp_path / "len.rejects.csv.log").read_text().splitlines()
    assert [x.split(":")[1] for x in log] == ["4", "6", "7", "8"]
    assert log[0].endswith(": column v: value too long for type character varying(3) (22001)")
    assert log[2].endswith(": column c: value too long for type character(2) (22001)")


def test_nulls_for_not_null_columns_judged_on_the_client(cluster, tmp_path):
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_nn (id int NOT NULL, day date NOT NULL, name text NOT NULL, note text)")
    f = tmp_path / "nn.csv"
    f.write_bytes(b"id,day,name,note\n"
                  b"1,2024-01-01,a,x\n"  # loads
                  b",2024-01-02,b,x\n"   # NULL id: client
                  b"3,,c,x\n"            # NULL day: client
                  b"4,2024-01-04,,\n"    # NOT NULL text takes '' (FORCE_NOT_NULL); note NULL: loads
                  b'5,"",d,x\n'          # a quoted empty date: the server's type error
                  b"x,,e,x\n")           # unreadable id and NULL day: named for the id, as the server does
    r = imp("-c", cfg, "-t", "rj_nn", *FLAGS, "--max-errors", 10, "--dry-run", f)
    assert r.returncode == 0, r.stderr
    assert "would reject 3 of 6 rows" in r.stderr.decode()
    r = imp("-c", cfg, "-t", "rj_nn", *FLAGS, "--max-errors", 10, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id, name, note FROM rj_nn ORDER BY id") == [(1, "a", "x"), (4, "", None)]
    log = (tmp_path / "nn.rejects.csv.log").read_text().splitlines()
    assert [x.split(":")[1] for x in log] == ["3", "4", "6", "7"]
    assert log[0].endswith(': column id: null value in column "id" of relation "rj_nn" violates not-null '
                           "constraint (23502)")
    assert "column day" in log[1] and log[1].endswith("(23502)")
    assert "Failing row" not in log[0] and log[2].endswith("(22007)")
    assert 'invalid input syntax for type integer: "x" (22P02)' in log[3]

    # A custom NULL string: only it, unquoted, is a NULL.
    cluster.sql("TRUNCATE rj_nn")
    g = tmp_path / "na.csv"
    g.write_bytes(b'id,day,name,note\nNA,2024-01-01,a,x\n"NA",2024-01-01,a,x\n2,2024-01-02,b,NA\n')
    r = imp("-c", cfg, "-t", "rj_nn", *FLAGS, "--null", "NA", "--max-errors", 10, "--dry-run", g)
    assert r.returncode == 0, r.stderr
    assert "would reject 1 of 3 rows" in r.stderr.decode()  # NA; a quoted "NA" is the server's to judge
    r = imp("-c", cfg, "-t", "rj_nn", *FLAGS, "--null", "NA", "--max-errors", 10, "--reject-file", tmp_path / "na.r", g)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id, note FROM rj_nn") == [(2, None)]
    log = (tmp_path / "na.r.log").read_text()
    assert ":2: column id: null value" in log and ':3: column id: invalid input syntax for type integer: "NA"' in log
    cluster.sql("TRUNCATE rj_nn")

    # A BEFORE INSERT row trigger may fill a NULL in: nothing is judged ahead.
    cluster.sql("CREATE FUNCTION rj_nn_fill() RETURNS trigger LANGUAGE plpgsql AS "
                "$$BEGIN NEW.id := coalesce(NEW.id, 0); NEW.day := coalesce(NEW.day, '2000-01-01'); RETURN NEW; END$$")
    cluster.sql("CREATE TRIGGER fill BEFORE INSERT ON rj_nn FOR EACH ROW EXECUTE FUNCTION rj_nn_fill()")
    r = imp("-c", cfg, "-t", "rj_nn", *FLAGS, "--max-errors", 10, "--reject-file", tmp_path / "nn2.csv", f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id FROM rj_nn ORDER BY id") == [(0,), (1,), (3,), (4,)]


def test_a_retry_batch_that_starts_with_a_multiline_record(cluster, tmp_path):
    # COPY counts a quoted LF only after its first record: the retry after line 2 starts with the
    # two-line record, and the server's line 2 is then the record on file line 5.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_multi (id int, note text)")
    f = tmp_path / "multi.csv"
    f.write_bytes(b'id,note\nx,a\n2,"multi\nline"\ny,b\n4,d\n')
    r = imp("-c", cfg, "-t", "rj_multi", "--header", "--max-errors", 5, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id, note FROM rj_multi ORDER BY id") == [(2, "multi\nline"), (4, "d")]
    assert (tmp_path / "multi.rejects.csv").read_bytes() == b"id,note\nx,a\ny,b\n"
    log = (tmp_path / "multi.rejects.csv.log").read_text().splitlines()
    assert [x.split(": ")[0] for x in log] == [f"{f}:2", f"{f}:5"]


def test_foreign_key_violations_without_a_copy_line_are_found(cluster, tmp_path):
    # The foreign key is checked at the end of the COPY, with no line: the batch is halved.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_parent (id int PRIMARY KEY)")
    cluster.sql("INSERT INTO rj_parent SELECT generate_series(1, 10)")
    cluster.sql("CREATE TABLE rj_child (id int, parent int REFERENCES rj_parent)")
    f = tmp_path / "fk.csv"
    body = [f"{i},{99 if i in (7, 30) else i % 10 + 1}\n".encode() for i in range(1, 41)]
    f.write_bytes(b"id,parent\n" + b"".join(body))
    r = imp("-c", cfg, "-t", "rj_child", "--header", "--max-errors", 5, f)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT count(*) FROM rj_child") == [(38,)]
    assert (tmp_path / "fk.rejects.csv").read_bytes() == b"id,parent\n7,99\n30,99\n"
    log = (tmp_path / "fk.rejects.csv.log").read_text().splitlines()
    assert log[0].startswith(f"{f}:8: ") and log[0].endswith("(23503)")
    assert log[1].startswith(f"{f}:31: ")


def test_max_errors_counts_every_file_of_the_run(cluster, tmp_path):
    """With several files (one transaction), --max-errors is for the whole run, not per file."""
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_files (id int, name text)")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("id,name\n1,a\nx,b\n")
    b.write_text("id,name\n2,c\ny,d\n")
    r = imp("-c", cfg, "-t", "rj_files", "--max-errors", 1, a, b)
    assert r.returncode == 1, r.stderr
    assert "more than 1 record rejected (--max-errors 1)" in r.stderr.decode()
    assert cluster.sql("SELECT count(*) FROM rj_files") == [(0,)]
    for f in tmp_path.glob("*.rejects.csv*"):
        f.unlink()
    r = imp("-c", cfg, "-t", "rj_files", "--max-errors", 2, a, b)
    assert r.returncode == 0, r.stderr
    assert cluster.sql("SELECT id FROM rj_files ORDER BY id") == [(1,), (2,)]
    assert (tmp_path / "a.rejects.csv").read_text() == "id,name\nx,b\n"
    assert (tmp_path / "b.rejects.csv").read_text() == "id,name\ny,d\n"


def test_rejects_across_many_batches_load_every_good_row_once(cluster, tmp_path):
    # About 4 MB, so the load spans several batches and query strings (each chains COPYs under
    # fresh savepoints): a dense stretch of bad rows, a few far apart, a duplicate of a row from
    # an earlier batch, two-line records, and bad rows at the very start and end.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_many (id bigint PRIMARY KEY, amount numeric, note text)")
    n = 40000
    bad = {1, n} | set(range(5000, 9000, 37)) | {15000, 25001, 33333}
    dup = 30000  # repeats the key of row 100
    lines, rejects, line_no = [], [], 2
    for i in range(1, n + 1):
        key = 100 if i == dup else i
        note = f'"two\nlines {i}"' if i % 97 == 0 else f"note {i} " + "x" * 60
        rec = f"{key},{'oops' if i in bad else i % 1000},{note}\n".encode()
        lines.append(rec)
        if i in bad or i == dup:
            rejects.append((line_no, rec))
        line_no += rec.count(b"\n")
    f = tmp_path / "many.csv"
    f.write_bytes(b"id,amount,note\n" + b"".join(lines))
    r = imp("-c", cfg, "-t", "rj_many", "--header", "--max-errors", len(rejects), f)
    assert r.returncode == 0, r.stderr
    good = [i for i in range(1, n + 1) if i not in bad and i != dup]
    assert cluster.sql("SELECT count(*), count(DISTINCT id), sum(id) FROM rj_many") == [
        (len(good), len(good), sum(good))]
    assert (tmp_path / "many.rejects.csv").read_bytes() == b"id,amount,note\n" + b"".join(x[1] for x in rejects)
    log = (tmp_path / "many.rejects.csv.log").read_text().splitlines()
    assert [x.split(": ")[0] for x in log] == [f"{f}:{x[0]}" for x in rejects]
    assert log[-3].endswith("(23505)") and log[-1].endswith("(22P02)")  # the duplicate, then the last row

    # One more reject than allowed: nothing stays, the first one over the limit ends it.
    cluster.sql("TRUNCATE rj_many")
    for p in tmp_path.glob("many.rejects.csv*"):
        p.unlink()
    r = imp("-c", cfg, "-t", "rj_many", "--header", "--max-errors", len(rejects) - 1, f)
    assert r.returncode == 1, r.stderr
    assert cluster.sql("SELECT count(*) FROM rj_many") == [(0,)]
    assert f"{f}:{rejects[-1][0]}: more than {len(rejects) - 1} records rejected" in r.stderr.decode()


def test_ctrl_c_while_rejecting_rolls_everything_back(cluster, tmp_path):
    # A trigger slows the load down so the signal comes in the middle of it.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    cluster.sql("CREATE TABLE rj_slow (id int, amount numeric)")
    cluster.sql("CREATE FUNCTION rj_slow_down() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_sleep(0.0005); RETURN NEW; END $$")
    cluster.sql("CREATE TRIGGER rj_slow_t BEFORE INSERT ON rj_slow FOR EACH ROW EXECUTE FUNCTION rj_slow_down()")
    f = tmp_path / "slow.csv"
    f.write_bytes(b"id,amount\n" + b"".join(f"{i},{'x' if i % 50 == 0 else i}\n".encode() for i in range(100000)))
    proc = subprocess.Popen([str(BIN / "pgimport"), "--progress", "never", "-c", str(cfg), "-t", "rj_slow",
                             "--header", "--max-errors", "10000", str(f)], env=clean_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not cluster.sql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%SAVEPOINT pgimport_batch%'"
                          " AND pid <> pg_backend_pid()")[0][0]:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert cluster.sql("SELECT count(*) FROM rj_slow") == [(0,)]
    assert not list(tmp_path.glob("slow.rejects*")) and not list(tmp_path.glob(".*slow*"))


NUMBER_VALUES = ["1", " 12 ", "+3", "-4", "1.5", ".5", "5.", "1e3", "1E-2", "1e", "e5", ".", "-", "+-1", "1_000",
                 "1__0", "_1", "1_", "0x1F", "0o17", "0b101", "0x", "0xZ", "NaN", "nan", "-Infinity", "inf",
                 "Infinityx", "1.2.3", "12abc", "abc", "1 2", "x1", "\t7\t", "1e+5", "1e5.5", "99999999999999999999",
                 "١٢", "12\u00a0", "--1", "1-", "N/A", "1,5"]


def test_client_judged_numbers_agree_with_the_server(cluster, tmp_path):
    # The client sets aside only values no server reads as a number; whatever it lets through
    # the server judges. Either way the loaded rows are exactly those the server accepts, and
    # each reject's message is the server's own.
    cfg = cluster.write_config(tmp_path / "conn.yaml")
    types = ["smallint", "integer", "bigint", "numeric", "numeric(6,2)"]
    cluster.sql("CREATE TABLE rj_numbers (id int, " + ", ".join(f"v{i} {t}" for i, t in enumerate(types)) + ")")
    f = tmp_path / "numbers.csv"
    rows = ["id," + ",".join(f"v{i}" for i in range(len(types)))]
    expected_rows, expected_log = [], {}
    n = 0
    for col, t in enumerate(types):
        for value in NUMBER_VALUES:
            n += 1
            cells = ["" for _ in types]
            cells[col] = '"' + value.replace('"', '""') + '"'
            rows.append(f"{n}," + ",".join(cells))
            try:
                cluster.sql("SELECT %s::" + t, (value,))
                expected_rows.append(n)
            except Exception as e:  # the server's verdict and message
                expected_log[n + 1] = (f"column v{col}", str(e).splitlines()[0])
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    r = imp("-c", cfg, "-t", "rj_numbers", *FLAGS, "--max-errors", 1000, f)
    assert r.returncode == 0, r.stderr
    assert [i for (i,) in cluster.sql("SELECT id FROM rj_numbers ORDER BY id")] == expected_rows
    log = (tmp_path / "numbers.rejects.csv.log").read_text(encoding="utf-8").splitlines()
    assert len(log) == len(expected_log)
    for line in log:
        where, column, rest = line.split(": ", 2)
        n = int(where.rsplit(":", 1)[1])
        message = rest.rsplit(" (", 1)[0]
        assert column == expected_log[n][0] and message.startswith(expected_log[n][1]), line
    assert any('"abc"' in line for line in log)
