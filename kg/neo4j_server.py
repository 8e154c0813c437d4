"""Run a real, local Neo4j Community server for kg without Docker.

The server is the small Java launcher in ``neo4j-server/`` (a repo checkout, next to
this ``kg/`` package): an embedded Neo4j Community 5.26 DBMS with the Bolt connector
on 127.0.0.1 only, no HTTP, authentication on.  This module builds it with Maven,
starts it in the background, waits until Bolt answers, and stops it again.

Library use::

    from kg.neo4j_server import start
    handle = start(port=0, data_dir=tmp_path / "neo4j", password="s3cret-pass")
    ...  # connect to handle.bolt_uri as user "neo4j"
    handle.stop()

Command line (also ``scripts/neo4j``)::

    KG_NEO4J_PASSWORD=... python -m kg.neo4j_server start [--port 7687] [--data .kg-neo4j]
    python -m kg.neo4j_server status|stop [--data .kg-neo4j]

Layout of a data directory (it is the Neo4j home): ``data/`` (the databases),
``logs/debug.log`` (Neo4j's own log), ``kg-neo4j.log`` (the launcher's stdout and
stderr) and ``kg-neo4j.pid`` (JSON: pid, port, ... of the running server).

The password of user ``neo4j`` reaches the server through the environment variable
KG_NEO4J_PASSWORD only; it is never put on a command line, in the pid file or in a
log.  On a new data directory it is the initial password; on an existing one the
server resets the stored password to it if they differ.

Standard library only.  POSIX only (signals, process groups, ``fcntl``).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "Neo4jServerError",
    "ServerHandle",
    "build_launcher",
    "find_java",
    "main",
    "start",
    "status",
    "stop",
]

PASSWORD_ENV = "KG_NEO4J_PASSWORD"
PORT_ENV = "KG_NEO4J_PORT"
HOME_ENV = "KG_NEO4J_HOME"
HEAP_ENV = "KG_NEO4J_HEAP"
JAVA_ENV = "KG_JAVA"

DEFAULT_PORT = 7687
DEFAULT_HOME = ".kg-neo4j"
DEFAULT_HEAP = "1g"
HOST = "127.0.0.1"
PID_FILE = "kg-neo4j.pid"
LOG_FILE = "kg-neo4j.log"
JAR_NAME = "kg-neo4j-server.jar"
MODULE_DIR = "neo4j-server"
MIN_PASSWORD_LENGTH = 8  # Neo4j's default dbms.security.auth_minimum_password_length
MIN_JAVA = 17
MAX_SUPPORTED_JAVA = 21  # Neo4j 5.26 supports Java 17 and 21

# The JVM options of Neo4j's own default configuration that matter for an embedded
# DBMS (its TLS and diagnostic ones do not), but for the garbage collector. The heap
# is pre-touched and, as Neo4j's memory guide advises, starts at its maximum size
# (see start()): no pauses to grow it under load. The --add-opens are also in the
# jar's manifest (honoured by `java -jar`); giving them here as well keeps a
# `java -cp ...` launch working the same way.
#
# The collector is the throughput one, with half the heap young, instead of Neo4j's
# G1: this is a local server with a small heap, where short pauses matter less than
# what the collector costs a load. A write transaction allocates hundreds of
# megabytes that die young (records, index keys, transaction state); G1's young
# pauses took ~2.5 s of a ~12 s load of 100,000 relationships on two cores, and the
# same load took 10.2 s instead of 12.8 s with these two options (medians of three
# loads, each collector on its own warm server).
JVM_FLAGS: tuple[str, ...] = (
    "-XX:+UseParallelGC",
    "-XX:NewRatio=1",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
)

_READY_RE = re.compile(rb"^kg-neo4j ready bolt://127\.0\.0\.1:(\d+)[ \t]*\r?$", re.MULTILINE)
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")  # Maven's colour codes, even with -q -B
_BOLT_MAGIC = b"\x60\x60\xb0\x17"
# Bolt version proposals, 4 bytes each (reserved, range, minor, major): 5.8..5.0, 4.4.
_BOLT_PROPOSALS = bytes([0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0])

# Popen objects of servers this process started, so that stop() can reap them
# (a dead child that is not waited for stays a zombie and looks alive to kill(pid, 0)).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class Neo4jServerError(RuntimeError):
    """Building, starting, stopping or finding the local Neo4j server failed."""


# --------------------------------------------------------------------------- build


def _module_dir(root: Path | None) -> Path:
    if root is None:
        return Path(__file__).resolve().parent.parent / MODULE_DIR
    root = Path(root).expanduser().resolve()
    if (root / "pom.xml").is_file():
        return root  # the Maven module itself
    return root / MODULE_DIR  # the repository checkout


def _jar_is_current(module: Path, jar: Path) -> bool:
    """The jar exists, is newer than the pom and every source, and its Class-Path is complete."""
    try:
        jar_mtime = jar.stat().st_mtime
    except FileNotFoundError:
        return False
    inputs = [module / "pom.xml"]
    src = module / "src"
    if src.is_dir():
        inputs.extend(p for p in src.rglob("*") if p.is_file())
    if any(p.stat().st_mtime > jar_mtime for p in inputs):
        return False
    try:
        with zipfile.ZipFile(jar) as zf:
            manifest = zf.read("META-INF/MANIFEST.MF").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    # Manifest lines longer than 72 bytes continue on lines that start with one space.
    unfolded = manifest.replace("\r\n", "\n").replace("\n ", "")
    for line in unfolded.splitlines():
        if line.startswith("Class-Path:"):
            entries = line.split(":", 1)[1].split()
            return bool(entries) and all((jar.parent / e).is_file() for e in entries)
    return False


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".kg-build.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # parallel test workers build once, one at a time
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_launcher(root: Path | None = None, *, java: str | None = None) -> Path:
    """Build ``neo4j-server/target/kg-neo4j-server.jar`` with Maven if missing or out of date.

    ``root`` is the repository checkout (or the ``neo4j-server`` module itself); by default
    the checkout this ``kg`` package lives in.  Returns the jar's path.  The runtime
    dependencies go to ``target/lib/`` next to it (the jar's manifest names them).
    """
    module = _module_dir(root)
    pom = module / "pom.xml"
    if not pom.is_file():
        raise Neo4jServerError(
            f"no Maven module at {module} (expected {pom}); the Neo4j launcher is built from "
            "a repository checkout of kg"
        )
    target = module / "target"
    jar = target / JAR_NAME
    if _jar_is_current(module, jar):
        return jar
    with _build_lock(target):
        if _jar_is_current(module, jar):  # another process built it while we waited
            return jar
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven ('mvn') is not on PATH; it is needed once to build the Neo4j launcher "
                f"in {module} (e.g. apt-get install maven)"
            )
        env = dict(os.environ)
        java_home = _jdk_home(find_java(java)[0])
        if java_home is not None:
            env["JAVA_HOME"] = str(java_home)  # Maven compiles with the JDK we will run on
        cmd = [mvn, "-B", "-q", "-Dstyle.color=never", "-f", str(pom), "package"]
        try:
            proc = subprocess.run(
                cmd,
                cwd=module,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=1800,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise Neo4jServerError(
                f"Maven build of the Neo4j launcher timed out: {' '.join(cmd)}"
            ) from exc
        if proc.returncode != 0 or not jar.is_file():
            output = _ANSI_RE.sub("", proc.stdout.decode("utf-8", "replace"))
            raise Neo4jServerError(
                f"Maven build of the Neo4j launcher failed (exit {proc.returncode}): "
                f"{' '.join(cmd)}\n{_tail(output, 60)}"
            )
        jar.touch()  # newer than every input even if Maven left an unchanged jar in place
        return jar


# ---------------------------------------------------------------------------- java


@cache
def _java_major(java: str) -> int | None:
    """Major version of ``java`` (17, 21, ...) or None if it can't be run."""
    try:
        proc = subprocess.run(
            [java, "-XshowSettings:properties", "-version"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = proc.stdout.decode("utf-8", "replace")
    m = re.search(r"^\s*java\.specification\.version = (\d+)(?:\.(\d+))?", text, re.MULTILINE)
    if m is None:
        m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if m is None:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8" style
        major = int(m.group(2))
    return major


def _release_major(jdk: Path) -> int | None:
    """Major version from a JDK's ``release`` file, without running it."""
    try:
        text = (jdk / "release").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    m = re.search(r'^JAVA_VERSION="(\d+)(?:\.(\d+))?', text, re.MULTILINE)
    if m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def _jdk_home(java: str) -> Path | None:
    """The JDK home of a java executable, if it is a JDK (has javac next to it)."""
    exe = Path(java)
    if not exe.is_absolute():
        found = shutil.which(java)
        if found is None:
            return None
        exe = Path(found)
    home = exe.resolve().parent.parent
    return home if (home / "bin" / "javac").is_file() else None


def _as_executable(value: str) -> str:
    path = Path(value).expanduser()
    if path.is_dir():
        return str(path / "bin" / "java")
    return value


def _check_java(java: str, source: str) -> tuple[str, int]:
    major = _java_major(java)
    if major is None:
        raise Neo4jServerError(
            f"cannot run Java {java!r} (from {source}); "
            f"Neo4j needs a JDK {MIN_JAVA}-{MAX_SUPPORTED_JAVA}"
        )
    if major < MIN_JAVA:
        raise Neo4jServerError(
            f"Java {java!r} (from {source}) is version {major}; Neo4j 5.26 needs Java "
            f"{MIN_JAVA} or 21. Pass java=..., or set {JAVA_ENV} or JAVA_HOME to a newer JDK"
        )
    return java, major


def find_java(java: str | None = None) -> tuple[str, int]:
    """Choose the java executable and return ``(path, major_version)``.

    Order: the ``java`` argument; env KG_JAVA; env JAVA_HOME; a JDK 17-21 under
    /usr/lib/jvm (newest first); ``java`` on PATH.  An explicit choice (argument or
    environment) older than 17 is an error, not skipped.
    """
    if java:
        return _check_java(_as_executable(java), "the java argument")
    if os.environ.get(JAVA_ENV):
        return _check_java(_as_executable(os.environ[JAVA_ENV]), f"${JAVA_ENV}")
    if os.environ.get("JAVA_HOME"):
        return _check_java(str(Path(os.environ["JAVA_HOME"]) / "bin" / "java"), "$JAVA_HOME")
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        found: dict[Path, int] = {}
        for jdk in sorted(jvm_root.iterdir()):
            exe = jdk / "bin" / "java"
            if not exe.is_file():
                continue
            real = jdk.resolve()
            if real in found:
                continue
            major = _release_major(real)
            if major is None:
                major = _java_major(str(exe)) or 0
            found[real] = major
        fitting = sorted(
            (
                (major, jdk)
                for jdk, major in found.items()
                if MIN_JAVA <= major <= MAX_SUPPORTED_JAVA
            ),
            reverse=True,
        )
        if fitting:
            major, jdk = fitting[0]
            return str(jdk / "bin" / "java"), major
    on_path = shutil.which("java")
    if on_path is None:
        raise Neo4jServerError(
            f"no Java found: install a JDK {MIN_JAVA} or 21 "
            "(e.g. apt-get install openjdk-17-jdk-headless), "
            f"or set {JAVA_ENV} or JAVA_HOME"
        )
    return _check_java(on_path, "PATH")


# -------------------------------------------------------------------------- process


def _pid_file(data_dir: Path) -> Path:
    return data_dir / PID_FILE


def _read_pid_file(data_dir: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(_pid_file(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("pid"), int):
        return None
    return info


def _write_pid_file(data_dir: Path, info: dict[str, Any]) -> None:
    path = _pid_file(data_dir)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _remove_pid_file(data_dir: Path, pid: int) -> None:
    info = _read_pid_file(data_dir)
    if info is None or info.get("pid") == pid:
        with contextlib.suppress(FileNotFoundError):
            _pid_file(data_dir).unlink()


def _is_alive(pid: int) -> bool:
    proc = _CHILDREN.get(pid)
    if proc is not None:  # our own child: poll() is authoritative and reaps it
        if proc.poll() is None:
            return True
        _CHILDREN.pop(pid, None)
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): kill(pid, 0) is all we have
    return stat.rsplit(")", 1)[-1].split()[0] not in ("Z", "X")  # a zombie has exited


def _is_our_server(pid: int) -> bool:
    """Guards against a recycled pid: the process must be a java running our jar."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return False
        try:
            cmdline = subprocess.run(
                ["ps", "-o", "command=", "-p", str(pid)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                check=False,
            ).stdout.decode("utf-8", "replace")
        except OSError:
            return True
    except OSError:
        return True
    return JAR_NAME in cmdline


def _bolt_answers(port: int, timeout: float = 2.0) -> bool:
    """True if a Bolt server on 127.0.0.1:port completes the Bolt version handshake."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as sock:
            sock.sendall(_BOLT_MAGIC + _BOLT_PROPOSALS)
            reply = b""
            while len(reply) < 4:
                chunk = sock.recv(4 - len(reply))
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    return reply != b"\x00\x00\x00\x00"


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # like the server's own bind
        try:
            sock.bind((HOST, port))
        except OSError:
            return True
    return False


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.rstrip("\n").splitlines()[-lines:])


def _log_since(log_path: Path, offset: int) -> bytes:
    try:
        with open(log_path, "rb") as fh:
            fh.seek(offset)
            return fh.read()
    except OSError:
        return b""


def _log_tail(log_path: Path, offset: int) -> str:
    text = _log_since(log_path, offset).decode("utf-8", "replace")
    return f"tail of {log_path}:\n{_tail(text)}"


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        proc = _CHILDREN.get(pid)
        if proc is not None:
            try:
                proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
            else:
                _CHILDREN.pop(pid, None)
                return True
        elif not _is_alive(pid):
            return True
        else:
            time.sleep(0.1)
        if time.monotonic() >= deadline:
            return False


def _terminate(pid: int, timeout: float) -> None:
    """SIGTERM (clean Neo4j shutdown), then SIGKILL to the whole process group as a last resort."""
    _signal(pid, signal.SIGTERM)
    if _wait_gone(pid, timeout):
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)  # the server leads its own session / process group
    _signal(pid, signal.SIGKILL)
    if not _wait_gone(pid, 10):
        raise Neo4jServerError(f"Neo4j server pid {pid} survived SIGKILL")


# ---------------------------------------------------------------------------- API


@dataclasses.dataclass
class ServerHandle:
    """A running server started by :func:`start`."""

    pid: int
    port: int
    data_dir: Path
    log_path: Path
    java: str
    started_in: float  # seconds from launch until Bolt answered
    _proc: subprocess.Popen[bytes] | None = dataclasses.field(
        default=None, repr=False, compare=False
    )

    @property
    def bolt_uri(self) -> str:
        return f"bolt://{HOST}:{self.port}"

    @property
    def running(self) -> bool:
        return _is_alive(self.pid)

    def stop(self, timeout: float = 60) -> bool:
        return stop(self.data_dir, timeout=timeout)

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def status(data_dir: Path) -> dict[str, Any] | None:
    """Return the pid file's data of the server running in ``data_dir``, or None if none runs.

    The dict has ``pid``, ``port``, ``bolt_uri``, ``java``, ``started_at`` ... plus
    ``bolt_answers`` (a Bolt handshake on the port just succeeded).
    """
    data_dir = Path(data_dir).expanduser().resolve()
    info = _read_pid_file(data_dir)
    if info is None:
        return None
    pid = info["pid"]
    if not _is_alive(pid) or not _is_our_server(pid):
        return None
    port = info.get("port")
    info["bolt_answers"] = isinstance(port, int) and port > 0 and _bolt_answers(port)
    return info


def start(
    *,
    port: int = DEFAULT_PORT,
    data_dir: Path,
    password: str,
    java: str | None = None,
    timeout: float = 120,
    heap: str | None = None,
    jar: Path | None = None,
) -> ServerHandle:
    """Start Neo4j on ``127.0.0.1:port`` with its home in ``data_dir``; return once Bolt answers.

    ``port=0`` lets the server pick a free port (see ``handle.port``).  ``password`` is the
    password of user ``neo4j`` (at least 8 characters).  ``heap`` is the JVM's heap, initial
    and maximum (default env KG_NEO4J_HEAP or 1g).  ``jar`` defaults to
    :func:`build_launcher`'s (built if needed).
    The server runs in its own session, so it outlives the calling process until
    :func:`stop`.  On failure or timeout the server is killed and the error carries the
    tail of ``data_dir/kg-neo4j.log``.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise Neo4jServerError(f"port must be an integer in 0..65535, got {port!r}")
    if not password:
        raise Neo4jServerError(f"a password for user neo4j is required (e.g. via ${PASSWORD_ENV})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Neo4jServerError(
            f"the Neo4j password must be at least {MIN_PASSWORD_LENGTH} characters long"
        )
    running = status(data_dir)
    if running is not None:
        raise Neo4jServerError(
            f"a Neo4j server already runs for {data_dir} (pid {running['pid']}, "
            f"{running.get('bolt_uri')}); stop it first"
        )
    if port and _port_in_use(port):
        raise Neo4jServerError(
            f"port {HOST}:{port} is already in use; "
            "choose another with port=... (0 = any free port)"
        )

    java_exe, java_major = find_java(java)
    jar = Path(jar) if jar is not None else build_launcher(java=java_exe)
    if not jar.is_file():
        raise Neo4jServerError(f"launcher jar {jar} does not exist")
    heap = heap or os.environ.get(HEAP_ENV) or DEFAULT_HEAP

    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / LOG_FILE
    env = dict(os.environ)
    env[PASSWORD_ENV] = password
    jvm_flags = [f"-Xms{heap}", f"-Xmx{heap}", *JVM_FLAGS]
    if java_major >= 23:  # Neo4j 5.26 still uses sun.misc.Unsafe; newer JDKs warn, then deny
        jvm_flags.append("--sun-misc-unsafe-memory-access=allow")
    cmd = [java_exe, *jvm_flags, "-jar", str(jar), str(data_dir), str(port)]

    launched = time.monotonic()
    with open(log_path, "ab") as log:
        offset = log.tell()
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        note = (
            ""
            if java_major <= MAX_SUPPORTED_JAVA
            else " - not supported by Neo4j 5.26, use 17 or 21"
        )
        header = f"---- kg-neo4j start {stamp} port {port} java {java_major}{note} ({java_exe})\n"
        log.write(header.encode())
        log.flush()
        proc = subprocess.Popen(
            cmd,
            cwd=data_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
        )
    _CHILDREN[proc.pid] = proc
    info = {
        "pid": proc.pid,
        "port": port,
        "bolt_uri": None,
        "state": "starting",
        "data_dir": str(data_dir),
        "log": str(log_path),
        "java": java_exe,
        "jar": str(jar),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        _write_pid_file(data_dir, info)
        deadline = launched + timeout
        bound: int | None = None
        while True:
            exited = proc.poll()
            if exited is not None:
                _CHILDREN.pop(proc.pid, None)
                raise Neo4jServerError(
                    f"Neo4j server exited with status {exited} during start-up; "
                    + _log_tail(log_path, offset)
                )
            if bound is None:
                m = _READY_RE.search(_log_since(log_path, offset))
                if m is not None:
                    bound = int(m.group(1))
            if bound is not None and _bolt_answers(bound):
                break
            if time.monotonic() >= deadline:
                raise Neo4jServerError(
                    f"Neo4j server did not become ready within {timeout:g} s; "
                    + _log_tail(log_path, offset)
                )
            time.sleep(0.1)
    except BaseException:
        with contextlib.suppress(Exception):
            _terminate(proc.pid, timeout=15)
        _remove_pid_file(data_dir, proc.pid)
        raise
    info.update(port=bound, bolt_uri=f"bolt://{HOST}:{bound}", state="ready")
    _write_pid_file(data_dir, info)
    return ServerHandle(
        pid=proc.pid,
        port=bound,
        data_dir=data_dir,
        log_path=log_path,
        java=java_exe,
        started_in=time.monotonic() - launched,
        _proc=proc,
    )


def stop(data_dir: Path, timeout: float = 60) -> bool:
    """Stop the server of ``data_dir``: SIGTERM, wait up to ``timeout`` s, then SIGKILL.

    Returns True if a server was running and is now gone, False if none was running.
    """
    data_dir = Path(data_dir).expanduser().resolve()
    info = _read_pid_file(data_dir)
    if info is None:
        return False
    pid = info["pid"]
    if not _is_alive(pid) or not _is_our_server(pid):
        _remove_pid_file(data_dir, pid)  # stale
        return False
    _terminate(pid, timeout)
    _remove_pid_file(data_dir, pid)
    return True


# ---------------------------------------------------------------------------- CLI


def _default_port() -> int:
    raw = os.environ.get(PORT_ENV)
    if not raw:
        return DEFAULT_PORT
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"kg-neo4j: error: ${PORT_ENV} is not a port number: {raw!r}") from None


def _default_home() -> Path:
    return Path(os.environ.get(HOME_ENV) or DEFAULT_HOME)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kg-neo4j",
        description="Run a local Neo4j Community server (Bolt on 127.0.0.1) for kg.",
        epilog=f"The password of user neo4j is read from ${PASSWORD_ENV} "
        "(never from the command line). "
        "To start over with another password, stop the server and delete the data directory, "
        "or start it again with the new password (it replaces the stored one).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def data_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--data",
            type=Path,
            default=None,
            help=f"data directory / Neo4j home (default ${HOME_ENV} or ./{DEFAULT_HOME})",
        )

    p_start = sub.add_parser("start", help="start the server in the background")
    p_start.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"Bolt port (default ${PORT_ENV} or {DEFAULT_PORT}; 0 = any free)",
    )
    data_arg(p_start)
    p_start.add_argument(
        "--java",
        default=None,
        help=f"java executable or JDK home (default ${JAVA_ENV}, $JAVA_HOME, ...)",
    )
    p_start.add_argument(
        "--heap", default=None, help=f"JVM heap (default ${HEAP_ENV} or {DEFAULT_HEAP})"
    )
    p_start.add_argument(
        "--timeout", type=float, default=120, help="seconds to wait for Bolt (default 120)"
    )

    p_stop = sub.add_parser("stop", help="stop the server (SIGTERM, then SIGKILL)")
    data_arg(p_stop)
    p_stop.add_argument(
        "--timeout", type=float, default=60, help="seconds before SIGKILL (default 60)"
    )

    p_status = sub.add_parser("status", help="exit 0 if the server runs, 3 if not")
    data_arg(p_status)
    p_status.add_argument("--json", action="store_true", help="print the status as JSON")

    sub.add_parser("build", help="build the launcher jar with Maven if needed and print its path")

    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(build_launcher())
            return 0
        data_dir: Path = args.data if args.data is not None else _default_home()
        if args.command == "start":
            password = os.environ.get(PASSWORD_ENV)
            if not password:
                print(
                    f"kg-neo4j: error: set ${PASSWORD_ENV} to the password of user neo4j",
                    file=sys.stderr,
                )
                return 2
            port = args.port if args.port is not None else _default_port()
            handle = start(
                port=port,
                data_dir=data_dir,
                password=password,
                java=args.java,
                timeout=args.timeout,
                heap=args.heap,
            )
            print(
                f"kg-neo4j ready {handle.bolt_uri} (pid {handle.pid}, data {handle.data_dir}, "
                f"log {handle.log_path}, {handle.started_in:.1f} s)"
            )
            return 0
        if args.command == "stop":
            if stop(data_dir, timeout=args.timeout):
                print(f"kg-neo4j stopped ({Path(data_dir).resolve()})")
            else:
                print(f"kg-neo4j not running ({Path(data_dir).resolve()})")
            return 0
        if args.command == "status":
            info = status(data_dir)
            if args.json:
                print(json.dumps(info, indent=2, sort_keys=True))
            elif info is None:
                print(f"kg-neo4j not running ({Path(data_dir).resolve()})")
            else:
                answers = "answering" if info.get("bolt_answers") else "NOT answering"
                print(
                    f"kg-neo4j running {info.get('bolt_uri')} (pid {info['pid']}, "
                    f"Bolt {answers}, data {info.get('data_dir')})"
                )
            return 0 if info is not None else 3
    except Neo4jServerError as exc:
        print(f"kg-neo4j: error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command!r}")  # exits
    return 2


if __name__ == "__main__":
    sys.exit(main())
