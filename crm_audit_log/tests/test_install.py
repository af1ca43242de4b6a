from odoo.tests import TransactionCase, tagged


@tagged("at_install", "-post_install")
class TestInstall(TransactionCase):
    def test_groups_chain(self):
        manager = self.env.ref("crm_audit_log.group_audit_manager")
        officer = self.env.ref("crm_audit_log.group_audit_officer")
        auditor = self.env.ref("crm_audit_log.group_audit_auditor")
        self.assertIn(officer, manager.implied_ids)
        self.assertIn(auditor, officer.implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), manager.users)

    def test_default_retention_is_three_years(self):
        company = self.env["res.company"].create({"name": "New Co"})
        self.assertEqual(company.crm_audit_retention_days, 1095)
