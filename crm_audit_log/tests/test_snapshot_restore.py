import base64
import os

import psycopg2

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import SQL, mute_logger

from .common import AuditCase

DELETE_GROUPS = ("crm_security.group_delete_customer", "crm_security.group_bulk_delete")


def with_optional_groups(env, groups):
    """`groups` plus the delete rights of crm_security when it is installed alongside."""
    extra = [xmlid for xmlid in DELETE_GROUPS if env.ref(xmlid, raise_if_not_found=False)]
    return ",".join([groups, *extra])


@tagged("post_install", "-at_install")
class TestSnapshotRestore(AuditCase):
    """Deleted records come back whole: every stored field, links, chatter and attachments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.deleter = new_test_user(
            cls.env, login="audit_deleter", name="Audit Deleter",
            groups=with_optional_groups(cls.env, "sales_team.group_sale_salesman_all_leads,base.group_partner_manager"))
        cls.restorer = new_test_user(
            cls.env, login="audit_restorer", name="Audit Restorer",
            groups="base.group_user,crm_audit_log.group_audit_auditor,crm_audit_log.group_audit_restore")
        cls.tag_vip = cls.env["res.partner.category"].create({"name": "VIP"})
        cls.tag_north = cls.env["res.partner.category"].create({"name": "Miền Bắc"})
        Partner = cls.env["res.partner"]
        cls.company = Partner.create({
            "name": "Công ty Khôi Phục", "is_company": True, "email": "info@khoiphuc.vn", "phone": "+84 24 1234 567",
            "street": "1 Tràng Tiền", "city": "Hà Nội", "country_id": cls.country_vn.id, "user_id": cls.deleter.id,
            "category_id": [Command.set((cls.tag_vip | cls.tag_north).ids)], "comment": "<p>Khách hàng lớn</p>",
        })
        cls.contact = Partner.create({"name": "Chị Lan", "parent_id": cls.company.id, "email": "lan@khoiphuc.vn",
                                      "user_id": cls.deleter.id,
                                      "category_id": [Command.link(cls.tag_vip.id)]})
        cls.lead = cls.env["crm.lead"].create({"name": "Hợp đồng lớn", "partner_id": cls.company.id})
        cls.env.cr.flush()
        cls.company.write({"name": "Công ty Khôi Phục Mới"})  # a tracked change: a message with a tracking value
        cls.env.cr.flush()
        cls.company.message_post(body="Đã gọi điện cho khách hàng", message_type="comment")
        cls.attachment = cls.env["ir.attachment"].create({
            "name": "hop_dong.txt", "raw": b"noi dung hop dong", "res_model": "res.partner", "res_id": cls.company.id})
        cls.company.message_post(body="Hợp đồng đính kèm", attachment_ids=cls.attachment.ids,
                                 message_type="comment")
        cls.company.message_subscribe(partner_ids=cls.salesman.partner_id.ids)
        cls.env.cr.flush()

    # ------------------------------------------------------------------ helpers
    def _rows(self, table, where, *params):
        self.env.flush_all()
        self.env.cr.execute(SQL("SELECT to_jsonb(t) FROM %s t WHERE %s ORDER BY id",
                                SQL.identifier(table), SQL(where, *params)))
        return [row[0] for row in self.env.cr.fetchall()]

    def _state(self, partners):
        """Every stored column of the partners and of what goes with them, and their links."""
        ids = partners.ids
        messages = self._rows("mail_message", "model = 'res.partner' AND res_id = ANY(%s)", ids)
        message_ids = [message["id"] for message in messages]
        followers = self._rows("mail_followers", "res_model = 'res.partner' AND res_id = ANY(%s)", ids)
        self.env.cr.execute(SQL(
            "SELECT partner_id, category_id FROM res_partner_res_partner_category_rel WHERE partner_id = ANY(%s)"
            " ORDER BY 1, 2", ids))
        tags = self.env.cr.fetchall()
        self.env.cr.execute(SQL("SELECT message_id, attachment_id FROM message_attachment_rel"
                                " WHERE message_id = ANY(%s) ORDER BY 1, 2", message_ids))
        message_attachments = self.env.cr.fetchall()
        self.env.cr.execute(SQL("SELECT mail_followers_id, mail_message_subtype_id FROM"
                                " mail_followers_mail_message_subtype_rel WHERE mail_followers_id = ANY(%s)"
                                " ORDER BY 1, 2", [follower["id"] for follower in followers]))
        subtypes = self.env.cr.fetchall()
        attachments = self.env["ir.attachment"].search([("res_model", "=", "res.partner"), ("res_id", "in", ids)])
        return {
            "partners": self._rows("res_partner", "id = ANY(%s)", ids),
            "tags": tags,
            "messages": messages,
            "tracking": self._rows("mail_tracking_value", "mail_message_id = ANY(%s)", message_ids),
            "notifications": self._rows("mail_notification", "mail_message_id = ANY(%s)", message_ids),
            "message_attachments": message_attachments,
            "attachments": self._rows("ir_attachment", "res_model = 'res.partner' AND res_id = ANY(%s)", ids),
            "attachment_raw": sorted((att.id, att.raw) for att in attachments),
            "followers": followers,
            "follower_subtypes": subtypes,
            "children": [(child["id"], child["parent_id"], child["commercial_partner_id"])
                         for child in self._rows("res_partner", "parent_id = ANY(%s)", ids)],
            "leads": [(lead["id"], lead["partner_id"]) for lead in self._rows("crm_lead", "partner_id = ANY(%s)", ids)],
        }

    def _delete(self, records, user=None):
        records.with_user(user or self.deleter).unlink()
        return self.events(operation="unlink", model=records._name)[0]

    def _restore(self, events, user=None):
        wizard = self.env["crm.audit.restore"].with_user(user or self.restorer).with_context(
            active_model="crm.audit.log", active_ids=events.ids).create({})
        wizard.action_restore()
        self.env.cr.flush()
        return wizard

    # ------------------------------------------------------------------ tests
    def test_snapshot_is_complete_and_restore_brings_everything_back(self):
        partners = self.company | self.contact
        before = self._state(partners)
        self.assertEqual(len(before["tracking"]), 1, "the name change is tracked")
        self.assertTrue(before["message_attachments"] and before["follower_subtypes"])
        event = self._delete(partners)
        self.assertFalse(partners.exists())
        self.assertFalse(self.lead.partner_id, "the database cleared the lead's customer")
        self.assertEqual(sorted(event.snapshot_ids.mapped("res_id")), sorted(partners.ids))
        gone = self._state(partners)
        self.assertFalse(gone["messages"] or gone["attachments"] or gone["followers"] or gone["tags"])

        wizard = self._restore(event)
        self.assertEqual(wizard.line_ids.mapped("state"), ["restored", "restored"])
        self.env.invalidate_all()
        after = self._state(partners)
        for key, value in before.items():
            self.assertEqual(after[key], value, f"{key} restored as it was")
        self.assertEqual(self.lead.partner_id, self.company, "the lead points to its customer again")
        self.assertEqual(self.company.category_id, self.tag_vip | self.tag_north)
        self.assertEqual(self.company.child_ids, self.contact)
        self.assertEqual(self.attachment.raw, b"noi dung hop dong")

    def test_restore_is_an_event_in_the_history(self):
        event = self._delete(self.contact)
        self._restore(event)
        restore = self.events(self.contact, "restore")
        self.assertEqual((restore.user_id, restore.details["events"]), (self.restorer, [event.id]))
        history = self.Log._crm_audit_history_action(self.contact)
        self.assertIn(restore, self.Log.sudo().search(history["domain"]))

    def test_double_restore_restores_nothing_twice(self):
        event = self._delete(self.contact)
        self.assertEqual(self._restore(event).line_ids.state, "restored")
        second = self._restore(event)
        self.assertEqual((second.line_ids.state, second.line_ids.reason), ("skipped", "Already restored."))
        # deleted again, then the first event once more: still nothing
        again = self._delete(self.contact)
        self.assertEqual(self._restore(event).line_ids.state, "skipped")
        self.assertFalse(self.contact.exists())
        self.assertEqual(self._restore(again).line_ids.state, "restored")
        self.assertTrue(self.contact.exists())

    def test_conflicts_leave_the_record_untouched_and_others_restored(self):
        other = self.env["res.partner"].create({"name": "Độc Lập", "email": "doclap@x.vn", "user_id": self.deleter.id})
        contact_id = self.contact.id
        event = self._delete(self.contact | other)
        # the contact's id was taken meanwhile (e.g. data loaded by hand)
        self.env.cr.execute(SQL(
            "INSERT INTO res_partner (id, name, active, type) VALUES (%s, 'Kẻ chiếm chỗ', true, 'contact')", contact_id))
        wizard = self._restore(event)
        results = {line.res_id: line for line in wizard.line_ids}
        self.assertEqual(results[contact_id].state, "conflict")
        self.assertEqual(results[contact_id].reason, "Its id is used by another record.")
        self.assertEqual(results[other.id].state, "restored")
        self.assertEqual(other.name, "Độc Lập")
        self.assertEqual(self.env["res.partner"].browse(contact_id).name, "Kẻ chiếm chỗ")

    def test_unique_value_used_by_another_record_is_a_conflict(self):
        user = new_test_user(self.env, login="khach_tam", name="Khách Tạm", groups="base.group_user")
        user_id = user.id
        user.unlink()
        event = self.events(operation="unlink", model="res.users")[0]
        self.assertTrue(event.has_snapshot)
        new_test_user(self.env, login="khach_tam", name="Người Mới", groups="base.group_user")
        with mute_logger("odoo.sql_db"):
            wizard = self._restore(event)
        line = wizard.line_ids
        self.assertEqual((line.res_id, line.state), (user_id, "conflict"))
        self.assertIn("A unique value is now used by another record", line.reason)
        self.assertFalse(self.env["res.users"].browse(user_id).exists(), "nothing half-restored")
        self.env.cr.execute(SQL("SELECT count(*) FROM res_groups_users_rel WHERE uid = %s", user_id))
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_many2one_to_a_record_gone_is_left_empty_and_reported(self):
        contact_event = self._delete(self.contact)
        self._delete(self.company)
        wizard = self._restore(contact_event)
        line = wizard.line_ids
        self.assertEqual(line.state, "restored")
        self.assertIn(f"#{self.company.id}", line.missing)
        self.assertTrue(self.contact.exists())
        self.assertFalse(self.contact.parent_id)

    def test_bulk_restore_of_several_events(self):
        first = self._delete(self.contact)
        second = self._delete(self.company)
        wizard = self._restore(first | second)
        self.assertEqual(sorted(wizard.line_ids.mapped("state")), ["restored", "restored"])
        self.assertEqual(self.contact.parent_id, self.company, "restored together, the link comes back")

    def test_restore_needs_the_right(self):
        event = self._delete(self.contact)
        auditor_wizard = self.env["crm.audit.restore"].with_user(self.auditor).create({"event_ids": event.ids})
        with self.assertRaises(AccessError):
            auditor_wizard.action_restore()
        self.assertFalse(self.contact.exists())

    def test_snapshot_is_append_only_and_hidden(self):
        event = self._delete(self.contact)
        snapshot = event.snapshot_ids
        with self.assertRaises(psycopg2.Error), self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
            self.env.cr.execute(SQL("UPDATE crm_audit_snapshot SET name = 'x' WHERE id = %s", snapshot.id))
        self.assertNotIn("data", snapshot._fields, "the copy itself is not an ORM field")
        with self.assertRaises(AccessError):
            self.env["crm.audit.snapshot"].with_user(self.salesman).search([])

    @users("audit_deleter")
    def test_revert_puts_back_chosen_fields_as_the_user(self):
        self.deleter.groups_id |= self.env.ref("crm_audit_log.group_audit_restore")
        partner = self.company.with_env(self.env)
        partner.write({"name": "Tên Sai", "city": "Đà Nẵng", "category_id": [Command.set(self.tag_vip.ids)]})
        edit = self.events(partner, "write")[0]
        wizard = self.env["crm.audit.revert"].with_context(active_model="crm.audit.log", active_id=edit.id).create({})
        lines = {line.log_line_id.field_name: line for line in wizard.line_ids}
        self.assertEqual(set(lines), {"name", "city", "category_id"})
        lines["city"].selected = False
        wizard.action_revert()
        self.assertEqual(partner.name, "Công ty Khôi Phục Mới")
        self.assertEqual(partner.city, "Đà Nẵng", "not chosen: unchanged")
        self.assertEqual(partner.category_id, self.tag_vip | self.tag_north)
        revert = self.events(partner, "write")[0]
        self.assertEqual(revert.user_id, self.deleter, "the revert is an ordinary edit by the user")

    def test_revert_needs_the_right(self):
        self.company.write({"city": "Huế"})
        edit = self.events(self.company, "write")[0]
        wizard = self.env["crm.audit.revert"].with_user(self.auditor).with_context(
            active_model="crm.audit.log", active_id=edit.id).create({})
        with self.assertRaises(AccessError):
            wizard.action_revert()

    def test_attachment_file_is_kept_for_restore(self):
        attachment = self.env["ir.attachment"].create({
            "name": "anh.png", "datas": base64.b64encode(b"\x89PNG fake"), "res_model": "res.partner",
            "res_id": self.contact.id})
        path = attachment._full_path(attachment.store_fname) if attachment.store_fname else None
        event = self._delete(self.contact)
        if path:
            self.env["ir.attachment"]._gc_file_store_unsafe()
            self.assertTrue(os.path.exists(path), "the garbage collector keeps the file of the snapshot")
        self._restore(event)
        self.assertEqual(attachment.raw, b"\x89PNG fake")
