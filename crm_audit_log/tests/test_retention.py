import os
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import AuditCase


@tagged("post_install", "-at_install")
class TestRetention(AuditCase):
    """Only the retention job removes events: old ones, in chunks, and it logs itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a company of its own, so that its chain holds only this test's events
        cls.company = cls.env["res.company"].create({"name": "Retention Co", "crm_audit_retention_days": 30})

    def _old_event(self, days_ago, name, operation="write", details=None):
        """An event as it was written `days_ago` days ago (through the internal API, like any event)."""
        partner = self.env["res.partner"].create({"name": name})
        capture = self.env["crm.audit.capture"]
        event = capture._crm_audit_event(partner, operation, details=details)
        event["create_date"] = fields.Datetime.now() - timedelta(days=days_ago)
        event["company_id"] = self.company.id
        event["lines"] = capture._crm_audit_lines(partner, ["name"], {"name": ["Old"]}, {"name": [name]})
        self.env["crm.audit.writer"]._crm_audit_append([event])
        return self.Log.sudo().browse(event["id"])

    def test_retention_removes_old_events_and_logs_itself(self):
        self.events()
        old = self._old_event(400, "Very old") | self._old_event(200, "Old")
        recent = self._old_event(5, "Recent")
        self.env["crm.audit.log"]._cron_purge_expired(batch_size=1)
        self.assertFalse(old.exists())
        self.assertTrue(recent.exists())
        self.env.cr.execute("SELECT count(*) FROM crm_audit_log_line WHERE log_id = ANY(%s)", [old.ids])
        self.assertEqual(self.env.cr.fetchone()[0], 0, "their lines went with them")
        retention = self.events(operation="retention").filtered(lambda e: e.company_id == self.company)
        self.assertEqual(len(retention), 1)
        self.assertGreaterEqual(retention.details["purged"], 2)
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"], "the rest of the chain still verifies")

    def test_retention_removes_the_copies_of_deleted_records(self):
        """A copy of a deleted customer is not kept longer than the record of its deletion; the
        files of its attachments go back to Odoo's filestore garbage collector."""
        Attachment = self.env["ir.attachment"]
        partner = self.env["res.partner"].create({"name": "Deleted long ago", "email": "long.ago@example.com"})
        attachment = Attachment.create({"name": "contract.txt", "raw": b"signed contract",
                                        "res_model": "res.partner", "res_id": partner.id})
        checklist = os.path.join(Attachment._full_path("checklist"), attachment.store_fname.replace(".", ""))
        partner.unlink()
        deleted = self.events(partner, operation="unlink")
        ref = deleted.details["snapshot"]
        Attachment._gc_file_store_unsafe()
        self.assertFalse(os.path.exists(checklist), "kept for a restore")
        # the same deletion, as the retention company's chain would hold it 400 days later
        self._old_event(400, "Deleted", operation="unlink", details={"snapshot": ref})
        self.env["crm.audit.log"]._cron_purge_expired()
        self.env.cr.execute("SELECT count(*) FROM crm_audit_snapshot WHERE ref = %s", [ref])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertTrue(os.path.exists(checklist), "the file is the garbage collector's again")
        retention = self.events(operation="retention").filtered(lambda e: e.company_id == self.company)
        self.assertEqual(retention.details["snapshots_purged"], 1)
        result = self.env["crm.audit.restorer"]._crm_audit_restore(deleted)
        self.assertEqual([(r["state"], r["reason"]) for r in result],
                         [("skipped", "Its copy was removed by the retention job.")])
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"])

    def test_retention_only_removes_the_start_of_the_chain(self):
        self.events()
        self._old_event(400, "Old")
        blocker = self._old_event(1, "Recent")
        straggler = self._old_event(300, "Old but written after a recent one")
        self.env["crm.audit.log"]._cron_purge_expired()
        self.assertTrue(straggler.exists(), "removing it would break the chain after a kept event")
        self.assertTrue(blocker.exists())
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"])

    def test_default_retention_keeps_recent_events(self):
        self.company.crm_audit_retention_days = 1095
        recent = self._old_event(1000, "Still kept")
        self.env["crm.audit.log"]._cron_purge_expired()
        self.assertTrue(recent.exists())

    def test_retention_cron_is_daily(self):
        cron = self.env.ref("crm_audit_log.ir_cron_crm_audit_retention")
        self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (1, "days", True))
