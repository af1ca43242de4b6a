from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CrmSecurityCase


@tagged("at_install", "-post_install")
class TestOffboarding(CrmSecurityCase):
    def offboard(self, **values):
        wizard = self.env["crm.security.offboard"].with_user(self.data_admin).create(
            {"user_id": self.owner.id, "target_user_id": self.colleague.id, **values})
        wizard.action_offboard()
        return wizard

    def test_transfer_everything_and_lock_out(self):
        activity = self.lead.activity_schedule("mail.mail_activity_data_todo", user_id=self.owner.id)
        share = self.share(self.env["crm.lead"].with_user(self.colleague).create({"name": "Colin's"}).with_env(self.env),
                           self.owner)
        wizard = self.env["crm.security.offboard"].with_user(self.data_admin).create(
            {"user_id": self.owner.id, "target_user_id": self.colleague.id})
        self.assertEqual((wizard.customer_count, wizard.lead_count, wizard.activity_count, wizard.share_count),
                         (1, 1, 1, 1))
        wizard.action_offboard()
        self.assertEqual(self.secret.user_id, self.colleague)
        self.assertEqual(self.secret_contact.crm_owner_id, self.colleague)
        self.assertEqual(self.lead.user_id, self.colleague)
        self.assertEqual(activity.user_id, self.colleague)
        self.assertFalse(share.active)
        self.assertFalse(self.owner.active)
        self.assertIn("1 customers", wizard.summary)
        # twice: nothing more happens
        again = self.env["crm.security.offboard"].with_user(self.data_admin).create(
            {"user_id": self.owner.id, "target_user_id": self.colleague.id})
        self.assertEqual((again.customer_count, again.lead_count, again.activity_count), (0, 0, 0))
        again.action_offboard()
        self.assertIn("0 customers", again.summary)

    def test_spread_over_team(self):
        extra = self.env["res.partner"].with_user(self.owner).with_context(
            res_partner_search_mode="customer").create([{"name": f"Customer {i}"} for i in range(4)]).with_env(self.env)
        self.offboard(mode="team", target_user_id=False, target_team_id=self.team_north.id)
        owners = (extra | self.secret).mapped("user_id")
        self.assertEqual(owners, self.colleague | self.leader)

    def test_nothing_half_done(self):
        self.colleague.active = False
        with self.assertRaises(UserError):
            self.offboard()
        self.assertEqual(self.secret.user_id, self.owner)
        self.assertTrue(self.owner.active)

    def test_only_admins(self):
        with self.assertRaises(UserError):
            wizard = self.env["crm.security.offboard"].sudo().create(
                {"user_id": self.colleague.id, "target_user_id": self.leader.id})
            wizard.with_user(self.owner).action_offboard()
