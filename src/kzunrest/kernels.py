"""Warm chapter kernels: each chapter still runs in a fresh kernel process of its own, but that
process is forked from the build after the libraries every chapter imports (pandas, Altair,
vl-convert, IPython, kzunrest) are loaded, so a chapter pays for its own work only — not for a
Python start, an ipykernel start and two seconds of imports.

The forks are made up front (:func:`spares`), while the build is still single-threaded; each one
waits on a pipe until Papermill's kernel manager asks for a kernel, then becomes an ipykernel on
the connection file it is given. :class:`WarmKernelManager` is a Jupyter kernel manager whose
kernel is such a fork; it interrupts, shuts down and kills it like any other kernel. Kernels stay
in the build's process group, so a signal to the build (Ctrl-C in a terminal) reaches them too.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import traceback
import uuid
from collections.abc import Callable

# What the chapters import: loaded once in the build, shared by every forked kernel.
WARM_MODULES = ("pandas", "altair", "vl_convert", "IPython", "ipykernel.kernelapp",
                "kzunrest.analysis", "kzunrest.charts", "kzunrest.claims", "kzunrest.data",
                "kzunrest.narrative", "kzunrest.params", "kzunrest.render", "kzunrest.vocabulary")


_OPEN_PIPES: set[int] = set()  # write ends of the spares' pipes, closed in every later fork


def warm_up() -> None:
    for name in WARM_MODULES:
        importlib.import_module(name)


class Spare:
    """A child process forked now, waiting to become a kernel. Quacks like ``subprocess.Popen``
    where jupyter_client's local provisioner needs it (poll, wait, send_signal, kill)."""

    stdin = stdout = stderr = None

    def __init__(self, prepare: Callable[[], None] | None = None) -> None:
        read, self._write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            for other in [self._write, *_OPEN_PIPES]:  # or the others' pipes never close
                os.close(other)
            code = 1
            try:
                if prepare:
                    prepare()
                code = _become_kernel(read)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        os.close(read)
        _OPEN_PIPES.add(self._write)
        self.pid = pid
        self.returncode: int | None = None

    def launch(self, cmd: list[str], env: dict[str, str], cwd: str) -> None:
        """Turn the waiting child into the kernel ``cmd`` describes (an ipykernel command line)."""
        with os.fdopen(self._write, "w", encoding="utf-8") as pipe:
            pipe.write(json.dumps({"argv": cmd, "env": env, "cwd": cwd}) + "\n")
        _OPEN_PIPES.discard(self._write)
        self._write = None

    def discard(self) -> None:
        """An unused spare: closing its pipe makes it exit. (A launched one is left alone.)"""
        if self._write is not None:
            os.close(self._write)
            _OPEN_PIPES.discard(self._write)
            self._write = None
            self.wait()

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _become_kernel(read: int) -> int:  # pragma: no cover - runs in the child
    with os.fdopen(read, encoding="utf-8") as pipe:
        text = pipe.readline()
    if not text:
        return 0  # discarded
    request = json.loads(text)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    signal.signal(signal.SIGINT, signal.default_int_handler)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    argv = request["argv"]
    args = argv[argv.index("ipykernel_launcher") + 1:] if "ipykernel_launcher" in argv else argv[1:]
    sys.argv = [argv[0], *args]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=args)
    return 0


def spares(count: int, prepare: Callable[[], None] | None = None) -> list[Spare]:
    """``count`` forked children waiting to become kernels (call :func:`warm_up` first);
    ``prepare`` runs in each child as soon as it is forked, while it waits."""
    sys.stdout.flush()
    sys.stderr.flush()
    return [Spare(prepare) for _ in range(count)]


def manager(spare: Spare):
    """A Jupyter kernel manager whose kernel is ``spare``."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning import LocalProvisioner

    class WarmProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            spare.launch(cmd, dict(kwargs.get("env") or os.environ), str(kwargs.get("cwd") or os.getcwd()))
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

    return WarmKernelManager(kernel_name="python3")
