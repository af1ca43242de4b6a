import json
import time
from datetime import timedelta
from unittest.mock import patch
from xmlrpc.client import Fault

from odoo import Command, fields, http
from odoo.exceptions import AccessError, ValidationError
from odoo.http import root
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import config, mute_logger

from .common import SECRET_EMAIL, CrmSecurityCase


@tagged("at_install", "-post_install")
class TestOperationRights(CrmSecurityCase):
    def test_delete_right(self):
        mine = self.env["res.partner"].with_user(self.colleague).create({"name": "To delete"})
        mine.unlink()
        self.colleague.groups_id -= self.env.ref("crm_security.group_delete_customer")
        other = self.env["res.partner"].with_user(self.colleague).create({"name": "Kept"})
        with self.assertRaises(AccessError):
            other.unlink()
        self.assertTrue(other.exists())

    def test_bulk_delete_is_all_or_nothing(self):
        self.env.company.crm_security_bulk_delete_limit = 3
        partners = self.env["res.partner"].with_user(self.colleague).create([{"name": f"P{i}"} for i in range(4)])
        with self.assertRaises(AccessError):
            partners.unlink()
        self.assertEqual(len(partners.exists()), 4)
        partners[:3].unlink()
        self.colleague.groups_id += self.env.ref("crm_security.group_bulk_delete")
        more = self.env["res.partner"].with_user(self.colleague).create([{"name": f"Q{i}"} for i in range(4)])
        more.unlink()
        self.assertFalse(more.exists())

    def test_export_rights_limits_and_protected_fields(self):
        partner = self.secret.with_user(self.owner)
        rows = partner.export_data(["name", "email"])["datas"]
        self.assertNotIn(SECRET_EMAIL, repr(rows), "without the sensitive-export right, exported masked")
        self.env.company.crm_security_export_protected = "refuse"
        with self.assertRaises(AccessError):
            partner.export_data(["name", "email"])
        self.assertEqual(partner.export_data(["name"])["datas"], [[self.secret.name]])
        self.owner.groups_id += self.env.ref("crm_security.group_export_sensitive")
        self.assertIn(SECRET_EMAIL, repr(partner.export_data(["name", "email"])["datas"]))
        self.owner.groups_id -= self.env.ref("crm_security.group_export_sensitive") | self.env.ref(
            "crm_security.group_export_customer")
        with self.assertRaises(AccessError):
            partner.export_data(["name"])

    def test_export_row_limit(self):
        self.env.company.crm_security_export_row_limit = 2
        partners = self.env["res.partner"].with_user(self.colleague).create([{"name": f"R{i}"} for i in range(3)])
        with self.assertRaises(AccessError):
            partners.export_data(["name"])
        partners[:2].export_data(["name"])

    def test_import_right(self):
        Partner = self.env["res.partner"].with_user(self.colleague)
        result = Partner.load(["name"], [["Imported"]])
        self.assertTrue(result["ids"])
        self.colleague.groups_id -= self.env.ref("crm_security.group_import_customer")
        with self.assertRaises(AccessError):
            Partner.load(["name"], [["Refused"]])

    def test_standard_rights_kept_for_new_users(self):
        template = self.env.ref("base.default_user")
        self.assertIn(self.env.ref("crm_security.group_delete_customer"), template.groups_id)
        self.assertIn(self.env.ref("crm_security.group_import_customer"), template.groups_id)


@tagged("at_install", "-post_install")
class TestPolicyInput(CrmSecurityCase):
    def test_bad_networks_and_domains(self):
        Rule, Domain = self.env["crm.security.ip.rule"], self.env["crm.security.email.domain"]
        for bad in ("10.0.0.5/24", "300.1.1.1", "10.0.0.0/33", "abc", "2001:db8::1/32"):
            with self.subTest(network=bad), self.assertRaises(ValidationError):
                Rule.create({"network": bad})
        Rule.create({"network": " 203.0.113.0/24 "})
        Rule.create({"network": "2001:db8::/32"})
        for bad in ("@congty.vn", "cong ty.vn", "congty", ""):
            with self.subTest(domain=bad), self.assertRaises(ValidationError):
                Domain.create({"name": bad})
        Domain.create({"name": "CongTy.vn"})
        with mute_logger("odoo.sql_db"), self.assertRaises(Exception), self.env.cr.savepoint():  # noqa: B017
            Domain.create({"name": "congty.vn"})

    def test_enabled_allowlist_needs_an_entry(self):
        company = self.env["res.company"].create({"name": "Empty policy"})
        with self.assertRaises(ValidationError):
            company.crm_security_ip_mode = "enforce"

    def test_company_email_domains(self):
        self.env["crm.security.email.domain"].create({"name": "congty.vn"})
        with self.assertRaises(ValidationError):
            new_test_user(self.env, "someone@gmail.com", groups="base.group_user")
        user = new_test_user(self.env, "someone@congty.vn", groups="base.group_user")
        with self.assertRaises(ValidationError):
            user.login = "someone@other.vn"
        portal = new_test_user(self.env, "client@gmail.com", groups="base.group_portal")
        self.assertTrue(portal)
        outside = self.env["res.users"].search([("crm_security_outside_domains", "=", True)])
        self.assertIn(self.owner, outside, "existing users that violate it are listed")

    def test_two_factor_groups(self):
        self.assertIsNone(self.owner._mfa_type())
        self.env.company.crm_security_2fa_group_ids = self.env.ref("sales_team.group_sale_salesman")
        self.assertEqual(self.owner._mfa_type(), "totp_mail")
        self.assertTrue(self.owner._rpc_api_keys_only())


@tagged("post_install", "-at_install")
class TestAccessPolicyHttp(HttpCase, CrmSecurityCase):
    def setUp(self):
        super().setUp()
        self.env["crm.security.ip.rule"].create({"network": "10.0.0.0/8", "name": "Office"})

    def set_mode(self, mode):
        self.env.company.sudo().crm_security_ip_mode = mode

    def rpc_search(self, login, password):
        uid = self.xmlrpc_common.authenticate(self.env.cr.dbname, login, password, {})
        if not uid:
            return False
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, uid, password, "res.partner", "search_count", [[]])

    @mute_logger("odoo.addons.crm_security.models.crm_security_access", "odoo.http")
    def test_enforced_for_web_login_rpc_and_api_keys(self):
        key = self.env["res.users.apikeys"].with_user(self.outsider)._generate(
            None, "robot", fields.Datetime.now() + timedelta(days=1))
        self.assertTrue(self.rpc_search("outsider", "outsider"))
        self.set_mode("enforce")
        self.assertFalse(self.rpc_search("outsider", "outsider"))
        with self.assertRaises(Fault):
            self.xmlrpc_object.execute_kw(self.env.cr.dbname, self.outsider.id, key, "res.partner", "search_count", [[]])
        with self.assertRaises(Exception):  # noqa: B017 - any refusal of the web login
            self.authenticate("outsider", "outsider")
        # the break-glass administrator still gets in
        self.assertTrue(self.rpc_search("admin", "admin"))

    @mute_logger("odoo.addons.crm_security.models.crm_security_access")
    def test_audit_only_records_without_denying(self):
        self.set_mode("audit")
        with self.assertLogs("odoo.addons.crm_security.models.crm_security_access", "WARNING") as logs:
            self.assertTrue(self.rpc_search("outsider", "outsider"))
        self.assertIn("would deny", "\n".join(logs.output))

    @mute_logger("odoo.addons.crm_security.models.crm_security_access", "odoo.http")
    def test_forwarded_for_only_in_proxy_mode(self):
        self.set_mode("enforce")
        headers = {"X-Forwarded-For": "10.1.2.3", "X-Forwarded-Host": "erp.congty.vn"}
        body = '{"jsonrpc": "2.0", "method": "call", "params": {"service": "common", "method": "authenticate", ' \
               f'"args": ["{self.env.cr.dbname}", "outsider", "outsider", {{}}]}}}}'
        with patch.dict(config.options, proxy_mode=False):
            result = self.url_open("/jsonrpc", data=body, headers={**headers, "Content-Type": "application/json"})
            self.assertNotIn(f'"result": {self.outsider.id}', result.text)
        with patch.dict(config.options, proxy_mode=True):
            result = self.url_open("/jsonrpc", data=body, headers={**headers, "Content-Type": "application/json"})
            self.assertIn(f'"result": {self.outsider.id}', result.text)
            result = self.url_open("/jsonrpc", data=body, headers={
                "X-Forwarded-For": "10.1.2.3", "Content-Type": "application/json"})
            self.assertNotIn(f'"result": {self.outsider.id}', result.text, "X-Forwarded-For alone is not trusted")

    @mute_logger("odoo.http")
    def test_policy_that_locks_out_its_author_is_refused(self):
        self.env["crm.security.ip.rule"].search([]).unlink()
        self.env["crm.security.ip.rule"].create({"network": "10.0.0.0/8"})
        self.env.company.crm_security_breakglass_user_id = self.data_admin
        self.authenticate("admin", "admin")
        self.session["identity-check-last"] = time.time()
        root.session_store.save(self.session)
        result = self.url_open(
            "/web/dataset/call_kw/res.company/write", headers={"Content-Type": "application/json"},
            data='{"jsonrpc": "2.0", "method": "call", "params": {"model": "res.company", "method": "write", '
                 f'"args": [[{self.env.company.id}], {{"crm_security_ip_mode": "enforce"}}], "kwargs": {{}}}}}}')
        self.assertIn("lock you out", result.text)
        self.assertEqual(self.env.company.crm_security_ip_mode, "off")

    @mute_logger("odoo.http", "odoo.addons.auth_totp.models.res_users")
    def test_two_factor_closes_the_rpc_password_gap(self):
        self.env.company.crm_security_2fa_group_ids = [Command.set(self.env.ref("sales_team.group_sale_salesman").ids)]
        self.assertFalse(self.xmlrpc_common.authenticate(self.env.cr.dbname, "outsider", "outsider", {}))
        key = self.env["res.users.apikeys"].with_user(self.outsider)._generate(
            None, "robot", fields.Datetime.now() + timedelta(days=1))
        self.assertEqual(self.xmlrpc_common.authenticate(self.env.cr.dbname, "outsider", key, {}), self.outsider.id)


@tagged("post_install", "-at_install")
class TestRefusedExportsAreLogged(HttpCase, CrmSecurityCase):
    """An export refused by this addon is kept in the audit log (when installed), once, over every
    way in: the web client's export route and JSON-RPC's export_data."""

    def setUp(self):
        super().setUp()
        if "crm.audit.log" not in self.env:
            self.skipTest("crm_audit_log is not installed")
        self.colleague.groups_id -= self.env.ref("crm_security.group_export_customer")
        self.mine = self.env["res.partner"].with_user(self.colleague).create({"name": "Khách của Colin"})

    def refused_exports(self):
        self.env.cr.flush()
        return self.env["crm.audit.log"].sudo().search(
            [("operation", "=", "export"), ("user_id", "=", self.colleague.id), ("denied", "=", True)])

    @mute_logger("odoo.http", "odoo.addons.web.controllers.export")
    def test_web_export(self):
        self.authenticate("colleague", "colleague")
        response = self.url_open("/web/export/csv", data={
            "data": json.dumps({"model": "res.partner", "ids": self.mine.ids, "domain": [], "import_compat": False,
                                "fields": [{"name": "name", "label": "Name"}]}),
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(response.status_code, 500)
        self.assertIn("not allowed to export customers", response.text)
        refused = self.refused_exports()
        self.assertEqual(len(refused), 1, "one event, not one per layer that saw the refusal")
        self.assertEqual((refused.res_id, refused.details["fields"], refused.details["format"], refused.channel),
                         (self.mine.id, ["name"], "csv", "web"))
        self.assertIn("not allowed to export customers", refused.details["reason"])

    @mute_logger("odoo.http")
    def test_rpc_export_data(self):
        # not assertRaises: its savepoint would drop the event the request left to the test transaction
        try:
            self.xmlrpc_object.execute_kw(self.env.cr.dbname, self.colleague.id, "colleague", "res.partner",
                                          "export_data", [self.mine.ids, ["name", "email"]])
        except Fault as fault:
            self.assertIn("not allowed to export customers", fault.faultString)
        else:
            self.fail("the export was not refused")
        refused = self.refused_exports()
        self.assertEqual(len(refused), 1)
        self.assertEqual((refused.res_id, refused.details["fields"], refused.channel),
                         (self.mine.id, ["name", "email"], "xmlrpc"))
