"""``make serve`` (the end of ``make demo``) stops cleanly: Ctrl-C or TERM ends the web server
and the background worker, once, without "Segmentation fault" (its old ``trap 'kill 0'`` signalled
its own shell and ran again until bash crashed)."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _sleepers(pgid: int) -> int:
    count = 0
    for pid in _group_members(pgid):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].endswith(b"sleep"):
                count += 1
        except OSError:
            continue
    return count


@pytest.mark.parametrize(
    ("sig", "whole_group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c-to-the-terminal-group", "term-to-the-recipe-shell"],
)
def test_make_serve_stops_once_without_a_crash(sig, whole_group):
    process = subprocess.Popen(  # noqa: S603 - our own Makefile, fixed arguments
        [
            MAKE,
            "--no-print-directory",
            "serve",
            "WORKER_CMD=sleep 300",
            "WEB_CMD=sleep 301",
            "SMTP_CMD=sleep 302",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    pgid = process.pid
    deadline = time.monotonic() + 10
    while _sleepers(pgid) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sleepers(pgid) == 3, "the worker, the e-mail inbox and the web server did not start"
    if whole_group:
        os.killpg(pgid, sig)
    else:
        # TERM to the recipe's shell alone (a service manager, kill): its trap stops the rest.
        shell = next(
            pid
            for pid in _group_members(pgid)
            if pid != process.pid
            and b"bash" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        )
        os.kill(shell, sig)
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(pgid, signal.SIGKILL)
        raise
    text = output.decode(errors="replace")
    assert "Segmentation fault" not in text
    assert "core dumped" not in text
    deadline = time.monotonic() + 5
    while _group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_members(pgid), "a process of the recipe is still running"


def test_when_the_web_server_ends_the_worker_is_stopped_too():
    process = subprocess.Popen(  # noqa: S603 - our own Makefile, fixed arguments
        [
            MAKE,
            "--no-print-directory",
            "serve",
            "WORKER_CMD=sleep 300",
            "WEB_CMD=sleep 0.3",
            "SMTP_CMD=sleep 302",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    assert "Segmentation fault" not in output.decode(errors="replace")
    assert not _group_members(process.pid)
