from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import CrmSecurityCase


@tagged("at_install", "-post_install")
class TestSharing(CrmSecurityCase):
    def visible(self, user, record):
        return bool(self.env[record._name].with_user(user).search([("id", "=", record.id)]))

    def test_read_share(self):
        self.assertFalse(self.visible(self.outsider, self.secret))
        share = self.share(self.secret, self.outsider, reason="Joint visit")
        self.assertTrue(self.visible(self.outsider, self.secret))
        self.assertTrue(self.visible(self.outsider, self.secret_contact), "contacts follow their company")
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            self.secret.with_user(self.outsider).write({"name": "changed"})
        self.assertFalse(self.secret.with_user(self.outsider).crm_security_can_share)
        self.assertIn(share, self.env["crm.security.share"].with_user(self.outsider).search([]))
        self.assertIn("Shared with", self.secret.message_ids[0].body)

    def test_edit_share_on_lead(self):
        self.share(self.lead, self.outsider, level="edit")
        self.lead.with_user(self.outsider).write({"description": "edited by a share recipient"})
        self.assertTrue(self.visible(self.outsider, self.lead))
        self.assertFalse(self.visible(self.outsider, self.secret), "sharing a lead does not share its customer")

    def test_share_with_team_and_department(self):
        self.share(self.secret, self.team_south, target_type="team", user_id=False, team_id=self.team_south.id)
        self.assertTrue(self.visible(self.outsider, self.secret))
        other = self.env["res.partner"].with_user(self.owner).with_context(
            res_partner_search_mode="customer").create({"name": "Dept shared"})
        self.share(other, self.outsider, target_type="department", user_id=False,
                   department_id=self.dep_marketing.id)
        self.assertTrue(self.visible(self.outsider, other))

    def test_expiry_to_the_second(self):
        now = datetime(2030, 1, 1, 12, 0, 0)
        with freeze_time(now):
            self.share(self.secret, self.outsider, expires_at=now + timedelta(hours=1))
            self.assertTrue(self.visible(self.outsider, self.secret))
        with freeze_time(now + timedelta(minutes=59, seconds=59)):
            self.assertTrue(self.visible(self.outsider, self.secret))
            self.secret.with_user(self.outsider).read(["name"])
        with freeze_time(now + timedelta(hours=1)):
            self.assertFalse(self.visible(self.outsider, self.secret))
            with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
                self.secret.with_user(self.outsider).read(["name"])

    def test_computed_grant_is_what_the_grant_search_finds(self):
        """Rules checked in Python (one record) compute the grant; lists search it: same answer for
        owners, managers, read and edit shares, contacts of a shared company, expired shares."""
        now = datetime(2030, 1, 1, 12, 0, 0)
        with freeze_time(now):
            self.share(self.secret, self.outsider, expires_at=now + timedelta(hours=1))
            self.share(self.lead, self.outsider, level="edit")
            self.share(self.lead, self.colleague, expires_at=now + timedelta(minutes=30))
        for moment in (now, now + timedelta(minutes=30), now + timedelta(hours=1)):
            with freeze_time(moment):
                for user in (self.owner, self.leader, self.sales_mgr, self.director, self.colleague, self.outsider):
                    for record in (self.secret, self.secret_contact, self.lead):
                        records = record.with_user(user).sudo(False)
                        records.invalidate_recordset(["crm_security_grant"])
                        found = {grant for grant in ("read", "write") if records.sudo().search(
                            [("id", "=", record.id), ("crm_security_grant", "=", grant)])}
                        with self.subTest(moment=moment, user=user.login, record=record.display_name):
                            self.assertEqual(records.sudo().crm_security_grant, found.pop() if found else False)

    def test_revoke(self):
        share = self.share(self.lead, self.outsider)
        self.assertTrue(self.visible(self.outsider, self.lead))
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            share.with_user(self.outsider).action_revoke()
        share.with_user(self.leader).action_revoke()
        self.assertFalse(share.active)
        self.assertEqual(share.revoked_by_id, self.leader)
        self.assertFalse(self.visible(self.outsider, self.lead))

    def test_bad_shares_are_refused(self):
        with self.assertRaises(ValidationError):
            self.share(self.secret, self.owner)
        archived = new_test_user(self.env, "archived_one", groups="sales_team.group_sale_salesman")
        archived.active = False
        with self.assertRaises(ValidationError):
            self.share(self.secret, archived)
        with self.assertRaises(ValidationError):
            self.share(self.secret, self.outsider, expires_at=datetime.now() - timedelta(minutes=1))
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            self.env["crm.security.share"].with_user(self.colleague).create({
                "partner_id": self.secret.id, "user_id": self.outsider.id})
        self.assertFalse(self.env["crm.security.share"].search([("partner_id", "=", self.secret.id)]))

    def test_share_cannot_be_widened(self):
        share = self.share(self.secret, self.outsider)
        with self.assertRaises(AccessError):
            share.with_user(self.owner).write({"level": "edit"})


@tagged("at_install", "-post_install")
class TestHandOver(CrmSecurityCase):
    def test_owner_hands_over_to_colleague(self):
        self.secret.with_user(self.owner).write({"user_id": self.colleague.id})
        self.assertEqual(self.secret.crm_owner_id, self.colleague)
        self.assertEqual(self.secret_contact.crm_owner_id, self.colleague)
        self.assertIn("Owner changed", self.secret.message_ids[0].body)
        self.assertFalse(self.env["res.partner"].with_user(self.owner).search([("id", "=", self.secret.id)]))

    def test_refused_hand_overs(self):
        with self.assertRaises(UserError):
            self.secret.with_user(self.owner).write({"user_id": self.outsider.id})
        with self.assertRaises(UserError):
            self.secret.with_user(self.owner).write({"user_id": False})
        with self.assertRaises(UserError):
            self.lead.with_user(self.owner).write({"user_id": False})
        share = self.share(self.lead, self.outsider, level="edit")
        with self.assertRaises(AccessError):
            self.lead.with_user(self.outsider).write({"user_id": self.outsider.id})
        share.action_revoke()
        with self.assertRaises(UserError):
            self.env["crm.lead"].with_user(self.outsider).create({"name": "for someone", "user_id": self.owner.id})
        self.assertEqual(self.secret.user_id, self.owner)
        self.assertEqual(self.lead.user_id, self.owner)

    def test_manager_and_admin_reassign(self):
        self.lead.with_user(self.leader).write({"user_id": self.colleague.id})
        self.assertEqual(self.lead.user_id, self.colleague)
        self.secret.with_user(self.data_admin).write({"user_id": self.outsider.id})
        self.assertEqual(self.secret.crm_owner_id, self.outsider)
        self.secret.with_user(self.data_admin).write({"user_id": False})
        self.assertTrue(self.env["res.partner"].with_user(self.colleague).search([("id", "=", self.secret.id)]),
                        "a customer without owner is company-wide")

    def test_new_customer_defaults_to_creator(self):
        partner = self.env["res.partner"].with_user(self.colleague).with_context(
            res_partner_search_mode="customer").create({"name": "Mine"})
        self.assertEqual(partner.user_id, self.colleague)
        defaults = self.env["res.partner"].with_user(self.colleague).with_context(
            res_partner_search_mode="customer").default_get(["user_id"])
        self.assertEqual(defaults["user_id"], self.colleague.id)
        with self.assertRaises(UserError):
            self.env["res.partner"].with_user(self.colleague).with_context(
                res_partner_search_mode="customer").create({"name": "Nobody's", "user_id": False})

    def test_copy_belongs_to_copier(self):
        self.share(self.lead, self.colleague)
        copy = self.lead.with_user(self.colleague).copy()
        self.assertEqual(copy.user_id, self.colleague)
        self.assertEqual(self.lead.user_id, self.owner)
