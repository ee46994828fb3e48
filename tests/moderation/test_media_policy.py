"""Review images come from the mall's media host: the CSP admits it (MEDIA_ORIGINS), no other."""

from __future__ import annotations

import pytest

from mallconsole.config import Config, ProductionConfig
from mallconsole.core.errors import ConfigError
from mallconsole.core.roles import Role


def test_the_content_policy_admits_images_from_the_media_host_only(client, login_as):
    login_as(Role.CONTENT_MODERATOR)
    policy = client.get("/moderation/reviews").headers["Content-Security-Policy"]
    (img,) = [part.strip() for part in policy.split(";") if part.strip().startswith("img-src")]
    assert img == "img-src 'self' data: https://cdn.demo.mall"
    assert "script-src 'self'" in policy


def test_media_origins_are_read_and_checked():
    assert Config.media_origins(None) == ["https://cdn.demo.mall"]
    assert ProductionConfig.media_origins(None) == []
    assert Config.media_origins("https://img.mall.example/, https://cdn.mall.example:8443") == [
        "https://img.mall.example",
        "https://cdn.mall.example:8443",
    ]
    for bad in (
        "http://img.mall.example",
        "https://*.mall.example",
        "https://a.test; script-src *",
    ):
        with pytest.raises(ConfigError):
            Config.media_origins(bad)
