"""The wheel's pytest plugin and helper, run against the packaged binary as a user's tests would:
installed with the wheel, fixtures found through the pytest11 entry point, no import of the plugin.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import wxlogin

APPID = "wx0123456789abcdef"
SECRET = "00112233445566778899aabbccddeeff"


def exchange(mock, code, appid=None, secret=None):
    """code2session straight over HTTP, without the helper, as a backend would."""
    query = urllib.parse.urlencode(
        {
            "appid": appid or mock.app[0],
            "secret": secret or mock.app[1],
            "js_code": code,
            "grant_type": "authorization_code",
        }
    )
    with urllib.request.urlopen(mock.url + "/sns/jscode2session?" + query, timeout=10) as r:
        return json.loads(r.read())


def test_binary_is_found_next_to_the_interpreter_without_path():
    scripts = Path(sysconfig.get_path("scripts"))
    env = {k: v for k, v in os.environ.items() if k not in ("WXLOGIN_BINARY", "VIRTUAL_ENV")}
    env["PATH"] = "/nonexistent"
    found = subprocess.run(
        [sys.executable, "-c", "import wxlogin; print(wxlogin.binary_path())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(found).parent in (scripts, Path(sys.executable).parent)
    version = subprocess.run([found, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("wxlogin ")


def test_fixture_gives_a_running_mock_with_a_made_up_app(wechat_mock):
    assert wechat_mock.url.startswith("http://127.0.0.1:")
    appid, secret = wechat_mock.app
    assert appid.startswith("wx") and len(secret) == 32
    assert wechat_mock.env is None


@pytest.mark.wechat_mock(apps=[(APPID, SECRET), ("wxfedcba9876543210", "ff" * 16)], code_ttl=120)
def test_marker_sets_the_apps_and_the_code_lifetime(wechat_mock):
    assert wechat_mock.app == (APPID, SECRET)
    login = wechat_mock.login("oMarked")
    assert set(login) == {"code", "openid"}
    assert login["openid"] == "oMarked"
    answer = exchange(wechat_mock, login["code"])
    assert answer["openid"] == "oMarked"
    other = wechat_mock.login(appid="wxfedcba9876543210")
    assert exchange(wechat_mock, other["code"], "wxfedcba9876543210", "ff" * 16)["openid"]
    # The lifetime reaches the mock: /mock/login reports it.
    raw = urllib.request.urlopen(
        urllib.request.Request(
            wechat_mock.url + "/mock/login",
            data=json.dumps({"appid": APPID}).encode(),
            method="POST",
        )
    )
    assert json.loads(raw.read())["expires_in"] == 120


def test_userinfo_is_signed_and_encrypted_with_the_current_session_key(wechat_mock):
    login = wechat_mock.login()
    session_key = exchange(wechat_mock, login["code"])["session_key"]
    info = wechat_mock.userinfo(login["openid"])
    assert set(info) == {"rawData", "signature", "encryptedData", "iv"}
    expected = hashlib.sha1((info["rawData"] + session_key).encode("utf-8")).hexdigest()
    assert info["signature"] == expected
    assert len(base64.b64decode(info["iv"])) == 16


def test_a_code_works_once(wechat_mock):
    code = wechat_mock.login()["code"]
    assert "session_key" in exchange(wechat_mock, code)
    assert exchange(wechat_mock, code)["errcode"] == 40163


def test_phone_code_is_a_string_the_mock_accepts(wechat_mock):
    openid = wechat_mock.login()["openid"]
    code = wechat_mock.phone_code(openid)
    assert isinstance(code, str) and code


def test_fault_makes_the_next_exchange_fail(wechat_mock):
    faults = wechat_mock.fault("jscode2session", errcode=45011, count=1)
    assert faults == [{"route": "jscode2session", "errcode": 45011, "latency_ms": 0, "count": 1}]
    code = wechat_mock.login()["code"]
    assert exchange(wechat_mock, code)["errcode"] == 45011
    assert "session_key" in exchange(wechat_mock, code)


def test_fault_with_latency_only(wechat_mock):
    faults = wechat_mock.fault("*", latency_ms=5, count=2)
    assert faults[0]["latency_ms"] == 5 and faults[0]["count"] == 2 and "errcode" not in faults[0]


def test_journal_lists_requests_with_secrets_masked(wechat_mock):
    code = wechat_mock.login()["code"]
    exchange(wechat_mock, code)
    journal = wechat_mock.journal()
    assert isinstance(journal, list)
    assert [e["path"] for e in journal if e["path"] == "/sns/jscode2session"]
    assert wechat_mock.app[1] not in json.dumps(journal)


def test_control_errors_are_raised_with_the_mock_answer(wechat_mock):
    with pytest.raises(wxlogin.MockError, match="40003|unknown openid"):
        wechat_mock.userinfo("oNeverLoggedIn")


def test_session_fixture_is_shared(wechat_mock_session, request):
    first = request.getfixturevalue("wechat_mock_session")
    assert first is wechat_mock_session
    assert wechat_mock_session.login()["code"]


def test_start_mock_stops_the_process():
    mock = wxlogin.start_mock(seed=7)
    proc = mock._proc
    assert mock.login()["code"]
    mock.stop()
    assert proc.returncode == 0


def test_missing_binary_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("WXLOGIN_BINARY", "/nonexistent/wxlogin")
    with pytest.raises(wxlogin.MockError, match="cannot run /nonexistent/wxlogin"):
        wxlogin.start_mock()


def test_the_fixtures_need_no_import_and_a_bad_marker_is_a_usage_error(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_plain(wechat_mock):
            assert wechat_mock.login()["code"]

        @pytest.mark.wechat_mock(app=[("wx1", "s")])
        def test_typo(wechat_mock):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*unknown option app*"])


def _supports_intercept():
    help_text = subprocess.run(
        [wxlogin.binary_path(), "mock-server", "--help"], capture_output=True, text=True
    ).stdout
    return "--intercept" in help_text


@pytest.mark.skipif(not _supports_intercept(), reason="this wxlogin has no mock-server --intercept")
@pytest.mark.wechat_mock(intercept=True)
def test_intercept_mode_gives_the_env_for_sdks_that_hard_code_the_host(wechat_mock):
    assert wechat_mock.env["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    assert wechat_mock.env["NODE_EXTRA_CA_CERTS"]
