"""Self-refreshing YouTube credentials against the simulator's token endpoint over real HTTP: the
refresh-token and service-account grants, refresh ahead of expiry and after a 401, refused grants and a
token endpoint in trouble."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from catalog_ui.services.youtube.content_id import ContentIdClient
from catalog_ui.services.youtube.credentials import (
    REFRESH_TOKEN_SETTINGS,
    SERVICE_ACCOUNT_SETTINGS,
    RefreshingCredentials,
    credentials_from_settings,
)
from catalog_ui.services.youtube.data_api import DataApiClient
from catalog_ui.services.youtube.errors import AuthError, TransientApiError
from catalog_ui.settings import Settings
from tests.simulators.youtube import YouTubeSimulator

OWNER = "owner-1"
CLIENT_ID = "client-1.apps.googleusercontent.com"
CLIENT_SECRET = "client-secret-1"
REFRESH_TOKEN = "1//refresh-token-1"
SERVICE_ACCOUNT = "catalog@project.iam.gserviceaccount.com"
VIDEO = "vid00000001"


@pytest.fixture
def sim() -> Iterator[YouTubeSimulator]:
    """A simulator that checks bearer tokens and knows one OAuth client and one video."""
    with YouTubeSimulator() as simulator:
        simulator.add_oauth_client(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN)
        simulator.add_video(VIDEO, title="Song", channel_id="UCchannel", channel_title="Channel")
        simulator.set_strict_tokens()
        yield simulator


def refresh_token_credentials(sim: YouTubeSimulator, **overrides: object) -> RefreshingCredentials:
    """Credentials built from settings naming the simulator's token endpoint."""
    values = {
        "youtube_oauth_client_id": CLIENT_ID,
        "youtube_oauth_client_secret": CLIENT_SECRET,
        "youtube_oauth_refresh_token": REFRESH_TOKEN,
        "youtube_oauth_token_url": sim.token_url,
        "youtube_timeout_s": 5,
        **overrides,
    }
    credentials = credentials_from_settings(Settings(_env_file=None, **values))
    assert isinstance(credentials, RefreshingCredentials)
    return credentials


def data_api(sim: YouTubeSimulator, credentials: RefreshingCredentials) -> DataApiClient:
    return DataApiClient(sim.data_api_url, timeout=5, credentials=credentials)


def test_refresh_token_flow_gets_a_token_and_reuses_it(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim)
    with data_api(sim, credentials) as client:
        assert list(client.list_videos([VIDEO])) == [VIDEO]
        assert list(client.list_videos([VIDEO])) == [VIDEO]

    assert sim.token_requests == 1 and credentials.refreshes == 1
    token_call, *api_calls = sim.calls
    assert token_call.path == "/token" and token_call.params == {"grant_type": "refresh_token"}
    (authorization,) = {call.authorization for call in api_calls}
    assert authorization == f"Bearer {credentials.token()}" and authorization.startswith("Bearer ya29.sim-")
    assert len(api_calls) == 2  # no 401, no retry


def test_a_token_is_refreshed_before_it_expires(sim: YouTubeSimulator) -> None:
    sim.set_token_lifetime(2)  # refreshed a quarter of its lifetime early: after 1.5 s
    credentials = refresh_token_credentials(sim)
    with data_api(sim, credentials) as client:
        client.list_videos([VIDEO])
        first = credentials.token()
        time.sleep(1.6)
        client.list_videos([VIDEO])

    assert credentials.token() != first
    assert sim.token_requests == 2
    assert len(sim.calls_to("/videos")) == 2  # the old token was never sent once expired


def test_a_401_refreshes_the_token_and_retries_once(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim)
    with data_api(sim, credentials) as client:
        client.list_videos([VIDEO])
        old = credentials.token()
        sim.expire_tokens()  # Google dropped the token early; the client still thinks it is valid

        assert list(client.list_videos([VIDEO])) == [VIDEO]
        assert client.calls == 3

    rejected, retried = sim.calls_to("/videos")[1:]
    assert rejected.authorization == f"Bearer {old}"
    assert retried.authorization == f"Bearer {credentials.token()}" != rejected.authorization
    assert sim.token_requests == 2


def test_a_401_that_persists_after_a_refresh_is_an_auth_error(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim)
    sim.fail_next(2, status=401)
    with data_api(sim, credentials) as client, pytest.raises(AuthError) as raised:
        client.list_videos([VIDEO])

    assert (raised.value.status, raised.value.reason) == (401, "authError")
    assert raised.value.message.startswith("YouTube refused our credentials: API 401 authError on GET videos")
    assert REFRESH_TOKEN_SETTINGS in raised.value.message
    assert len(sim.calls_to("/videos")) == 2 and sim.token_requests == 2


def test_a_static_token_youtube_rejects_is_an_auth_error_without_a_retry(sim: YouTubeSimulator) -> None:
    with (
        ContentIdClient(sim.content_id_url, OWNER, access_token="ya29.expired", timeout=5) as client,
        pytest.raises(AuthError) as raised,
    ):
        client.search_claims(VIDEO)

    assert "fix the YOUTUBE_ACCESS_TOKEN settings" in raised.value.message
    assert len(sim.calls_to("/claimSearch")) == 1 and sim.token_requests == 0


@pytest.mark.parametrize(
    ("overrides", "revoke", "reason", "status"),
    [
        ({}, True, "invalid_grant", 400),
        ({"youtube_oauth_client_secret": "wrong"}, False, "invalid_client", 401),
    ],
)
def test_a_refused_grant_is_an_auth_error_naming_the_settings(
    sim: YouTubeSimulator, overrides: dict[str, object], revoke: bool, reason: str, status: int
) -> None:
    if revoke:
        sim.revoke_refresh_token(REFRESH_TOKEN)
    credentials = refresh_token_credentials(sim, **overrides)
    with data_api(sim, credentials) as client, pytest.raises(AuthError) as raised:
        client.list_videos([VIDEO])

    assert (raised.value.status, raised.value.reason) == (status, reason)
    assert raised.value.message.startswith(f"YouTube refused our credentials: {reason}: ")
    assert raised.value.message.endswith(f"fix the {REFRESH_TOKEN_SETTINGS} settings")
    assert sim.calls_to("/videos") == [] and sim.token_requests == 1  # a refusal is not retried


def test_revoking_the_grant_mid_run_ends_in_an_auth_error(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim)
    with data_api(sim, credentials) as client:
        client.list_videos([VIDEO])
        sim.revoke_refresh_token(REFRESH_TOKEN)  # its access tokens stop working too
        with pytest.raises(AuthError) as raised:
            client.list_videos([VIDEO])
    assert raised.value.reason == "invalid_grant"
    assert len(sim.calls_to("/videos")) == 2  # the 401, then no retry: the refresh was refused


def test_a_token_endpoint_5xx_is_transient(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim)
    sim.fail_token_next(3, status=503)  # google-auth tries 3 times with a short backoff
    with data_api(sim, credentials) as client:
        with pytest.raises(TransientApiError) as raised:
            client.list_videos([VIDEO])
        assert raised.value.status == 503
        assert sim.calls_to("/videos") == []

        assert list(client.list_videos([VIDEO])) == [VIDEO]  # the endpoint is back
    assert sim.token_requests == 4


def test_a_token_endpoint_that_times_out_is_transient(sim: YouTubeSimulator) -> None:
    credentials = refresh_token_credentials(sim, youtube_timeout_s=0.3)
    sim.set_latency(2.0)
    started = time.monotonic()
    with data_api(sim, credentials) as client, pytest.raises(TransientApiError) as raised:
        client.list_videos([VIDEO])
    assert time.monotonic() - started < 1.5
    assert raised.value.reason == "tokenEndpointUnavailable" and "timed out" in raised.value.message


# -- service account ------------------------------------------------------------------------------------


def write_key_file(path: Path, sim: YouTubeSimulator, key: rsa.RSAPrivateKey) -> Path:
    """A service-account JSON key file, as the Cloud console downloads it, whose token_uri is the simulator."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "project",
        "private_key_id": "key-1",
        "private_key": pem,
        "client_email": SERVICE_ACCOUNT,
        "client_id": "1234567890",
        "token_uri": sim.token_url,
    }
    path.write_text(json.dumps(info))
    return path


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_credentials(key_file: Path, delegated_user: str | None = None) -> RefreshingCredentials:
    settings = Settings(
        _env_file=None,
        youtube_service_account_file=key_file,
        youtube_delegated_user=delegated_user,
        youtube_timeout_s=5,
    )
    credentials = credentials_from_settings(settings)
    assert isinstance(credentials, RefreshingCredentials)
    assert credentials.settings == SERVICE_ACCOUNT_SETTINGS
    return credentials


def test_service_account_flow_signs_a_jwt_and_calls_both_apis(
    sim: YouTubeSimulator, tmp_path: Path, rsa_key: rsa.RSAPrivateKey
) -> None:
    sim.add_service_account(SERVICE_ACCOUNT, public_pem(rsa_key), delegated_users={"cms@label.example"})
    sim.add_claim(VIDEO, "A1", "active", "Monetize in all countries")
    key_file = write_key_file(tmp_path / "key.json", sim, rsa_key)
    credentials = service_account_credentials(key_file, "cms@label.example")
    with (
        data_api(sim, credentials) as videos,
        ContentIdClient(sim.content_id_url, OWNER, timeout=5, credentials=credentials) as content_id,
    ):
        assert list(videos.list_videos([VIDEO])) == [VIDEO]
        assert [claim["assetId"] for claim in content_id.search_claims(VIDEO)] == ["A1"]

    token_call = sim.calls_to("/token")[0]
    assert token_call.params == {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}
    assert sim.token_requests == 1  # one token for both clients


@pytest.mark.parametrize(
    ("registered", "delegated_user", "reason", "status"),
    [
        ("other", None, "invalid_grant", 400),  # signed by a key Google does not know
        ("same", "someone@else.example", "unauthorized_client", 401),  # delegation not granted
    ],
)
def test_a_service_account_google_refuses_is_an_auth_error(
    sim: YouTubeSimulator,
    tmp_path: Path,
    rsa_key: rsa.RSAPrivateKey,
    registered: str,
    delegated_user: str | None,
    reason: str,
    status: int,
) -> None:
    known = (
        rsa_key if registered == "same" else rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    sim.add_service_account(SERVICE_ACCOUNT, public_pem(known))
    credentials = service_account_credentials(
        write_key_file(tmp_path / "key.json", sim, rsa_key), delegated_user
    )
    with data_api(sim, credentials) as client, pytest.raises(AuthError) as raised:
        client.list_videos([VIDEO])
    assert (raised.value.status, raised.value.reason) == (status, reason)
    assert "fix the YOUTUBE_SERVICE_ACCOUNT_FILE / YOUTUBE_DELEGATED_USER settings" in raised.value.message
