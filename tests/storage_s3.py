"""A real S3 endpoint on 127.0.0.1 for the tests: moto's server mode (a pip package, always there: nothing
here skips), in a thread for the whole session, on a port the OS picks.

`s3_media` switches Django's default storage to the bucket exactly as SHAHO_STORAGE=s3 does (the options come
from shaho.settings.s3_storage_options, read from the same environment variables) on a new, empty bucket per
test; `s3_backups` does the same for STORAGES["backups"] (SHAHO_BACKUP_S3_BUCKET). Use them in a module with
`from tests.storage_s3 import s3_backups, s3_media, s3_server  # noqa: F401`.

moto answers S3's API over HTTP with S3's own rules for a private object (an unsigned GET is refused) but does
not refuse a signed URL past its expiry as S3 does. `S3Server` puts that one rule in front of it: a request
signed in the query string (X-Amz-Date + X-Amz-Expires, SigV4) whose time is past is answered 403 AccessDenied
"Request has expired", S3's answer, so a test can watch a signed URL expire.
"""

import datetime
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs

import pytest

ACCESS_KEY, SECRET_KEY, REGION = "shaho-test-key", "shaho-test-secret", "us-east-1"
EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


def _expiring(app):
    """WSGI middleware: S3's rule that a query-signed request past X-Amz-Date + X-Amz-Expires is refused."""

    def guarded(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=datetime.UTC
            )
            expires = signed_at + datetime.timedelta(seconds=int(query["X-Amz-Expires"][0]))
            if datetime.datetime.now(datetime.UTC) > expires:
                start_response("403 Forbidden", [("Content-Type", "application/xml")])
                return [EXPIRED]
        return app(environ, start_response)

    return guarded


def _server_class():
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    class S3Server(ThreadedMotoServer):
        """moto's ThreadedMotoServer with S3's expiry rule for signed URLs in front (see the module's note)."""

        def _server_entry(self):
            from moto.moto_server.werkzeug_app import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
            )
            from werkzeug.serving import make_server

            app = _expiring(DomainDispatcherApplication(create_backend_app))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return S3Server


@dataclass
class S3Endpoint:
    url: str

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self, prefix="shaho"):
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_server():
    server = _server_class()(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Endpoint(url=f"http://{host}:{port}")
    finally:
        server.stop()


@dataclass
class Bucket:
    endpoint: S3Endpoint
    name: str

    @property
    def client(self):
        return self.endpoint.client()

    def keys(self):
        listed = self.client.list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def _s3_environment(monkeypatch, endpoint):
    monkeypatch.setenv("SHAHO_S3_ENDPOINT_URL", endpoint.url)
    monkeypatch.setenv("SHAHO_S3_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)


def _s3_storage(bucket):
    from shaho.settings import s3_storage_options

    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_storage_options(bucket=bucket)}


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch, tmp_path):
    """The default storage on a new bucket, as SHAHO_STORAGE=s3 sets it; MEDIA_ROOT an empty directory that
    must stay empty (nothing may fall back to the local disk)."""
    _s3_environment(monkeypatch, s3_server)
    bucket = Bucket(endpoint=s3_server, name=s3_server.new_bucket())
    settings.MEDIA_ROOT = tmp_path / "local-media"
    settings.STORAGES = {**settings.STORAGES, "default": _s3_storage(bucket.name)}
    return bucket


@pytest.fixture
def s3_backups(s3_server, settings, monkeypatch):
    """STORAGES["backups"] on a bucket of its own and SHAHO_BACKUP_STORAGE=backups, as SHAHO_BACKUP_S3_BUCKET."""
    _s3_environment(monkeypatch, s3_server)
    bucket = Bucket(endpoint=s3_server, name=s3_server.new_bucket("shaho-backups"))
    settings.STORAGES = {**settings.STORAGES, "backups": _s3_storage(bucket.name)}
    settings.SHAHO_BACKUP_STORAGE = "backups"
    return bucket
