"""Test driver for the generated psycopg pool programs: imports one (its main() is not run), opens
its pool with make_pool() and runs commands from stdin, one answer line per command:
  run SQL    borrow, run SQL, give back (the with-block commits): "ok VALUE" or "error MESSAGE"
  leave SQL  borrow, run SQL, give back with the transaction still open: "ok VALUE"
  fail SQL   borrow, run SQL, raise (the with-block rolls back): "failed"
Usage: python3 py_pool_driver.py PROGRAM.py CONFIG"""
import asyncio
import importlib.util
import inspect
import sys


class Failed(Exception):
    pass


def first_line(e):
    return (str(e).strip() or type(e).__name__).splitlines()[0]


def value_of(cur):
    return cur.fetchone()[0] if cur.description else "-"


def sync_command(pool, command, sql):
    if command == "leave":
        conn = pool.getconn()
        try:
            return f"ok {value_of(conn.execute(sql))}"
        finally:
            pool.putconn(conn)
    with pool.connection() as conn:
        value = value_of(conn.execute(sql))
        if command == "fail":
            raise Failed
    return f"ok {value}"


async def async_command(pool, command, sql):
    if command == "leave":
        conn = await pool.getconn()
        try:
            cur = await conn.execute(sql)
            return f"ok {(await cur.fetchone())[0] if cur.description else '-'}"
        finally:
            await pool.putconn(conn)
    async with pool.connection() as conn:
        cur = await conn.execute(sql)
        value = (await cur.fetchone())[0] if cur.description else "-"
        if command == "fail":
            raise Failed
    return f"ok {value}"


async def main():
    spec = importlib.util.spec_from_file_location("generated", sys.argv[1])
    program = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(program)
    pool = program.make_pool(program.load_config(sys.argv[2]))
    is_async = inspect.isawaitable(pool)
    if is_async:
        pool = await pool
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            command, _, sql = line.rstrip("\n").partition(" ")
            try:
                if is_async:
                    answer = await async_command(pool, command, sql)
                else:
                    answer = sync_command(pool, command, sql)
            except Failed:
                answer = "failed"
            except Exception as e:
                answer = f"error {first_line(e)}"
            print(answer, flush=True)
    finally:
        if is_async:
            await pool.close()
        else:
            pool.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except Exception as e:
        print(f"error: {first_line(e)}", file=sys.stderr)
        sys.exit(1)
