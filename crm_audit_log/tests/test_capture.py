from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..tools.values import MASK
from .common import AuditCase


@tagged("post_install", "-at_install")
class TestCapture(AuditCase):
    """Create, write and delete: one event per operation, typed field lines, nothing more."""

    def test_create_is_one_event_with_typed_lines(self):
        tag = self.env["res.partner.category"].create({"name": "VIP"})
        partner = self.env["res.partner"].with_user(self.salesman).create({
            "name": "Công ty Hòa Bình", "email": "ceo@hoabinh.vn", "country_id": self.country_vn.id,
            "category_id": [Command.set(tag.ids)], "comment": False,
        })
        event = self.events(partner, "create")
        self.assertEqual(len(event), 1)
        self.assertEqual((event.user_id, event.record_count, event.res_id, event.channel),
                         (self.salesman, 1, partner.id, "system"))
        lines = self.line_map(event)
        self.assertNotIn((partner.id, "comment"), lines, "an empty value on create is not a change")
        self.assertEqual(lines[(partner.id, "name")].new_value, "Công ty Hòa Bình")
        country = lines[(partner.id, "country_id")]
        self.assertEqual((country.field_type, country.new_value), ("many2one", "Vietnam"))
        self.assertEqual(self.raw(country), (None, [self.country_vn.id, "Vietnam"]))
        tags = lines[(partner.id, "category_id")]
        self.assertEqual((tags.new_value, self.raw(tags)[1]), ("VIP", tag.ids))

    def test_bulk_create_is_one_event_with_all_ids(self):
        partners = self.env["res.partner"].create([{"name": f"Bulk {i}"} for i in range(5)])
        event = self.events(model="res.partner", operation="create")[0]
        self.assertEqual(event.record_count, 5)
        self.assertFalse(event.res_id)
        self.env.cr.execute("SELECT res_ids FROM crm_audit_log WHERE id = %s", [event.id])
        self.assertEqual(self.env.cr.fetchone()[0], partners.ids)
        self.assertEqual(self.events(partners[2], "create"), event, "a record's history includes bulk events")
        self.assertEqual(len(event.sudo().line_ids), 5)

    def test_write_logs_old_and_new_values_of_written_fields_only(self):
        partner = self.env["res.partner"].create({"name": "Lan", "phone": "0901", "country_id": self.country_vn.id})
        partner.write({"name": "Lan Nguyen", "phone": "0901", "country_id": self.country_cn.id})
        event = self.events(partner, "write")
        self.assertEqual(len(event), 1)
        lines = self.line_map(event)
        self.assertEqual(set(lines), {(partner.id, "name"), (partner.id, "country_id")}, "unchanged phone: no line")
        self.assertEqual((lines[(partner.id, "name")].old_value, lines[(partner.id, "name")].new_value),
                         ("Lan", "Lan Nguyen"))
        self.assertEqual(self.raw(lines[(partner.id, "country_id")]),
                         ([self.country_vn.id, "Vietnam"], [self.country_cn.id, "China"]))
        partner.write({"name": "Lan Nguyen"})
        self.assertEqual(len(self.events(partner, "write")), 1, "a write that changes nothing is not an event")

    def test_unlink_keeps_the_old_values(self):
        partner = self.env["res.partner"].create({"name": "Gone Ltd", "email": "gone@x.cn", "country_id": self.country_cn.id})
        partner_id = partner.id
        partner.unlink()
        event = self.events(model="res.partner", operation="unlink")[0]
        self.assertEqual(event.res_id, partner_id)
        lines = self.line_map(event)
        self.assertEqual(lines[(partner_id, "email")].old_value, "gone@x.cn")
        self.assertEqual(lines[(partner_id, "country_id")].old_value, "China")
        self.assertFalse(lines[(partner_id, "name")].new_value)

    def test_unlink_lines_are_typed_like_the_others(self):
        """A delete's lines come from its snapshot: same types, names and digest as a write's."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["crm.audit.rule"].create({"model_id": self.env.ref("base.model_res_partner_category").id})
        tags = self.env["res.partner.category"].create([{"name": "Gold"}, {"name": "Tea\tlover"}])
        tags[0].with_context(lang="fr_FR").write({"name": "Or"})
        partner = self.env["res.partner"].create({
            "name": "Line\nBreak", "email": "Gone@X.cn", "category_id": [Command.set(tags.ids)],
            "calendar_last_notif_ack": "2024-05-06 07:08:09", "type": "invoice", "color": 3,
        })
        partner_id = partner.id
        partner.unlink()
        lines = self.line_map(self.events(model="res.partner", operation="unlink")[0])
        self.assertEqual(self.raw(lines[(partner_id, "category_id")]), (sorted(tags.ids), None))
        self.assertEqual(lines[(partner_id, "category_id")].old_value, "Gold, Tea\tlover")
        self.assertEqual(self.raw(lines[(partner_id, "calendar_last_notif_ack")])[0], "2024-05-06 07:08:09")
        self.assertEqual(lines[(partner_id, "type")].old_value, "Invoice Address")
        self.assertEqual(self.raw(lines[(partner_id, "color")])[0], 3)
        self.assertEqual(lines[(partner_id, "name")].old_value, "Line\nBreak")
        self.assertNotIn((partner_id, "email_normalized"), lines, "computed from the e-mail: kept by the snapshot")
        self.assertNotIn((partner_id, "commercial_partner_id"), lines)
        tags[0].unlink()
        tag_lines = self.events(model="res.partner.category", operation="unlink")[0].sudo().line_ids
        self.assertEqual(sorted((line.lang, line.old_value) for line in tag_lines if line.field_name == "name"),
                         [("en_US", "Gold"), ("fr_FR", "Or")])
        self.assertTrue(self.env["crm.audit.storage"]._crm_audit_verify()["ok"], "digests match what is stored")

    def test_translated_field_lines_per_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["crm.audit.rule"].create({"model_id": self.env.ref("base.model_res_partner_category").id})
        tag = self.env["res.partner.category"].create({"name": "Customer"})
        tag.with_context(lang="fr_FR").write({"name": "Client"})
        lines = self.events(tag, "write").sudo().line_ids
        self.assertEqual([(line.lang, line.old_value, line.new_value) for line in lines],
                         [("fr_FR", "Customer", "Client")])

    def test_rolled_back_change_leaves_no_event(self):
        partner = self.env["res.partner"].create({"name": "Stay"})
        self.events()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            partner.write({"name": "Never"})
            raise UserError(self.env._("refused"))
        self.assertFalse(self.events(partner, "write"))
        self.assertEqual(partner.name, "Stay")

    def test_secrets_are_never_logged(self):
        user = self.env["res.users"].create({"name": "Secret", "login": "secret_user", "password": "S3cret-Passw0rd!"})
        user.write({"password": "An0ther-S3cret!"})
        event = self.events(user, "write")
        line = self.line_map(event)[(user.id, "password")]
        self.assertEqual((line.old_value, line.new_value), (MASK, MASK))
        self.env.cr.execute("SELECT count(*) FROM crm_audit_log_line WHERE old_text LIKE %s OR new_text LIKE %s"
                            " OR old_raw::text LIKE %s OR new_raw::text LIKE %s", ["%S3cret%"] * 4)
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_sudo_is_flagged_with_the_acting_user(self):
        partner = self.env["res.partner"].create({"name": "Sudo Target"})
        partner.with_user(self.salesman).sudo().write({"name": "Changed as sudo"})
        event = self.events(partner, "write")
        self.assertEqual((event.user_id, event.is_sudo), (self.salesman, True))

    def test_rule_changes_apply_at_once(self):
        Category = self.env["res.partner.category"]
        Category.create({"name": "Not audited"})
        self.assertFalse(self.events(model="res.partner.category"))
        rule = self.env["crm.audit.rule"].with_user(self.audit_admin).create({
            "model_id": self.env.ref("base.model_res_partner_category").id,
            "field_ids": [Command.set(self.env.ref("base.field_res_partner_category__color").ids)],
            "excluded_user_ids": [Command.set(self.other_salesman.ids)],
        })
        tag = Category.create({"name": "Audited", "color": 3})
        self.assertEqual(list(self.line_map(self.events(tag, "create"))), [(tag.id, "color")], "only the chosen field")
        tag.with_user(self.other_salesman).sudo().write({"color": 4})
        self.assertFalse(self.events(tag, "write"), "excluded user")
        rule.active = False
        tag.write({"color": 5})
        self.assertFalse(self.events(tag, "write"), "archived rule")
        self.assertTrue(self.events(rule, "create"), "audit rules are themselves audited")

    def test_related_record_deleted_before_the_commit(self):
        industry = self.env["res.partner.industry"].create({"name": "Short-lived"})
        tag = self.env["res.partner.category"].create({"name": "Long-lived"})
        partner = self.env["res.partner"].create(
            {"name": "Tagged", "industry_id": industry.id, "category_id": [Command.set(tag.ids)]})
        industry_id = industry.id
        industry.unlink()  # after the create, before the commit writes its event
        lines = self.line_map(self.events(partner, "create"))
        self.assertEqual(self.raw(lines[(partner.id, "industry_id")])[1], [industry_id, ""],
                         "the vanished record keeps its id")
        self.assertEqual(lines[(partner.id, "category_id")].new_value, "Long-lived", "the others get their names")

    def test_actor_deleted_in_the_same_transaction(self):
        user = new_test_user(self.env, login="audit_passing", groups="base.group_user,base.group_partner_manager",
                             context={"tracking_disable": True, "no_reset_password": True})
        user_id = user.id
        # (mail's own tracking cannot cope with a user deleted before the commit: off here)
        partner = self.env["res.partner"].with_user(user).with_context(tracking_disable=True).create(
            {"name": "Made by a passing user"})
        user.unlink()
        event = self.events(partner, "create")
        self.assertEqual((event.user_id.id, event.details["deleted_user_id"]), (False, user_id))
