"""A stand-in for GOV.UK Notify's API on 127.0.0.1: checks the JWT as Notify does, answers with Notify's
bodies (201, and 400/403/429/500 errors), and lists notifications by reference."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"portal_test-{SERVICE_ID}-{SECRET}"
WRONG_KEY = f"portal_test-{SERVICE_ID}-{uuid.UUID(int=1)}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"

_ERRORS = {400: "BadRequestError", 403: "AuthError", 429: "RateLimitError", 500: "Exception"}


class FakeNotify:
    """Start with `FakeNotify()`, point a client at `.url`, read `.received`; `.fail_next` scripts errors."""

    def __init__(self, delay: float = 0.0) -> None:
        self.received: list[dict] = []
        self.fail_next: deque[int] = deque()
        self.bad_numbers: set[str] = set()
        self.delay = delay
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def references(self) -> list[str]:
        with self.lock:
            return [item["reference"] for item in self.received]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):  # type: ignore[no-untyped-def]
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(fake.delay)
                with fake.lock:
                    status = fake.fail_next.popleft() if fake.fail_next else None
                    if status is None and body["phone_number"] in fake.bad_numbers:
                        status = 400
                    if status is None:
                        notification = {"id": str(uuid.uuid4()), "reference": body.get("reference"),
                                        "phone_number": body["phone_number"], "template_id": body["template_id"],
                                        "body": body.get("personalisation", {}).get("body", ""), "type": "sms",
                                        "status": "created"}
                        fake.received.append(notification)
                if status is not None:
                    self._error(status, "phone_number Not a UK mobile number" if status == 400 else "")
                    return
                self._json(201, {"id": notification["id"], "reference": notification["reference"],
                                 "content": {"body": notification["body"], "from_number": "NHS"},
                                 "uri": f"{fake.url}/v2/notifications/{notification['id']}",
                                 "template": {"id": body["template_id"], "version": 1, "uri": ""}})

            def do_GET(self) -> None:  # noqa: N802
                if not self._authorised():
                    return
                query = parse_qs(urlparse(self.path).query)
                reference = query.get("reference", [None])[0]
                with fake.lock:
                    found = [n for n in fake.received if reference is None or n["reference"] == reference]
                self._json(200, {"notifications": found, "links": {"current": self.path}})

            def _authorised(self) -> bool:
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_iat": False})
                    assert claims["iss"] == SERVICE_ID
                except Exception:  # noqa: BLE001 - any bad token is Notify's 403
                    self._error(403, "Invalid token: API key not found")
                    return False
                return True

            def _error(self, status: int, message: str) -> None:
                self._json(status, {"status_code": status, "errors": [{"error": _ERRORS.get(status, "Exception"),
                                                                       "message": message or "Internal error"}]})

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
