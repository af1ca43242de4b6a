import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged, users
from odoo.tools import mute_logger

from ..tools.chain import GENESIS
from .common import AuditCase


@tagged("post_install", "-at_install")
class TestIntegrity(AuditCase):
    """Append-only for everyone (ORM and SQL), and a hash chain that reveals edits made in SQL."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Chained", "email": "chain@x.vn"})
        cls.partner.write({"name": "Chained 2"})
        cls.partner.write({"email": "chain2@x.vn"})
        cls.env.cr.flush()

    def _tamper(self, sql, params):
        """An edit done directly in the database, by someone who disabled the guard trigger."""
        self.env.cr.execute("ALTER TABLE crm_audit_log DISABLE TRIGGER crm_audit_guard_rows")
        self.env.cr.execute("ALTER TABLE crm_audit_log_line DISABLE TRIGGER crm_audit_guard_rows")
        self.env.cr.execute(sql, params)
        self.env.cr.execute("ALTER TABLE crm_audit_log ENABLE TRIGGER crm_audit_guard_rows")
        self.env.cr.execute("ALTER TABLE crm_audit_log_line ENABLE TRIGGER crm_audit_guard_rows")

    def test_orm_refuses_changes_to_events_even_as_admin_and_sudo(self):
        event = self.events(self.partner, "write")[0]
        line = event.line_ids[0]
        for record in (event, event.sudo(), event.with_user(self.env.ref("base.user_admin")), line.sudo()):
            with self.assertRaises(UserError):
                record.write({"res_id": 1})
            with self.assertRaises(UserError):
                record.unlink()
        with self.assertRaises(UserError):
            self.Log.sudo().create({"model": "res.partner", "operation": "unlink"})

    @mute_logger("odoo.sql_db")
    def test_database_refuses_update_delete_truncate(self):
        event = self.events(self.partner, "write")[0]
        for table in ("crm_audit_log", "crm_audit_log_line"):
            column = "id" if table == "crm_audit_log" else "log_id"
            for sql in (f"UPDATE {table} SET res_id = 0 WHERE {column} = %s",
                        f"DELETE FROM {table} WHERE {column} = %s",
                        f"TRUNCATE {table}"):
                with self.assertRaises(psycopg2.errors.InsufficientPrivilege), self.env.cr.savepoint():
                    self.env.cr.execute(sql, [event.id] if "%s" in sql else None)
        self.assertTrue(event.exists())

    def test_small_and_big_events_of_one_transaction_keep_one_chain(self):
        """Small events are appended by the database function (their lines with them), events
        with many lines by Python: in any order, one valid chain, every line in its place."""
        self.assertTrue(self.env["crm.audit.writer"]._crm_audit_append_takes_lines())
        partners = self.env["res.partner"].create([{"name": f"Bulk {i}", "email": f"b{i}@x.vn"} for i in range(60)])
        self.env.cr.flush()
        for step in range(3):
            partners[step].write({"name": f"Single {step}"})
            self.env.cr.flush()
            partners.write({"function": f"Buyer {step}", "comment": f"Batch {step}", "street": f"{step} Le Loi",
                            "city": "Đà Nẵng", "zip": f"55{step}000", "website": f"https://b{step}.vn",
                            "phone": f"+84 236 {step}", "mobile": f"+84 90 {step}", "ref": f"B{step}"})
            self.env.cr.flush()
        events = self.events(model="res.partner", operation="write")[:6]
        self.assertGreater(max(len(event.sudo().line_ids) for event in events), 500)
        self.assertTrue(any(len(event.sudo().line_ids) < 5 for event in events))
        single = events.filtered(lambda event: event.res_id == partners[2].id)
        self.assertEqual([(line.field_name, line.old_value, line.new_value) for line in single.sudo().line_ids],
                         [("name", "Bulk 2", "Single 2")])
        self.assertFalse(self.env["crm.audit.storage"]._crm_audit_verify()["broken"])

    def test_events_are_chained_per_company(self):
        other = self.env["res.company"].create({"name": "Chi nhánh Hà Nội"})
        self.env["res.partner"].with_company(other).create({"name": "Other company customer"})
        self.env["res.partner"].create({"name": "Main company customer"})
        events = self.events()
        for company in (self.env.company, other):
            chain = events.filtered(lambda e, c=company: e.company_id == c).sorted("id")
            self.assertTrue(chain)
            for previous, event in zip(chain, chain[1:], strict=False):
                self.assertEqual(event.prev_digest, previous.digest)
        self.assertEqual(events.filtered(lambda e: e.company_id == other).sorted("id")[0].prev_digest, GENESIS)
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"])

    def test_verify_reports_the_first_broken_link(self):
        event = self.events(self.partner, "write").sorted("id")[-1]
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"])
        self._tamper("UPDATE crm_audit_log_line SET new_text = 'forged@x.vn' WHERE log_id = %s", [event.id])
        result = self.env["crm.audit.storage"]._crm_audit_verify()
        self.assertFalse(result["ok"])
        self.assertEqual(result["broken"][0][1:], (event.id, "content"))
        self.assertIn(str(event.id), result["message"])

    def test_verify_detects_a_deleted_event(self):
        event = self.events(self.partner, "create")
        following = self.Log.sudo().search(
            [("company_id", "=", event.company_id.id), ("id", ">", event.id)], order="id", limit=1)
        self._tamper("DELETE FROM crm_audit_log WHERE id = %s", [event.id])
        result = self.env["crm.audit.storage"]._crm_audit_verify()
        self.assertEqual(result["broken"][0][1:], (following.id, "link"))

    def test_verify_detects_a_changed_actor(self):
        event = self.events(self.partner, "create")
        self._tamper("UPDATE crm_audit_log SET user_id = %s WHERE id = %s", [self.salesman.id, event.id])
        self.assertEqual(self.env["crm.audit.storage"]._crm_audit_verify()["broken"][0][1:], (event.id, "content"))

    @users("audit_admin")
    def test_verify_action_for_audit_administrators(self):
        action = self.env["crm.audit.log"].action_verify_integrity()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.events(operation="verify"), "each check is itself an event")

    @users("audit_auditor")
    def test_verify_action_refused_to_auditors(self):
        with self.assertRaises(UserError):
            self.env["crm.audit.log"].action_verify_integrity()
