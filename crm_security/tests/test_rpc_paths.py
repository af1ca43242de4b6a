import json
import re
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import SECRET_EMAIL, CrmSecurityCase

SECRETS = ("Zanzibar", "zanzibar", SECRET_EMAIL, "912 345 678")


@tagged("post_install", "-at_install")
class TestRpcPaths(HttpCase, CrmSecurityCase):
    """The outsider attacks through the web client's RPC, exports, XML-RPC and API keys."""

    def assertClean(self, text):
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def call_kw(self, model, method, args, kwargs=None):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1,
                   "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}}
        response = self.url_open(f"/web/dataset/call_kw/{model}/{method}", data=json.dumps(payload),
                                 headers={"Content-Type": "application/json"})
        return response.text

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule")
    def test_web_client_rpc(self):
        self.authenticate("outsider", "outsider")
        sid = self.secret.id
        lead_id = self.lead.id
        calls = [
            ("res.partner", "web_search_read", [[["email", "ilike", "secret-mail"]]],
             {"specification": {"display_name": {}, "email": {}}}),
            ("res.partner", "web_search_read", [[]], {"specification": {"display_name": {}, "email": {}}}),
            ("res.partner", "search_read", [[["name", "ilike", "Zanzibar"]]], {"fields": ["name"]}),
            ("res.partner", "search_count", [[["email", "=", SECRET_EMAIL]]]),
            ("res.partner", "name_search", [], {"name": SECRET_EMAIL}),
            ("res.partner", "web_read", [[sid]], {"specification": {"name": {}, "email": {}}}),
            ("res.partner", "read", [[sid], ["name", "email", "phone"]]),
            ("res.partner", "web_read_group", [[]], {"fields": ["email"], "groupby": ["email"]}),
            ("res.partner", "export_data", [[sid], ["name", "email"]]),
            ("crm.lead", "web_search_read", [[]], {"specification": {"name": {}, "partner_id": {}}}),
            ("crm.lead", "web_read", [[lead_id]], {"specification": {"name": {}}}),
            ("crm.lead", "web_read_group", [[["type", "=", "opportunity"]]],
             {"fields": ["expected_revenue"], "groupby": ["stage_id"]}),
            ("mail.followers", "search_read", [[["res_model", "=", "res.partner"]]], {"fields": ["email", "name"]}),
            ("mail.message", "search_read", [[["model", "=", "crm.lead"], ["res_id", "=", lead_id]]], {}),
        ]
        for model, method, args, *kwargs in calls:
            with self.subTest(model=model, method=method):
                self.assertClean(self.call_kw(model, method, args, kwargs[0] if kwargs else None))

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.web.controllers.export")
    def test_chatter_and_export_routes(self):
        self.authenticate("outsider", "outsider")
        data = self.make_jsonrpc_request("/mail/thread/data", {
            "thread_model": "res.partner", "thread_id": self.secret.id,
            "request_list": ["followers", "attachments", "suggestedRecipients"]})
        self.assertClean(json.dumps(data))
        page = self.url_open("/odoo").text
        csrf = re.search(r'csrf_token: "(\w+)"', page).group(1)
        for ids, status in (([self.secret.id], 500), (False, 200)):  # the secret by id (refused), every visible one
            response = self.url_open("/web/export/csv", data={"csrf_token": csrf, "data": json.dumps({
                "model": "res.partner", "fields": [{"name": "name", "label": "Name"}, {"name": "email", "label": "Email"}],
                "ids": ids, "domain": [], "import_compat": False})})
            self.assertEqual(response.status_code, status)
            self.assertClean(response.text)

    @mute_logger("odoo.addons.base.models.ir_rule", "odoo.http")
    def test_xmlrpc_with_password_and_api_key(self):
        key = self.env["res.users.apikeys"].with_user(self.outsider)._generate(
            None, "integration", fields.Datetime.now() + timedelta(days=1))
        for secret in ("outsider", key):
            uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, "outsider", secret, {})
            self.assertEqual(uid, self.outsider.id)
            db = self.env.cr.dbname
            found = self.xmlrpc_object.execute_kw(db, uid, secret, "res.partner", "search_read",
                                                  [[["email", "ilike", "secret-mail"]]], {"fields": ["name", "email"]})
            self.assertClean(repr(found))
            found = self.xmlrpc_object.execute_kw(db, uid, secret, "crm.lead", "search_read", [[]], {"fields": ["name"]})
            self.assertClean(repr(found))
            with self.assertRaises(Fault) as caught:
                self.xmlrpc_object.execute_kw(db, uid, secret, "res.partner", "read", [[self.secret.id], ["name"]])
            self.assertClean(caught.exception.faultString)

    def test_owner_sees_it_over_rpc(self):
        self.authenticate("owner", "owner")
        self.assertIn(SECRET_EMAIL, self.call_kw("res.partner", "search_read",
                                                 [[["email", "=", SECRET_EMAIL]]], {"fields": ["email"]}))
