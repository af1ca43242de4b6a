import json
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SECRET_EMAIL, SECRET_PHONE, CrmSecurityCase

SECRETS = (SECRET_EMAIL, "zanzibar.boss", "912345678", "912 345 678", "345")
MASKED_EMAIL = "za***@secret-mail.vn"


@tagged("at_install", "-post_install")
class TestMasking(CrmSecurityCase):
    """A user who may open the customer but not see its contact details learns none of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.secret.mobile = "0987654321"
        cls.share(cls, cls.secret, cls.outsider)
        cls.share(cls, cls.lead, cls.outsider, level="edit")
        cls.lead.write({"email_from": SECRET_EMAIL, "phone": SECRET_PHONE})
        cls.viewer = cls.outsider

    def assertMasked(self, payload):
        text = repr(payload)
        for secret in SECRETS:
            self.assertNotIn(secret, text)

    def test_read_paths(self):
        Partner = self.env["res.partner"].with_user(self.viewer)
        partner = Partner.browse(self.secret.id)
        fields_ = ["email", "phone", "mobile", "email_normalized", "email_formatted", "phone_sanitized"]
        results = [
            partner.read(fields_),
            Partner.search_read([("id", "=", self.secret.id)], fields_),
            partner.web_read({f: {} for f in fields_}),
            Partner.web_search_read([("id", "=", self.secret.id)], {f: {} for f in fields_}),
            partner.export_data(["email", "phone", "mobile"]),
            Partner.with_context(show_email=True).browse(self.secret.id).display_name,
            self.env["crm.lead"].with_user(self.viewer).browse(self.lead.id).read(
                ["email_from", "phone", "email_normalized", "phone_sanitized", "partner_id"]),
            self.env["crm.lead"].with_user(self.viewer).browse(self.lead.id).web_read(
                {"partner_id": {"fields": {"email": {}, "phone": {}, "display_name": {}}}}),
        ]
        self.assertMasked(results)
        self.assertEqual(results[0][0]["email"], MASKED_EMAIL)
        self.assertEqual(results[0][0]["mobile"], "09*****321")
        self.assertIn("za***@secret-mail.vn", results[5])

    def test_empty_stays_empty(self):
        self.secret.mobile = False
        self.assertFalse(self.secret.with_user(self.viewer).read(["mobile"])[0]["mobile"])

    def test_search_group_and_order_side_channels(self):
        Partner = self.env["res.partner"].with_user(self.viewer)
        self.assertFalse(Partner.search([("email", "ilike", "secret-mail")]))
        self.assertEqual(Partner.search_count([("phone", "ilike", "912")]), 0)
        self.assertFalse(Partner.name_search(SECRET_EMAIL))
        self.assertFalse(self.env["crm.lead"].with_user(self.viewer).search([("email_from", "ilike", "zanzibar")]))
        with self.assertRaises(UserError):
            Partner.read_group([], ["email"], ["email"])
        with self.assertRaises(UserError):
            Partner.read_group([], ["email:array_agg"], ["name"])
        Partner.search([], order="email")  # falls back on id, no error
        self.env.company.crm_security_exact_search = True
        self.assertEqual(Partner.search([("email", "=", SECRET_EMAIL)]), self.secret)
        self.assertFalse(Partner.search([("email", "ilike", "secret-mail")]))

    def test_chatter_mail_and_followers(self):
        self.secret.message_subscribe(partner_ids=self.secret.ids)
        self.lead.message_subscribe(partner_ids=self.secret.ids)
        self.secret.write({"phone": "+84 912 000 111"})  # tracked by mail
        followers = self.env["mail.followers"].with_user(self.viewer).search_read(
            [("res_model", "=", "crm.lead"), ("res_id", "=", self.lead.id)], ["email", "name"])
        self.assertTrue(followers)
        suggested = self.lead.with_user(self.viewer)._message_get_suggested_recipients()
        trackings = self.secret.message_ids.sudo().tracking_value_ids.with_user(self.viewer)._tracking_value_format()
        mentions = self.env["res.partner"].with_user(self.viewer).get_mention_suggestions("Zanzibar")
        self.assertMasked([followers, suggested, mentions])
        self.assertNotIn("912 000 111", repr(trackings))

    def test_contact_widget_in_reports(self):
        html = self.env["ir.qweb.field.contact"].with_user(self.viewer).value_to_html(
            self.env["res.partner"].with_user(self.viewer).browse(self.secret.id), {})
        self.assertMasked(str(html))
        self.assertIn("912 345 678", str(self.env["ir.qweb.field.contact"].with_user(self.owner).value_to_html(
            self.env["res.partner"].with_user(self.owner).browse(self.secret.id), {"fields": ["phone"]})))

    def test_lead_does_not_copy_a_masked_value(self):
        lead = self.env["crm.lead"].with_user(self.viewer).create({"name": "Own lead", "partner_id": self.secret.id})
        self.assertFalse(lead.sudo().email_from)
        self.assertFalse(lead.sudo().phone)
        values = self.env["crm.lead"].with_user(self.viewer).onchange(
            {"partner_id": self.secret.id, "name": "x"}, ["partner_id"],
            {"partner_id": {}, "email_from": {}, "phone": {}, "name": {}})
        self.assertMasked(values)

    def test_copy_and_reassign_leaks_nothing(self):
        copy = self.lead.with_user(self.viewer).copy()
        self.assertEqual(copy.user_id, self.viewer)
        self.assertFalse(copy.sudo().email_from)
        self.assertFalse(copy.sudo().phone)

    def test_writing_back_the_mask_keeps_the_real_value(self):
        lead = self.env["crm.lead"].with_user(self.viewer).browse(self.lead.id)
        shown = lead.read(["email_from"])[0]["email_from"]
        lead.write({"email_from": shown, "description": "edited"})
        self.assertEqual(self.lead.email_from, SECRET_EMAIL)
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            lead.write({"email_from": "attacker@evil.com"})
        self.assertEqual(self.lead.email_from, SECRET_EMAIL)

    def test_masked_fields_for_the_ui(self):
        masked = json.loads(self.env["res.partner"].with_user(self.viewer).browse(
            self.secret.id).crm_security_masked_fields)
        self.assertIn("email", masked)
        self.assertEqual(json.loads(self.secret.with_user(self.owner).crm_security_masked_fields), [])

    def test_who_sees_real_values(self):
        email_group = self.env.ref("crm_security.group_see_customer_email")
        phone_group = self.env.ref("crm_security.group_see_customer_phone")
        care = self.colleague
        self.share(self.secret, care, include_sensitive=True)
        self.viewer.write({"groups_id": [Command.link(email_group.id)]})
        for user, field, expected in (
            (self.owner, "email", SECRET_EMAIL), (self.leader, "email", SECRET_EMAIL),
            (self.data_admin, "phone", SECRET_PHONE), (care, "phone", SECRET_PHONE),
            (self.viewer, "email", SECRET_EMAIL), (self.viewer, "phone", "+84******678"),
        ):
            with self.subTest(user=user.login, field=field):
                self.assertEqual(self.env["res.partner"].with_user(user).browse(
                    self.secret.id).read([field])[0][field], expected)
        self.viewer.write({"groups_id": [Command.link(phone_group.id)]})
        self.assertEqual(self.secret.with_user(self.viewer).read(["phone"])[0]["phone"], SECRET_PHONE)
        self.env.company.crm_security_managers_see_sensitive = False
        self.assertEqual(self.secret.with_user(self.leader).read(["email"])[0]["email"], MASKED_EMAIL)

    def test_configuration(self):
        field = self.env["crm.security.field"].create({
            "model_id": self.env["ir.model"]._get_id("res.partner"),
            "field_id": self.env.ref("base.field_res_partner__street").id,
        })
        self.secret.street = "12 Secret Street"
        self.assertEqual(self.secret.with_user(self.viewer).read(["street"])[0]["street"], "12***")
        field.unlink()
        self.assertEqual(self.secret.with_user(self.viewer).read(["street"])[0]["street"], "12 Secret Street")


@tagged("at_install", "-post_install")
class TestReveal(CrmSecurityCase):
    def setUp(self):
        super().setUp()
        self.share(self.secret, self.outsider)
        self.env.company.write({"crm_security_reveal_enabled": True, "crm_security_reveal_daily_cap": 1})
        self.outsider.groups_id += self.env.ref("crm_security.group_crm_security_reveal")

    def reveal(self, user, field="email"):
        wizard = self.env["crm.security.reveal.request"].with_user(user).with_context(
            default_res_model="res.partner").create({
                "res_model": "res.partner", "res_id": self.secret.id, "reason": "call back", "field_name": field})
        return wizard.action_reveal()

    def test_reveal_for_a_while_with_a_cap(self):
        partner = self.env["res.partner"].with_user(self.outsider).browse(self.secret.id)
        self.assertTrue(partner.crm_security_can_reveal)
        self.reveal(self.outsider)
        self.assertEqual(partner.read(["email", "phone"])[0]["email"], SECRET_EMAIL)
        self.assertNotEqual(partner.read(["phone"])[0]["phone"], SECRET_PHONE)
        with freeze_time(datetime.now() + timedelta(minutes=16)):
            self.env["res.partner"]._crm_security_invalidate_masks()  # a later request
            self.assertEqual(partner.read(["email"])[0]["email"], MASKED_EMAIL)
        with self.assertRaises(UserError):
            self.reveal(self.outsider, "phone")

    def test_reveal_is_off_by_default_and_needs_the_group(self):
        self.env.company.crm_security_reveal_enabled = False
        with self.assertRaises(UserError):
            self.reveal(self.outsider)
        self.env.company.crm_security_reveal_enabled = True
        with self.assertRaises(UserError):
            self.reveal(self.colleague)
