"""End-to-end fixtures: a real Odoo server started by the test command, driven over JSON-RPC.

`make test` starts Odoo on the throw-away database and sets CRM_E2E_URL / CRM_E2E_DB.
"""
from __future__ import annotations

import itertools
import os
import socket
import uuid

import pytest
import requests
from requests.adapters import HTTPAdapter

# A salesperson of standard Odoo ("own documents only") who may create contacts and export.
SALESMAN = ["sales_team.group_sale_salesman", "base.group_partner_manager", "base.group_allow_export",
            "crm_security.group_export_customer"]


class RpcError(Exception):
    def __init__(self, error: dict):
        self.error = error
        data = error.get("data") or {}
        self.name = data.get("name", "")
        self.message = data.get("message") or error.get("message", "")
        super().__init__(f"{self.name}: {self.message}")


class SourceAddressAdapter(HTTPAdapter):
    """Open connections from a given local address (e.g. 127.0.0.2) to test IP rules."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


class OdooClient:
    """An external client: /jsonrpc (like odoorpc, n8n, Zapier) and the web client's session routes."""

    _ids = itertools.count(1)

    def __init__(self, url: str, db: str, source: str | None = None):
        self.url, self.db = url.rstrip("/"), db
        self.http = requests.Session()
        if source:
            self.http.mount("http://", SourceAddressAdapter(source))
        self.uid = None
        self.password = None
        self.last_response_text = ""

    def _post(self, path: str, params: dict, headers: dict | None = None):
        payload = {"jsonrpc": "2.0", "method": "call", "id": next(self._ids), "params": params}
        resp = self.http.post(self.url + path, json=payload, headers=headers or {}, timeout=120)
        self.last_response_text = resp.text
        resp.raise_for_status()
        body = resp.json()
        if "error" in body:
            raise RpcError(body["error"])
        return body["result"]

    # external API (/jsonrpc) ------------------------------------------------------
    def service(self, service: str, method: str, *args):
        return self._post("/jsonrpc", {"service": service, "method": method, "args": list(args)})

    def authenticate(self, login: str, password: str) -> int | bool:
        self.uid = self.service("common", "authenticate", self.db, login, password, {})
        self.password = password
        return self.uid

    def execute(self, model: str, method: str, *args, **kwargs):
        return self.service("object", "execute_kw", self.db, self.uid, self.password, model, method,
                            list(args), kwargs)

    # web client session (/web/session/authenticate + /web/dataset/call_kw) --------
    def web_login(self, login: str, password: str) -> int | None:
        result = self._post("/web/session/authenticate", {"db": self.db, "login": login, "password": password})
        self.uid = result.get("uid")
        return self.uid

    def call_kw(self, model: str, method: str, *args, **kwargs):
        return self._post(f"/web/dataset/call_kw/{model}/{method}",
                          {"model": model, "method": method, "args": list(args), "kwargs": kwargs})


def _require(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: the end-to-end tests run inside `make test`, "
                    "which starts a real Odoo server for them.", pytrace=False)
    return value


@pytest.fixture(scope="session")
def odoo_url() -> str:
    return _require("CRM_E2E_URL")


@pytest.fixture(scope="session")
def odoo_db() -> str:
    return _require("CRM_E2E_DB")


@pytest.fixture(scope="session")
def client_factory(odoo_url, odoo_db):
    def make(source: str | None = None) -> OdooClient:
        return OdooClient(odoo_url, odoo_db, source=source)
    return make


@pytest.fixture(scope="session")
def admin(client_factory) -> OdooClient:
    client = client_factory()
    uid = client.authenticate("admin", os.environ.get("CRM_E2E_ADMIN_PASSWORD", "admin"))
    assert uid, "admin cannot log in over JSON-RPC"
    return client


@pytest.fixture(scope="session")
def make_user(admin, client_factory):
    """Create an internal user with the given groups (xmlids); return (client logged in over /jsonrpc, uid)."""
    def make(name: str, groups: list[str], login: str | None = None) -> tuple[OdooClient, int]:
        login = login or f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:6]}@example.com"
        group_ids = []
        for xmlid in groups:
            module, ref = xmlid.split(".")
            rec = admin.execute("ir.model.data", "search_read", [("module", "=", module), ("name", "=", ref)],
                                fields=["res_id"])
            assert rec, f"group {xmlid} not found"
            group_ids.append(rec[0]["res_id"])
        uid = admin.execute("res.users", "create", {"name": name, "login": login, "password": login,
                                                    "groups_id": [(6, 0, group_ids)]})
        client = client_factory()
        assert client.authenticate(login, login) == uid
        return client, uid
    return make


def loopback_alias_available(address: str) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((address, 0))
        except OSError:
            return False
    return True
