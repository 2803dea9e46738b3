"""The programs the benchmark drives, found on PATH or installed by the benchmark itself.

`wrk`, `java` (WireMock) and `redis-server` come from Debian (apt-get, only when missing and running as
root); Prism, WireMock's standalone jar and the Mockoon CLI from npm, pinned in `benchmarks/package.json` and
`package-lock.json` and installed with `npm ci` into `benchmarks/node_modules`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["HERE", "apt_program", "java", "node_modules", "npm_version", "redis_server", "wiremock_jar", "wrk"]

HERE = Path(__file__).resolve().parent
APT_LOCK = ["-o", "DPkg::Lock::Timeout=300"]


def apt_program(program: str, package: str) -> str:
    """The path of `program`; when it is missing and we are root on Debian, `apt-get install package` first."""
    found = shutil.which(program)
    if not found and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {package} (apt-get)", file=sys.stderr)
        subprocess.run(["apt-get", *APT_LOCK, "update", "-qq"], check=True)
        subprocess.run(["apt-get", *APT_LOCK, "install", "-y", "-qq", "--no-install-recommends", package],
                       check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        found = shutil.which(program)
    if not found:
        sys.exit(f"`{program}` is needed: install Debian's `{package}` (apt-get install {package}) or put it on PATH")
    return found


def wrk() -> str:
    return apt_program("wrk", "wrk")


def java() -> str:
    return apt_program("java", "default-jre-headless")


def redis_server() -> str:
    return apt_program("redis-server", "redis-server")


def node_modules() -> Path:
    """`benchmarks/node_modules`, installed from the lock file when a pinned package is missing."""
    modules = HERE / "node_modules"
    wanted = json.loads((HERE / "package.json").read_text())["dependencies"]
    if any(not (modules / name / "package.json").exists() for name in wanted):
        if not shutil.which("npm"):
            sys.exit("Node and npm are needed to install the peers (benchmarks/package.json)")
        print("installing Prism, WireMock and Mockoon (npm ci in benchmarks/)", file=sys.stderr)
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=HERE, check=True)
    return modules


def npm_version(name: str) -> str:
    """The installed version of an npm package of `benchmarks/`, or "?"."""
    package = HERE / "node_modules" / name / "package.json"
    return str(json.loads(package.read_text())["version"]) if package.exists() else "?"


def wiremock_jar() -> Path:
    """The standalone jar the npm package `wiremock` ships (run with `java -jar`, so RSS is Java's own)."""
    jars = sorted((node_modules() / "wiremock" / "build").glob("wiremock-standalone-*.jar"))
    if not jars:
        sys.exit("benchmarks/node_modules/wiremock ships no standalone jar: remove node_modules and run again")
    return jars[-1]
