from odoo.tests import TransactionCase, tagged


@tagged("at_install", "-post_install")
class TestInstall(TransactionCase):
    def test_secure_by_default(self):
        """After install, customers and leads are private in every company."""
        company = self.env["res.company"].create({"name": "New Co"})
        for comp in (self.env.company, company):
            self.assertTrue(comp.crm_security_private_customers)
            self.assertTrue(comp.crm_security_private_leads)
            self.assertEqual(comp.crm_security_manager_mode, "both")

    def test_groups(self):
        config = self.env.ref("crm_security.group_crm_security_manager")
        admin = self.env.ref("crm_security.group_customer_data_admin")
        self.assertIn(admin, config.implied_ids)
        self.assertIn(self.env.ref("base.user_admin"), config.users)

    def test_settings_round_trip(self):
        settings = self.env["res.config.settings"].create({"crm_security_manager_mode": "team"})
        settings.execute()
        self.assertEqual(self.env.company.crm_security_manager_mode, "team")
