from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


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


@tagged("at_install", "-post_install")
class TestInstallHook(TransactionCase):
    def test_existing_customers_and_leads_get_an_owner(self):
        from ..hooks import post_init_hook

        creator = new_test_user(self.env, "creator", groups="sales_team.group_sale_salesman")
        portal = new_test_user(self.env, "portal_creator", groups="base.group_portal")
        seller = new_test_user(self.env, "seller", groups="sales_team.group_sale_salesman")
        Partner = self.env["res.partner"].sudo()
        by_creator = Partner.create({"name": "Old customer"})
        by_portal = Partner.create({"name": "Portal-made customer"})
        with_seller = Partner.create({"name": "Has seller", "user_id": seller.id})
        user_partner = seller.partner_id
        lead = self.env["crm.lead"].create({"name": "Old lead", "user_id": False})
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET user_id = NULL, create_uid = %s WHERE id IN %s",
                            (creator.id, (by_creator.id, user_partner.id)))
        self.env.cr.execute("UPDATE res_partner SET user_id = NULL, create_uid = %s WHERE id = %s",
                            (portal.id, by_portal.id))
        self.env.cr.execute("UPDATE crm_lead SET create_uid = %s WHERE id = %s", (creator.id, lead.id))
        self.env.invalidate_all()
        post_init_hook(self.env)
        self.assertEqual(by_creator.user_id, creator)
        self.assertEqual(by_creator.crm_owner_id, creator)
        self.assertFalse(by_portal.user_id, "created by a portal user: stays company-wide")
        self.assertEqual(with_seller.user_id, seller)
        self.assertFalse(user_partner.user_id, "the partner of a user is not a customer")
        self.assertEqual(lead.user_id, creator)
        action = self.env.ref("crm_security.res_partner_action_without_owner")
        self.assertIn(by_portal, self.env["res.partner"].search(safe_eval(action.domain)))
