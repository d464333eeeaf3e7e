"""Warm chapter kernels: each chapter still runs in a fresh kernel process of its own, but that
process is forked from one that has already loaded the libraries every chapter imports (pandas,
Altair, vl-convert, IPython, kzunrest), so a chapter pays for its own work only — not for a Python
start, an ipykernel start and two seconds of imports.

The forks come from a fork server (:class:`Factory`): a child made right after those imports,
while the build is still single-threaded and has not started vl-convert's JavaScript runtime
(a runtime's threads do not survive a fork). On request it forks a *spare*, which starts its own
vl-convert runtime and waits until Papermill's kernel manager asks for a kernel; then it becomes
an ipykernel on the connection file it is given. :func:`manager` is a Jupyter kernel manager
whose kernel is such a spare; it interrupts, shuts down and kills it like any other kernel.
Everything stays in the build's process group, so a signal to the build's group (Ctrl-C in a
terminal) reaches the kernels too; the fork server ends when the build does.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable

# What the chapters import: loaded once in the build, shared by every forked kernel.
WARM_MODULES = ("pandas", "altair", "vl_convert", "IPython", "ipykernel.kernelapp",
                "kzunrest.analysis", "kzunrest.charts", "kzunrest.claims", "kzunrest.data",
                "kzunrest.narrative", "kzunrest.params", "kzunrest.render", "kzunrest.vocabulary")
_PID_BYTES = 12
# Installed (JupyterLab's jsonschema[format-nongpl] brings it) but never used by a build.
UNUSED_MODULES = ("rfc3987_syntax",)


def skip_unused_imports() -> None:
    """Keep this process, and every kernel forked from it, from importing :data:`UNUSED_MODULES`.
    rfc3987-syntax compiles its grammar when imported (about 1 s of every process that imports
    Altair), only so that jsonschema can check the "iri" and "iri-reference" formats, which no
    schema the build validates uses (Vega-Lite's use "uri" and "uri-reference", checked by
    rfc3986-validator; tests/test_build.py checks this). A module set to None in ``sys.modules``
    cannot be imported, and jsonschema then leaves those two checks out, as it does when the
    package is not installed. Call before anything imports jsonschema; notebooks opened in
    JupyterLab are not affected."""
    for name in UNUSED_MODULES:
        sys.modules.setdefault(name, None)


# What an ipykernel imports as it starts (its debugger, debugpy, completion, history): another
# 0.2 s of every kernel's start, imported once here instead.
KERNEL_START_MODULES = ("ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.completerlib",
                        "IPython.extensions.storemagic", "psutil", "sqlite3", "tornado.queues")


def warm_up() -> None:
    # As ipykernel's own kernel spec does when Python's frozen modules are on: otherwise
    # debugpy's import warns on stderr that breakpoints may be missed.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for name in (*WARM_MODULES, *KERNEL_START_MODULES):
        importlib.import_module(name)


class Spare:
    """A process waiting to become a kernel. Quacks like ``subprocess.Popen`` where
    jupyter_client's local provisioner needs it (poll, wait, send_signal, kill). It is the fork
    server's child, not ours: its exit status is not known here (0 once it is gone)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, channel: socket.socket) -> None:
        self.pid = pid
        self._channel: socket.socket | None = channel
        self.returncode: int | None = None

    @property
    def launched(self) -> bool:
        return self._channel is None

    def launch(self, cmd: list[str], env: dict[str, str], cwd: str, context: dict) -> None:
        """Turn the waiting process into the kernel ``cmd`` describes (an ipykernel command line);
        ``context`` goes to the pool's ``enter`` hook in that process first."""
        channel, self._channel = self._channel, None
        with channel:
            channel.sendall((json.dumps({"argv": cmd, "env": env, "cwd": cwd,
                                         "context": context}) + "\n").encode())

    def discard(self) -> None:
        """An unused spare: closing its channel makes it exit. (A launched one is left alone.)"""
        if self._channel is not None:
            self._channel.close()
            self._channel = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class Factory:
    """The fork server: forked now (call :func:`warm_up` first, and do it before any thread or
    vl-convert runtime starts); :meth:`spare` asks it for a spare kernel process."""

    def __init__(self, prepare: Callable[[], None] | None = None,
                 enter: Callable[[dict], None] | None = None) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        self._socket, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the fork server
            self._socket.close()
            code = 0
            try:
                _serve_forks(theirs, prepare, enter)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        self.pid = pid

    def spare(self) -> Spare:
        mine, theirs = socket.socketpair()
        with theirs:
            socket.send_fds(self._socket, [b"f"], [theirs.fileno()])
        received = b""
        while len(received) < _PID_BYTES:
            chunk = self._socket.recv(_PID_BYTES - len(received))
            if not chunk:
                raise RuntimeError("the kernel fork server has stopped")
            received += chunk
        return Spare(int(received), mine)

    def close(self) -> None:
        self._socket.close()  # the server sees the end of its requests and exits
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _serve_forks(requests: socket.socket, prepare: Callable[[], None] | None,
                 enter: Callable[[dict], None] | None) -> None:  # pragma: no cover
    def reap(*_) -> bool:
        """Reap every spare that has ended (no zombies, and its CPU time is counted); whether
        any is still running."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True

    signal.signal(signal.SIGCHLD, reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # it ends when the build closes its requests
    while True:
        message, fds, _, _ = socket.recv_fds(requests, 1, 1)
        if not message:
            break
        pid = os.fork()
        if pid == 0:
            requests.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            code = 1
            try:
                if prepare:
                    prepare()
                code = _become_kernel(fds[0], enter)
            except KeyboardInterrupt:
                pass
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(fds[0])
        requests.sendall(str(pid).rjust(_PID_BYTES).encode())
    # The build has ended: wait a little for its spares to end (any left stop by themselves
    # when they see the fork server gone).
    deadline = time.monotonic() + 5
    while reap() and time.monotonic() < deadline:
        time.sleep(0.02)


def _become_kernel(fd: int, enter: Callable[[dict], None] | None) -> int:  # pragma: no cover
    with socket.socket(fileno=fd) as channel, channel.makefile("r", encoding="utf-8") as lines:
        text = lines.readline()
    if not text:
        return 0  # discarded
    request = json.loads(text)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # ipykernel stops when its parent is gone: that is the fork server, which ends with the build.
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    if enter:
        enter(request["context"])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    argv = request["argv"]
    args = argv[argv.index("ipykernel_launcher") + 1:] if "ipykernel_launcher" in argv else argv[1:]
    sys.argv = [argv[0], *args]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=args)
    return 0


class Pool:
    """Spare kernels: taken by a build, kept ready between builds by ``kzunrest watch``.
    ``prepare`` runs in each spare as soon as it is forked, while it waits; ``enter`` when it
    becomes a kernel, with the context :func:`manager` was given for it."""

    def __init__(self, prepare: Callable[[], None] | None = None,
                 enter: Callable[[dict], None] | None = None) -> None:
        self.prepare = prepare
        self.enter = enter
        self.ready: list[Spare] = []
        self._factory: Factory | None = None

    def start(self) -> None:
        """Fork the fork server now (after :func:`warm_up`, before any thread starts)."""
        if self._factory is None:
            self._factory = Factory(self.prepare, self.enter)

    def take(self, count: int) -> list[Spare]:
        """``count`` spares: the ready ones first, the rest forked now."""
        taken, self.ready = self.ready[:count], self.ready[count:]
        alive = [spare for spare in taken if spare.poll() is None]
        return alive + self._fork(count - len(alive))

    def give_back(self, taken: list[Spare]) -> None:
        """Spares a build did not use go back to the pool."""
        self.ready += [s for s in taken if not s.launched and s.poll() is None]

    def fill(self, count: int) -> None:
        self.ready = [spare for spare in self.ready if spare.poll() is None]
        self.ready += self._fork(count - len(self.ready))

    def _fork(self, count: int) -> list[Spare]:
        if count <= 0:
            return []
        self.start()
        return [self._factory.spare() for _ in range(count)]

    def close(self) -> None:
        for spare in self.ready:
            spare.discard()
        self.ready = []
        if self._factory is not None:
            self._factory.close()
            self._factory = None


class Supply:
    """The spares of one build: ``count`` chapters to run, forked a few at a time so that
    ``ahead`` are always warm beyond those running. Twelve chapters (three languages) do not start
    twelve JavaScript runtimes at once: each costs about half a second of CPU, taken when the
    build starts and validation needs the cores. Safe to use from the build's worker threads."""

    def __init__(self, pool: Pool, count: int, ahead: int) -> None:
        self._pool, self._left, self._ahead = pool, count, max(1, ahead)
        self._lock = threading.Lock()
        self.taken: list[Spare] = pool.take(min(count, self._ahead)) if count else []
        self._ready = list(self.taken)

    def get(self) -> Spare:
        """A warm spare for the next chapter; forks replacements while chapters are left."""
        with self._lock:
            self._left -= 1
            spare = self._ready.pop(0) if self._ready else self._fork(1)[0]
            self._ready += self._fork(min(self._left, self._ahead) - len(self._ready))
            return spare

    def _fork(self, count: int) -> list[Spare]:
        more = self._pool.take(count) if count > 0 else []
        self.taken += more
        return more

    def kill(self) -> None:
        for spare in self.taken:
            spare.kill()


def manager(spare: Spare, context: dict | None = None):
    """A Jupyter kernel manager whose kernel is ``spare``, connected over Unix sockets in the
    temporary directory; ``context`` goes to the pool's ``enter`` hook in the kernel before it
    starts."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            env = dict(kwargs.get("env") or os.environ)
            spare.launch(cmd, env, str(kwargs.get("cwd") or os.getcwd()), context or {})
            self.process = spare
            self.pid = spare.pid
            self.pgid = None  # the build's own group: signal the kernel alone
            self.cwd = kwargs.get("cwd")
            return self.connection_info

    class WarmKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kwargs):
            if self.provisioner is None:  # jupyter_client keeps a provisioner it finds here
                self.kernel_id = self.kernel_id or kwargs.pop("kernel_id", str(uuid.uuid4()))
                self.provisioner = WarmProvisioner(kernel_id=self.kernel_id,
                                                   kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kwargs)

    # The kernel's channels are Unix sockets, not TCP ports: jupyter_client picks a TCP port by
    # binding it and letting it go, and with a dozen kernels and their clients connecting, another
    # socket can take that port before the kernel binds it ("Address already in use": the kernel
    # dies before it replies). A socket file of its own cannot be taken.
    kernel = WarmKernelManager(kernel_name="python3", transport="ipc")
    kernel.ip = os.path.join(tempfile.gettempdir(), f"kzunrest-kernel-{uuid.uuid4().hex[:12]}")
    return kernel
