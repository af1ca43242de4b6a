import json
from datetime import timedelta

from odoo import fields, http
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestHttpChannels(HttpCase):
    """Channel, IP address, user agent and session over every way in: web client, JSON-RPC, XML-RPC,
    API keys; reads in read-only requests; refused logins and exports kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.db = get_db_name()
        cls.user = new_test_user(cls.env, login="audit_http", groups="sales_team.group_sale_salesman,"
                                 "base.group_partner_manager,base.group_allow_export")
        cls.no_export = new_test_user(cls.env, login="audit_noexport",
                                      groups="sales_team.group_sale_salesman,base.group_partner_manager")
        cls.partner = cls.env["res.partner"].create({"name": "Khách hàng HTTP", "user_id": cls.user.id})
        cls.partner_no_export = cls.env["res.partner"].create({"name": "Không xuất", "user_id": cls.no_export.id})
        cls.Log = cls.env["crm.audit.log"].sudo()

    def setUp(self):
        self.env.cr.flush()  # see AuditCase.setUp
        super().setUp()

    def _last(self, operation, **domain):
        self.env.cr.flush()
        terms = [("operation", "=", operation)] + [(key, "=", value) for key, value in domain.items()]
        return self.Log.search(terms, limit=1)

    def _write_event(self):
        return self._last("write", model="res.partner", res_id=self.partner.id)

    def test_jsonrpc_write(self):
        self.make_jsonrpc_request("/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
            self.db, self.user.id, "audit_http", "res.partner", "write", [[self.partner.id], {"name": "Qua JSON-RPC"}]]})
        event = self._write_event()
        self.assertEqual((event.channel, event.ip_address, event.user_id), ("jsonrpc", "127.0.0.1", self.user))
        self.assertTrue(event.user_agent)
        self.assertEqual(event.line_ids.new_value, "Qua JSON-RPC")

    def test_xmlrpc_write(self):
        self.xmlrpc_object.execute_kw(self.db, self.user.id, "audit_http", "res.partner", "write",
                                      [[self.partner.id], {"name": "Qua XML-RPC"}])
        event = self._write_event()
        self.assertEqual((event.channel, event.ip_address), ("xmlrpc", "127.0.0.1"))

    def test_api_key_channel(self):
        key = self.env["res.users.apikeys"].with_user(self.user)._generate(
            None, "n8n", fields.Datetime.now() + timedelta(hours=12))
        self.xmlrpc_object.execute_kw(self.db, self.user.id, key, "res.partner", "write",
                                      [[self.partner.id], {"name": "Qua API key (XML-RPC)"}])
        self.assertEqual(self._write_event().channel, "api_key")
        self.make_jsonrpc_request("/jsonrpc", {"service": "object", "method": "execute_kw", "args": [
            self.db, self.user.id, key, "res.partner", "write", [[self.partner.id], {"name": "Qua API key (JSON)"}]]})
        self.assertEqual(self._write_event().channel, "api_key")
        self.assertEqual(self.xmlrpc_common.authenticate(self.db, "audit_http", key, {}), self.user.id)
        login = self._last("login", user_id=self.user.id)
        self.assertEqual((login.channel, login.ip_address), ("api_key", "127.0.0.1"))
        self.xmlrpc_object.execute_kw(self.db, self.user.id, "audit_http", "res.partner", "write",
                                      [[self.partner.id], {"name": "Password again"}])
        self.assertEqual(self._write_event().channel, "xmlrpc", "the channel is per request")

    def test_web_client_write_has_session(self):
        self.authenticate("audit_http", "audit_http")
        self.make_jsonrpc_request("/web/dataset/call_kw/res.partner/web_save", {
            "model": "res.partner", "method": "web_save", "args": [[self.partner.id], {"name": "Qua web"}],
            "kwargs": {"specification": {"name": {}}}})
        event = self._write_event()
        self.assertEqual((event.channel, event.user_id, event.ip_address), ("web", self.user, "127.0.0.1"))
        self.assertTrue(event.session_ref)
        self.assertNotIn(self.session.sid, event.session_ref)
        self.assertFalse(self._last("read", model="res.partner", res_id=self.partner.id),
                         "the values sent back after saving are not a view")

    def test_readonly_request_reads_are_recorded_without_retry(self):
        self.authenticate("audit_http", "audit_http")
        with self.assertNoLogs("odoo.http", level="WARNING"):
            result = self.make_jsonrpc_request("/web/dataset/call_kw/res.partner/web_search_read", {
                "model": "res.partner", "method": "web_search_read",
                "args": [[("id", "=", self.partner.id)], {"name": {}}], "kwargs": {}})
            self.make_jsonrpc_request("/web/dataset/call_kw/res.partner/web_read", {
                "model": "res.partner", "method": "web_read", "args": [[self.partner.id], {"name": {}}], "kwargs": {}})
        self.assertEqual(result["length"], 1)
        opened = self._last("read", model="res.partner", res_id=self.partner.id)
        self.assertEqual((opened.user_id, opened.channel), (self.user, "web"))
        listed = self._last("read", model="res.partner", res_id=False, user_id=self.user.id)
        self.assertEqual((listed.record_count, listed.details["list"]), (1, True))

    @mute_logger("odoo.addons.base.models.res_users")
    def test_failed_logins_are_kept(self):
        self.assertFalse(self.xmlrpc_common.authenticate(self.db, "audit_http", "wrong password", {}))
        failed = self._last("login_failed", user_id=self.user.id)
        self.assertEqual((failed.channel, failed.denied, failed.details["login"]), ("xmlrpc", True, "audit_http"))
        self.assertNotIn("wrong password", str(failed.read()))
        self.assertFalse(self.xmlrpc_common.authenticate(self.db, "nobody@nowhere.vn", "x", {}))
        self.assertEqual(self._last("login_failed").details["login"], "nobody@nowhere.vn")

    @mute_logger("odoo.addons.web.controllers.export", "odoo.http")
    def test_refused_export_is_kept(self):
        self.authenticate("audit_noexport", "audit_noexport")
        response = self.url_open("/web/export/csv", data={
            "data": json.dumps({
                "model": "res.partner", "ids": [self.partner_no_export.id], "domain": [], "import_compat": False,
                "fields": [{"name": "name", "label": "Name"}, {"name": "email", "label": "Email"}]}),
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(response.status_code, 500)
        refused = self._last("export", user_id=self.no_export.id)
        # (an addon refusing first, as crm_security does, adds its reason)
        self.assertEqual((refused.denied, refused.details["fields"], refused.details["format"], refused.res_id),
                         (True, ["name", "email"], "csv", self.partner_no_export.id))

    def test_web_export_logs_format_fields_and_rows(self):
        self.authenticate("admin", "admin")
        response = self.url_open("/web/export/csv", data={
            "data": json.dumps({
                "model": "res.partner", "ids": [self.partner.id], "domain": [], "import_compat": False,
                "fields": [{"name": "name", "label": "Name"}]}),
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(response.status_code, 200)
        export = self._last("export", user_id=self.env.ref("base.user_admin").id)
        self.assertEqual((export.denied, export.details, export.record_count, export.channel),
                         (False, {"fields": ["name"], "format": "csv"}, 1, "web"))
