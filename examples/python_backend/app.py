"""A small mini-program backend in Flask that logs in with wechatpy, the usual Python WeChat SDK.

    WX_APPID=wx... WX_SECRET=... WX_BASE_URL=http://127.0.0.1:8080 flask --app 'app:app_from_env()' run

WX_BASE_URL (default https://api.weixin.qq.com) points it at `wxlogin mock-server` in tests.
`wxlogin simulate` starts it as it is, with the mock in WXLOGIN_APPID, WXLOGIN_SECRET and
WXLOGIN_MOCK_URL (read when the WX_ ones are not set) and the port in PORT:

    wxlogin simulate examples/flows/api-login.toml -- python examples/python_backend/app.py

POST /api/login {code, rawData, signature, encryptedData, iv} -> {token, openid, nickName}
GET  /api/me          (Authorization: Bearer TOKEN) -> {openid, nickName}
POST /api/phone {code} (Authorization: Bearer TOKEN) -> {phoneNumber}
"""

from __future__ import annotations

import os
import secrets
from typing import Any, Dict

from flask import Flask, jsonify, request
from wechatpy import WeChatClient
from wechatpy.crypto import WeChatWxaCrypto
from wechatpy.exceptions import InvalidSignatureException, WeChatClientException
from wechatpy.utils import check_wxa_signature

WECHAT = "https://api.weixin.qq.com"


class MiniProgramClient(WeChatClient):
    """wechatpy's client with every WeChat URL under one base.

    WeChatClient.API_BASE_URL and WeChatWxa.API_BASE_URL are attributes, so setting them is
    enough for the API calls; only fetch_access_token hard-codes its URL, hence the override.
    """

    def __init__(self, appid: str, secret: str, base_url: str = WECHAT) -> None:
        super().__init__(appid, secret, timeout=10)
        self.base_url = base_url.rstrip("/")
        self.API_BASE_URL = self.base_url + "/cgi-bin/"
        self.wxa.API_BASE_URL = self.base_url + "/"

    def fetch_access_token(self) -> Dict[str, Any]:
        return self._fetch_access_token(
            url=self.base_url + "/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        )

    def phone_number(self, code: str) -> Dict[str, Any]:
        # wechatpy 1.x predates getuserphonenumber; its generic post adds the access token.
        answer = self.post(
            "wxa/business/getuserphonenumber", data={"code": code}, api_base_url=self.base_url + "/"
        )
        return answer["phone_info"]


def create_app(appid: str, secret: str, base_url: str = WECHAT) -> Flask:
    app = Flask(__name__)
    client = MiniProgramClient(appid, secret, base_url)
    sessions: Dict[str, Dict[str, Any]] = {}

    def wechat_error(e: WeChatClientException):
        # A code refused by WeChat is the client's problem (401); anything else is WeChat's (502).
        status = 401 if e.errcode in (40029, 40163, 40226) else 502
        return jsonify(error="wechat", errcode=e.errcode, errmsg=e.errmsg), status

    def current_session():
        header = request.headers.get("Authorization", "")
        return sessions.get(header[len("Bearer ") :]) if header.startswith("Bearer ") else None

    @app.post("/api/login")
    def login():
        body = request.get_json(silent=True) or {}
        if not body.get("code"):
            return jsonify(error="code missing"), 400
        try:
            session = client.wxa.code_to_session(body["code"])
        except WeChatClientException as e:
            return wechat_error(e)
        session_key = session["session_key"]
        profile: Dict[str, Any] = {}
        if body.get("rawData"):
            try:
                check_wxa_signature(session_key, body["rawData"], body.get("signature", ""))
            except InvalidSignatureException:
                return jsonify(error="signature mismatch"), 401
            crypto = WeChatWxaCrypto(session_key, body["iv"], appid)
            profile = crypto.decrypt_message(body["encryptedData"])
        token = secrets.token_urlsafe(24)
        sessions[token] = {
            "openid": session["openid"],
            "session_key": session_key,
            "nickName": profile.get("nickName"),
        }
        return jsonify(token=token, openid=session["openid"], nickName=profile.get("nickName"))

    @app.get("/api/me")
    def me():
        session = current_session()
        if session is None:
            return jsonify(error="not logged in"), 401
        return jsonify(openid=session["openid"], nickName=session["nickName"])

    @app.post("/api/phone")
    def phone():
        if current_session() is None:
            return jsonify(error="not logged in"), 401
        code = (request.get_json(silent=True) or {}).get("code")
        if not code:
            return jsonify(error="code missing"), 400
        try:
            info = client.phone_number(code)
        except WeChatClientException as e:
            return wechat_error(e)
        return jsonify(phoneNumber=info["phoneNumber"])

    return app


def _env(*names: str, default: str = "") -> str:
    for name in names:
        if os.environ.get(name):
            return os.environ[name]
    if default:
        return default
    raise RuntimeError("set " + " or ".join(names))


def app_from_env() -> Flask:
    return create_app(
        _env("WX_APPID", "WXLOGIN_APPID"),
        _env("WX_SECRET", "WXLOGIN_SECRET"),
        _env("WX_BASE_URL", "WXLOGIN_MOCK_URL", default=WECHAT),
    )


if __name__ == "__main__":
    app_from_env().run(port=int(os.environ.get("PORT", "8000")))
