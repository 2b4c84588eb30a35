"""Start wxlogin's local mock of WeChat from Python tests and drive it like a mini program would.

The wheel installs the `wxlogin` binary into the environment's scripts folder; this module finds it
there (even when the virtualenv is not activated), runs `wxlogin mock-server --port 0` and talks to
its control routes (`/mock/login`, `/mock/userinfo`, ...) with the standard library only.

    from wxlogin import start_mock
    with start_mock() as mock:
        code = mock.login()["code"]   # then let your backend exchange it at mock.url
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = ["MockError", "WeChatMock", "binary_path", "start_mock"]

_EXE = "wxlogin.exe" if os.name == "nt" else "wxlogin"
# Long enough for a cold start on a loaded CI machine; a healthy mock answers in milliseconds.
_START_TIMEOUT_S = 30.0


class MockError(RuntimeError):
    """The mock could not be started, or refused a control request."""


def binary_path() -> str:
    """The wxlogin binary: $WXLOGIN_BINARY, else the one next to this interpreter, else PATH.

    The interpreter's own scripts folder comes first so that tests run with
    `.venv/bin/python -m pytest` use the venv's binary without the venv being activated.
    """
    override = os.environ.get("WXLOGIN_BINARY")
    if override:
        return override
    folders = []
    try:
        folders.append(Path(sysconfig.get_path("scripts")))
    except KeyError:
        pass
    folders.append(Path(sys.executable).parent)
    for folder in folders:
        candidate = folder / _EXE
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("wxlogin")
    if found:
        return found
    raise MockError(
        "wxlogin binary not found next to %s nor on PATH: install the wheel into this "
        "interpreter (`%s -m pip install wxlogin`) or set WXLOGIN_BINARY"
        % (sys.executable, sys.executable)
    )


def _random_app() -> Tuple[str, str]:
    return "wx" + secrets.token_hex(8), secrets.token_hex(16)


def _read_env_file(path: Path) -> Dict[str, str]:
    """`export NAME=value` lines (shell-quoted values allowed) as a dict."""
    env: Dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        name, sep, value = line.partition("=")
        if not sep:
            continue
        words = shlex.split(value) if value else [""]
        env[name.strip()] = words[0] if words else ""
    return env


class WeChatMock:
    """A running `wxlogin mock-server`. Use `start_mock()` (or the pytest fixtures) to make one.

    Attributes: `url` (the base URL to give your backend instead of https://api.weixin.qq.com),
    `app` (`(appid, secret)` of its first app), `apps` (all of them), `env` (the variables of the
    mock's env file with `intercept=True`, else None).
    """

    def __init__(
        self,
        apps: Optional[Iterable[Sequence[str]]] = None,
        code_ttl: int = 300,
        intercept: bool = False,
        seed: Optional[int] = None,
        binary: Optional[str] = None,
    ) -> None:
        self.apps: List[Tuple[str, str]] = [(a[0], a[1]) for a in (apps or [])] or [_random_app()]
        self.app: Tuple[str, str] = self.apps[0]
        self.url: str = ""
        self.env: Optional[Dict[str, str]] = None
        self._tmp = tempfile.TemporaryDirectory(prefix="wxlogin-mock-")
        self._log_path = Path(self._tmp.name) / "mock.log"
        args = [binary or binary_path(), "mock-server", "--port", "0", "--code-ttl", str(code_ttl)]
        for appid, secret in self.apps:
            args += ["--app", "%s:%s" % (appid, secret)]
        if seed is not None:
            args += ["--seed", str(seed)]
        env_file = None
        if intercept:
            env_file = Path(self._tmp.name) / "mock.env"
            args += ["--intercept", "--env-file", str(env_file)]
        # The request log goes to a file: a pipe nobody reads would fill up and stall the mock.
        self._log = open(self._log_path, "wb")
        try:
            self._proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._log
            )
        except OSError as e:
            self._log.close()
            self._tmp.cleanup()
            raise MockError("cannot run %s: %s" % (args[0], e)) from e
        try:
            self.url = self._read_url()
            if env_file is not None:
                self.env = self._wait_for_env(env_file)
        except BaseException:
            self.stop()
            raise

    def _read_url(self) -> str:
        first: List[bytes] = []
        reader = threading.Thread(target=lambda: first.append(self._proc.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(_START_TIMEOUT_S)
        line = first[0].decode("utf-8", "replace").strip() if first else ""
        if not line.startswith("listening on "):
            if reader.is_alive():
                problem = "no URL within %.0f s" % _START_TIMEOUT_S
            else:
                problem = "exit code %s" % self._proc.poll()
            raise MockError("wxlogin mock-server did not start (%s): %s" % (problem, self.log()))
        return line[len("listening on ") :].strip()

    def _wait_for_env(self, path: Path) -> Dict[str, str]:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if path.is_file() and path.stat().st_size > 0:
                return _read_env_file(path)
            if self._proc.poll() is not None:
                break
            time.sleep(0.02)
        raise MockError("wxlogin mock-server --intercept wrote no env file: %s" % self.log())

    def log(self) -> str:
        """The mock's stderr so far: one line per request, secrets masked."""
        try:
            return self._log_path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def _call(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            text = e.read().decode("utf-8", "replace")
            raise MockError("%s %s answered %s: %s" % (method, path, e.code, text)) from None
        except urllib.error.URLError as e:
            raise MockError("%s %s failed: %s" % (method, path, e.reason)) from None

    def _appid(self, appid: Optional[str]) -> str:
        return appid or self.app[0]

    def login(self, openid: Optional[str] = None, appid: Optional[str] = None) -> Dict[str, str]:
        """What `wx.login` does: a fresh code for the user (made up when openid is None).

        The user's session_key rotates at once, as on WeChat.
        """
        body: Dict[str, Any] = {"appid": self._appid(appid)}
        if openid is not None:
            body["openid"] = openid
        answer = self._call("POST", "/mock/login", body)
        return {"code": answer["code"], "openid": answer["openid"]}

    def userinfo(
        self,
        openid: str,
        user_info: Optional[Dict[str, Any]] = None,
        appid: Optional[str] = None,
    ) -> Dict[str, str]:
        """What `wx.getUserInfo({withCredentials: true})` gives, under the current session_key."""
        body: Dict[str, Any] = {"appid": self._appid(appid), "openid": openid}
        if user_info is not None:
            body["userInfo"] = user_info
        answer = self._call("POST", "/mock/userinfo", body)
        return {k: answer[k] for k in ("rawData", "signature", "encryptedData", "iv")}

    def phone_code(
        self, openid: str, phone_number: Optional[str] = None, appid: Optional[str] = None
    ) -> str:
        """The code a getPhoneNumber button gives, for /wxa/business/getuserphonenumber."""
        body: Dict[str, Any] = {"appid": self._appid(appid), "openid": openid}
        if phone_number is not None:
            body["phoneNumber"] = phone_number
        return self._call("POST", "/mock/phonenumber", body)["code"]

    def journal(self) -> List[Dict[str, Any]]:
        """The requests the mock has seen, oldest first, secrets masked."""
        return self._call("GET", "/mock/journal")["entries"]

    def fault(
        self,
        route: str,
        errcode: Optional[int] = None,
        latency_ms: Optional[int] = None,
        count: int = 1,
    ) -> List[Dict[str, Any]]:
        """Make the next `count` calls of a WeChat route (e.g. "jscode2session", or "*") answer
        `errcode` and/or wait `latency_ms`. Returns the faults now set."""
        body: Dict[str, Any] = {"route": route, "count": count}
        if errcode is not None:
            body["errcode"] = errcode
        if latency_ms is not None:
            body["latency_ms"] = latency_ms
        return self._call("POST", "/mock/faults", body)["faults"]

    def reset(self) -> None:
        """Forget users, codes, tokens, faults and the journal; the apps stay."""
        self._call("POST", "/mock/reset", {})

    def stop(self) -> None:
        """SIGTERM, then wait for the mock to exit (it saves --state and stops cleanly)."""
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            if os.name == "nt":
                proc.terminate()
            else:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if not self._log.closed:
            self._log.close()
        self._tmp.cleanup()

    def __enter__(self) -> "WeChatMock":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return "WeChatMock(url=%r, appid=%r)" % (self.url, self.app[0])


def start_mock(
    apps: Optional[Iterable[Sequence[str]]] = None,
    code_ttl: int = 300,
    intercept: bool = False,
    seed: Optional[int] = None,
) -> WeChatMock:
    """Start `wxlogin mock-server` on a free loopback port; stop it with `.stop()` or `with`.

    apps: `[(appid, secret), ...]` (default: one made-up app); code_ttl: seconds a code lives;
    intercept: also act as an HTTPS proxy for SDKs that hard-code WeChat's host (`.env` then holds
    the variables to give such a backend); seed: reproducible openids, codes and keys.
    """
    return WeChatMock(apps=apps, code_ttl=code_ttl, intercept=intercept, seed=seed)
