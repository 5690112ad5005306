"""The fake Salesforce org (tests/integration/salesforce_org.py) over real HTTPS, for processes.

One port on 127.0.0.1 speaks two ways, both TLS with a throwaway certificate made at start:
- as an HTTPS proxy (`CONNECT login.salesforce.com:443`, then TLS inside the tunnel), so that an
  unchanged connector reaches `https://login.salesforce.com` and `https://acme.my.salesforce.com`
  (simple-salesforce builds those URLs itself): the process gets HTTPS_PROXY and trusts the
  stand-in's CA through REQUESTS_CA_BUNDLE;
- directly (`https://127.0.0.1:PORT`), for a session id + instance URL.
Every request is answered by `FakeOrg.handle`, the same handler the in-process tests use.

    with salesforce_standin(org) as sf:
        env = sf.env()            # JWT bearer credentials, proxy and CA for a worker process
        ... sf.org.owner_writes   # what the worker wrote, with its Sforce-Auto-Assign header
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from requests.structures import CaseInsensitiveDict

from tests.integration.salesforce_org import FakeOrg, Request, error_reply

USERNAME = "integration@acme-analytics.example"
CONSUMER_KEY = "3MVG9standinCONSUMERKEY"
PASSWORD, SECURITY_TOKEN = "stand-in-password", "STANDINTOKEN"
HOSTS = ("login.salesforce.com", "test.salesforce.com", "*.salesforce.com", "*.my.salesforce.com")


@dataclass
class SalesforceStandIn:
    org: FakeOrg
    port: int
    ca_file: Path
    private_key_file: Path
    errors: list[str] = field(default_factory=list)  # handler failures: a test expects none
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def direct_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def env(self, flow: str = "jwt") -> dict[str, str]:
        """What a worker process needs: credentials for `flow` ("jwt", "password" or
        "session"), the proxy to reach *.salesforce.com through, and the CA to trust."""
        transport = {
            "HTTPS_PROXY": self.proxy_url,
            "https_proxy": self.proxy_url,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
        }
        if flow == "jwt":
            credentials = {
                "SALESFORCE_USERNAME": USERNAME,
                "SALESFORCE_CONSUMER_KEY": CONSUMER_KEY,
                "SALESFORCE_PRIVATE_KEY_FILE": str(self.private_key_file),
                "SALESFORCE_DOMAIN": "login",
            }
        elif flow == "password":
            credentials = {
                "SALESFORCE_USERNAME": USERNAME,
                "SALESFORCE_PASSWORD": PASSWORD,
                "SALESFORCE_SECURITY_TOKEN": SECURITY_TOKEN,
                "SALESFORCE_DOMAIN": "login",
            }
        else:
            session = next(iter(self.org.sessions))
            credentials = {
                "SALESFORCE_INSTANCE_URL": self.direct_url,
                "SALESFORCE_SESSION_ID": session,
            }
        return {**transport, **credentials}

    def note(self, error: str) -> None:
        with self.lock:
            self.errors.append(error)


@contextmanager
def salesforce_standin(org: FakeOrg | None = None) -> Iterator[SalesforceStandIn]:
    """The org served on a free port of 127.0.0.1, in threads, until the block ends."""
    org = org or FakeOrg()
    with tempfile.TemporaryDirectory(prefix="sf-standin-") as folder:
        files = Path(folder)
        tls = _tls_context(files)
        jwt_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file = files / "jwt.key"
        key_file.write_bytes(_pem_key(jwt_key))
        public = serialization.PublicFormat.SubjectPublicKeyInfo
        org.jwt_public_key = (
            jwt_key.public_key().public_bytes(serialization.Encoding.PEM, public).decode()
        )
        org.passwords = {USERNAME: PASSWORD + SECURITY_TOKEN}
        org.require_session = True
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        standin = SalesforceStandIn(org, server.server_address[1], files / "ca.pem", key_file)
        server.standin = standin  # type: ignore[attr-defined]
        server.tls = tls  # type: ignore[attr-defined]
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield standin
        finally:
            server.shutdown()
            server.server_close()
            thread.join(10)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tunnel_host = ""

    @property
    def standin(self) -> SalesforceStandIn:
        return self.server.standin  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        """Direct TLS when the first byte is a TLS handshake; otherwise HTTP (CONNECT)."""
        try:
            first = self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        if first == b"\x16" and not self._start_tls("127.0.0.1"):
            return
        super().handle()

    def do_CONNECT(self) -> None:
        host = self.path.rpartition(":")[0]
        if not host.endswith(".salesforce.com"):
            self.send_error(403, f"this proxy only serves *.salesforce.com, not {host}")
            return
        self.send_response(200, "Connection Established")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = not self._start_tls(host)

    def _start_tls(self, host: str) -> bool:
        try:
            wrapped = self.server.tls.wrap_socket(self.connection, server_side=True)  # type: ignore[attr-defined]
        except (ssl.SSLError, OSError) as exc:
            self.standin.note(f"TLS handshake with a client failed: {exc}")
            return False
        self.connection = self.request = wrapped
        self.rfile = wrapped.makefile("rb", -1)
        self.wfile = _Writer(wrapped)  # type: ignore[assignment]
        self.tunnel_host = host
        return True

    def finish(self) -> None:
        super().finish()
        if self.tunnel_host:
            self.connection.close()

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def _serve(self) -> None:
        if not self.tunnel_host:
            self.send_error(400, "TLS only: CONNECT through this proxy, or https:// directly")
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        host = self.headers.get("Host") or self.tunnel_host
        headers = CaseInsensitiveDict(dict(self.headers.items()))
        request = Request(self.command, f"https://{host}{self.path}", headers, body)
        try:
            status, reply_headers, text = self.standin.org.handle(request)
        except (requests.ConnectionError, ConnectionError):
            self.close_connection = True  # a scripted dropped connection: no reply at all
            return
        except Exception as exc:  # noqa: BLE001 — the stand-in's own failure, kept for the test
            self.standin.note(f"{self.command} {self.path}: {type(exc).__name__}: {exc}")
            status, reply_headers, text = error_reply(500, "UNKNOWN_EXCEPTION", str(exc))
        payload = text.encode() if isinstance(text, str) else text
        self.send_response(status)
        for name, value in reply_headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Writer:
    """A socket's write side that sends everything it is given (as socketserver's does)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.closed = False

    def write(self, data: bytes) -> int:
        self._sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


# -- a throwaway CA and server certificate ------------------------------------------------------


def _tls_context(folder: Path) -> ssl.SSLContext:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "LeadRelay stand-in CA")])
    now = dt.datetime.now(dt.UTC)
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "login.salesforce.com")])
    names: list[x509.GeneralName] = [x509.DNSName(h) for h in (*HOSTS, "localhost")]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    leaf = (
        _builder(name, ca_name, key.public_key(), now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    (folder / "server.key").write_bytes(_pem_key(key))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    return context


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: Any, now: dt.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _pem_key(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
