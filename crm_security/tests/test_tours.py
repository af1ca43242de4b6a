from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged

from .common import CrmSecurityCase


@tagged("post_install", "-at_install")
class TestTours(HttpCase, CrmSecurityCase):
    def test_settings_tour(self):
        """A configurator finds the protection settings in CRM's settings page."""
        self.start_tour("/odoo/action-crm_security.res_config_settings_action",
                        "crm_security_settings", login="admin")
        self.assertEqual(self.env.company.crm_security_manager_mode, "team")

    def test_share_expires_tour(self):
        """The owner shares a customer; the recipient sees it; the share expires; the recipient does not."""
        customers = "/odoo/action-base.action_partner_form"
        self.start_tour(customers, "crm_security_recipient_does_not_see", login="outsider")
        self.start_tour(f"/odoo/res.partner/{self.secret.id}", "crm_security_share", login="owner")
        share = self.env["crm.security.share"].search([("partner_id", "=", self.secret.id)])
        self.assertEqual((share.user_id, share.reason), (self.outsider, "Joint customer visit"))
        share.with_user(self.owner).expires_at = datetime.now() + timedelta(hours=1)
        self.start_tour(customers, "crm_security_recipient_sees", login="outsider")
        with freeze_time(datetime.now() + timedelta(hours=1, seconds=1), tick=True):
            self.start_tour(customers, "crm_security_recipient_does_not_see", login="outsider")

    def test_masked_value_and_reveal_tour(self):
        """A colleague with a read share sees the e-mail masked with a lock, reveals it with a reason."""
        self.share(self.secret, self.outsider)
        self.env.company.crm_security_reveal_enabled = True
        self.outsider.groups_id += self.env.ref("crm_security.group_crm_security_reveal")
        self.start_tour(f"/odoo/res.partner/{self.secret.id}", "crm_security_masked_reveal", login="outsider")
        reveal = self.env["crm.security.reveal"].search([("user_id", "=", self.outsider.id)])
        self.assertEqual((reveal.res_id, reveal.field_name), (self.secret.id, "email"))
