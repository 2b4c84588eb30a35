"""The Flask backend against wxlogin's mock of WeChat, through the `wechat_mock` fixture of the
wxlogin wheel's pytest plugin (no import needed: it is a pytest11 entry point)."""

import pytest

from app import create_app

APPID = "wx5e1ec0de5e55a001"
SECRET = "5ec2e7000000000000000000000000a1"


@pytest.fixture
def client(wechat_mock):
    appid, secret = wechat_mock.app
    return create_app(appid, secret, wechat_mock.url).test_client()


def login_body(wechat_mock, openid=None):
    login = wechat_mock.login(openid)
    return {"code": login["code"], **wechat_mock.userinfo(login["openid"])}, login["openid"]


@pytest.mark.wechat_mock(apps=[(APPID, SECRET)])
def test_login_verifies_and_decrypts_then_serves_the_user(wechat_mock, client):
    assert wechat_mock.app == (APPID, SECRET)
    body, openid = login_body(wechat_mock, "oUser1")
    answer = client.post("/api/login", json=body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["openid"] == openid
    token = answer.get_json()["token"]
    me = client.get("/api/me", headers={"Authorization": "Bearer " + token})
    assert me.get_json() == {"openid": openid, "nickName": answer.get_json()["nickName"]}
    assert me.get_json()["nickName"]


def test_backend_exchanges_the_code_exactly_once_and_never_logs_the_secret(wechat_mock, client):
    body, _ = login_body(wechat_mock)
    assert client.post("/api/login", json=body).status_code == 200
    exchanges = [e for e in wechat_mock.journal() if e["path"] == "/sns/jscode2session"]
    assert len(exchanges) == 1
    assert wechat_mock.app[1] not in str(wechat_mock.journal())


def test_a_reused_code_is_refused_with_40163(wechat_mock, client):
    body, _ = login_body(wechat_mock)
    assert client.post("/api/login", json=body).status_code == 200
    again = client.post("/api/login", json=body)
    assert again.status_code == 401
    assert again.get_json()["errcode"] == 40163


def test_userinfo_from_before_a_second_login_fails_the_signature(wechat_mock, client):
    first = wechat_mock.login("oUser2")
    stale = wechat_mock.userinfo("oUser2")
    second = wechat_mock.login("oUser2")  # rotates the session_key
    answer = client.post("/api/login", json={"code": second["code"], **stale})
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "signature mismatch"
    assert first["code"] != second["code"]


def test_wechat_busy_is_a_502_not_a_crash(wechat_mock, client):
    body, _ = login_body(wechat_mock)
    wechat_mock.fault("jscode2session", errcode=45011)
    answer = client.post("/api/login", json=body)
    assert answer.status_code == 502
    assert answer.get_json()["errcode"] == 45011


def test_phone_number_through_the_access_token(wechat_mock, client):
    body, openid = login_body(wechat_mock)
    token = client.post("/api/login", json=body).get_json()["token"]
    code = wechat_mock.phone_code(openid)
    answer = client.post("/api/phone", json={"code": code}, headers={"Authorization": "Bearer " + token})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["phoneNumber"].isdigit()
    paths = [e.get("path") for e in wechat_mock.journal()]
    assert "/cgi-bin/token" in paths


def test_app_from_env_takes_what_simulate_gives(wechat_mock, monkeypatch):
    # `wxlogin simulate -- python app.py` sets WXLOGIN_*, not WX_*: the app must start on them.
    import app as backend

    for name in ("WX_APPID", "WX_SECRET", "WX_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    appid, secret = wechat_mock.app
    monkeypatch.setenv("WXLOGIN_APPID", appid)
    monkeypatch.setenv("WXLOGIN_SECRET", secret)
    monkeypatch.setenv("WXLOGIN_MOCK_URL", wechat_mock.url)
    client = backend.app_from_env().test_client()
    body, openid = login_body(wechat_mock)
    answer = client.post("/api/login", json=body)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["openid"] == openid
