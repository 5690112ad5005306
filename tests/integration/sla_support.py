"""Local stand-ins for the outside world of SLA escalations: a Slack incoming-webhook server,
an SMTP server, and edits to the CSV CRM (what a rep does in the CRM between two checks)."""

from __future__ import annotations

import csv
import json
import os
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# --- Slack ------------------------------------------------------------------------------------


@dataclass
class SlackServer:
    url: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer this many posts with 500 first


@contextmanager
def slack_server() -> Iterator[SlackServer]:
    box: list[SlackServer] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server = box[0]
            if server.fail_next > 0:
                server.fail_next -= 1
                self.send_response(500)
                self.end_headers()
                return
            server.posts.append(json.loads(body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(SlackServer(f"http://127.0.0.1:{httpd.server_address[1]}/services/T0/B0/secret"))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- SMTP -------------------------------------------------------------------------------------


@dataclass
class SmtpServer:
    port: int
    messages: list[Message] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    sink: SmtpServer

    def handle(self) -> None:
        self._reply("220 localhost test SMTP")
        rcpt: list[str] = []
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb == "EHLO":
                self._reply("250-localhost\r\n250 8BITMIME")
            elif verb in ("HELO", "NOOP", "RSET", "MAIL"):
                self._reply("250 OK")
            elif verb == "RCPT":
                rcpt.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                self.sink.messages.append(message_from_bytes(self._data()))
                self.sink.recipients.append(rcpt)
                rcpt = []
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 not implemented")

    def _data(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    sink = SmtpServer(server.server_address[1])
    server.RequestHandlerClass = type("Handler", (_SmtpHandler,), {"sink": sink})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield sink
    finally:
        server.shutdown()
        server.server_close()


# --- the CSV CRM ------------------------------------------------------------------------------


def edit_rows(path: Path, record_id: str, **cells: str) -> None:
    """Change cells of one row, as a rep would in the CRM (a new file: a new inode)."""
    update_rows(path, lambda row: row.update(cells) if row["Id"] == record_id else None)


def update_rows(path: Path, change: Callable[[dict[str, str]], object]) -> None:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        change(row)
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def cell(path: Path, record_id: str, column: str) -> str:
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Id"] == record_id:
                return row[column]
    raise KeyError(record_id)
