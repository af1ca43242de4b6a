from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..tools.values import MASK
from .common import AuditCase


@tagged("post_install", "-at_install")
class TestVisibility(AuditCase):
    """Everyone sees the events of the records they can see; auditors all events of their companies;
    protected values stay masked for those the protecting addon does not allow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Lead = cls.env["crm.lead"]
        cls.own_lead = Lead.create({"name": "Own deal", "user_id": cls.salesman.id})
        cls.foreign_lead = Lead.create({"name": "Someone else's deal", "user_id": cls.other_salesman.id})
        (cls.own_lead | cls.foreign_lead).write({"expected_revenue": 1000})
        cls.other_company = cls.env["res.company"].create({"name": "Other Co"})
        cls.foreign_company_lead = Lead.with_company(cls.other_company).create(
            {"name": "Other company deal", "company_id": cls.other_company.id})
        cls.env.cr.flush()

    def test_users_see_the_events_of_records_they_can_see(self):
        Log = self.Log.with_user(self.salesman)
        self.assertTrue(Log.search([("record_ref", "=", f"crm.lead,{self.own_lead.id}")]))
        self.assertFalse(Log.search([("record_ref", "=", f"crm.lead,{self.foreign_lead.id}"), ("operation", "=", "create")]))
        foreign = self.events(self.foreign_lead, "create")
        with self.assertRaises(AccessError):
            foreign.with_user(self.salesman).read(["operation"])
        own = self.events(self.own_lead, "create").with_user(self.salesman)
        self.assertEqual(own.read(["operation"])[0]["operation"], "create")
        with self.assertRaises(AccessError):
            own.read(["ip_address"])  # where from is for auditors
        lines = self.Line.with_user(self.salesman).search([("model", "=", "crm.lead")])
        self.assertIn(self.own_lead.id, lines.mapped("res_id"))
        self.assertNotIn(self.foreign_lead.id, lines.mapped("res_id"))

    def test_bulk_events_are_seen_through_the_records_one_can_see(self):
        bulk = self.events(self.own_lead, "write")
        self.assertEqual(bulk.record_count, 2)
        self.assertEqual(self.Log.with_user(self.salesman).search([("id", "=", bulk.id)]), bulk)
        lines = bulk.with_user(self.salesman).line_ids
        self.assertEqual(set(lines.mapped("res_id")), {self.own_lead.id}, "not the other record's line")

    def test_auditors_see_all_events_of_their_companies(self):
        Log = self.Log.with_user(self.auditor)
        self.assertTrue(Log.search([("record_ref", "=", f"crm.lead,{self.foreign_lead.id}")]))
        self.assertFalse(Log.search([("record_ref", "=", f"crm.lead,{self.foreign_company_lead.id}")]))
        self.auditor.company_ids |= self.other_company
        Log = Log.with_context(allowed_company_ids=(self.env.company | self.other_company).ids)
        self.assertTrue(Log.search([("record_ref", "=", f"crm.lead,{self.foreign_company_lead.id}")]))

    def test_logins_of_others_are_private(self):
        capture = self.env["crm.audit.capture"]
        writer = self.env["crm.audit.writer"]
        writer._crm_audit_push(capture._crm_audit_event(self.other_salesman.with_user(self.other_salesman), "login"))
        writer._crm_audit_push(capture._crm_audit_event(self.salesman.with_user(self.salesman), "login"))
        self.events()
        seen = self.Log.with_user(self.salesman).search([("operation", "=", "login")])
        self.assertEqual(seen.user_id, self.salesman)

    def test_protected_values_are_masked_unless_the_hook_allows(self):
        Partner = self.registry["res.partner"]
        with patch.object(Partner, "_crm_security_field_is_protected",
                          lambda self, fname: fname == "email", create=True):
            partner = self.env["res.partner"].create({"name": "Protected", "email": "vip@secret.vn"})
            self.env.cr.flush()
        line = self.line_map(self.events(partner, "create"))[(partner.id, "email")]
        self.assertTrue(line.is_protected)
        self.assertEqual(self.raw(line), (None, "vip@secret.vn"), "the real value is kept for the system")
        self.env.cr.execute("SELECT new_text FROM crm_audit_log_line WHERE id = %s", [line.id])
        self.assertIsNone(self.env.cr.fetchone()[0])
        with patch.object(Partner, "_crm_security_audit_mask", None, create=True):
            as_auditor = line.with_user(self.auditor)
            self.assertEqual(as_auditor.new_value, MASK, "no hook to ask: masked for everyone")
            self.assertNotIn("vip@secret.vn", str(as_auditor.read(["new_value", "new_text", "old_value"])))

        def mask(self, fname, value, viewer):
            return value if viewer.has_group("crm_audit_log.group_audit_manager") else "v***@secret.vn"

        with patch.object(Partner, "_crm_security_audit_mask", mask, create=True):
            line.invalidate_recordset()
            self.assertEqual(line.with_user(self.audit_admin).new_value, "vip@secret.vn")
            self.assertEqual(line.with_user(self.auditor).new_value, "v***@secret.vn")

    def test_a_change_of_access_is_obeyed_in_the_same_request(self):
        """Readability is decided once per request for a history, and again after any change."""
        Log, Line = self.Log.with_user(self.salesman), self.Line.with_user(self.salesman)
        own, foreign = self.own_lead, self.foreign_lead
        event = Log.search([("record_ref", "=", f"crm.lead,{own.id}"), ("operation", "=", "create")])
        self.assertTrue(event)
        self.assertTrue(Line.search([("model", "=", "crm.lead"), ("res_id", "=", own.id)]))
        self.assertEqual(own.with_user(self.salesman).crm_audit_event_count, len(self.events(own)))
        self.assertFalse(Log.search([("record_ref", "=", f"crm.lead,{foreign.id}"), ("operation", "=", "create")]))
        own.user_id = self.other_salesman  # in the same transaction, not committed
        foreign.user_id = self.salesman
        self.assertFalse(Log.search([("record_ref", "=", f"crm.lead,{own.id}")]))
        self.assertFalse(Line.search([("model", "=", "crm.lead"), ("res_id", "=", own.id)]))
        with self.assertRaises(AccessError):
            event.read(["operation"])
        self.assertTrue(Log.search([("record_ref", "=", f"crm.lead,{foreign.id}"), ("operation", "=", "create")]))

    def test_a_history_decides_readability_once_per_request(self):
        lead = self.own_lead.with_user(self.salesman)

        def history_queries():
            lead.invalidate_recordset(["crm_audit_line_ids", "crm_audit_event_count"])
            self.Line.invalidate_model()
            count = self.env.cr.sql_log_count
            self.assertTrue(lead.crm_audit_event_count)
            lead.crm_audit_line_ids.read(["field_description", "old_value", "new_value"])
            return self.env.cr.sql_log_count - count

        self.env.cr.flush()
        first = history_queries()
        self.assertLess(history_queries(), first)
