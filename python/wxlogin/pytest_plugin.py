"""pytest fixtures `wechat_mock` and `wechat_mock_session`: a `wxlogin mock-server` per test or
per session, registered through the `pytest11` entry point so tests need no import.

    @pytest.mark.wechat_mock(apps=[("wx1234567890abcdef", "secret")], code_ttl=300)
    def test_login(wechat_mock):
        code = wechat_mock.login()["code"]
        ...  # your backend, configured with wechat_mock.url and wechat_mock.app, exchanges it
"""

from __future__ import annotations

from typing import Any, Dict, Iterator

import pytest

from wxlogin import WeChatMock, start_mock

_MARKER = "wechat_mock"
_OPTIONS = ("apps", "code_ttl", "intercept", "seed")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "wechat_mock(apps=[(appid, secret)], code_ttl=300, intercept=False, seed=None): "
        "options of the wechat_mock fixture's mock server",
    )


def _options(request: pytest.FixtureRequest) -> Dict[str, Any]:
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        return {}
    if marker.args:
        raise pytest.UsageError("@pytest.mark.wechat_mock takes keyword arguments only")
    unknown = sorted(set(marker.kwargs) - set(_OPTIONS))
    if unknown:
        raise pytest.UsageError(
            "@pytest.mark.wechat_mock: unknown option %s (known: %s)"
            % (", ".join(unknown), ", ".join(_OPTIONS))
        )
    return dict(marker.kwargs)


@pytest.fixture
def wechat_mock(request: pytest.FixtureRequest) -> Iterator[WeChatMock]:
    """A fresh mock of WeChat for one test; options from `@pytest.mark.wechat_mock(...)`."""
    mock = start_mock(**_options(request))
    try:
        yield mock
    finally:
        mock.stop()


@pytest.fixture(scope="session")
def wechat_mock_session() -> Iterator[WeChatMock]:
    """One mock of WeChat shared by the whole session (default options; `reset()` between
    tests if they must not see each other's users and journal)."""
    mock = start_mock()
    try:
        yield mock
    finally:
        mock.stop()
