from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    def test_audit_menu_tour(self):
        """An auditor opens the Audit app and switches to the pivot view."""
        self.start_tour("/odoo", "crm_audit_log_menu", login="admin")

    def test_partner_history_tour(self):
        """A customer's History: the tab shows who changed what, the smart button every event."""
        partner = self.env["res.partner"].create({"name": "Công ty Lịch Sử", "phone": "0901 000 111"})
        partner.write({"phone": "0909 999 888"})
        self.env.cr.flush()
        self.start_tour(f"/odoo/contacts/{partner.id}", "crm_audit_log_partner_history", login="admin")

    def test_restore_tour(self):
        """Delete three customers from the list, open the delete event in the Audit app, restore them."""
        admin = self.env.ref("base.user_admin")
        partners = self.env["res.partner"].create(
            [{"name": f"Tour Khôi Phục {i}", "email": f"tour{i}@khoiphuc.vn", "user_id": admin.id} for i in (1, 2, 3)])
        self.env.cr.flush()
        self.start_tour("/odoo/contacts", "crm_audit_log_restore", login="admin")
        self.env.invalidate_all()
        self.assertEqual(partners.exists(), partners)
        for partner in partners:
            restore = self.env["crm.audit.log"].sudo().search(
                [("record_ref", "=", f"res.partner,{partner.id}"), ("operation", "=", "restore")])
            self.assertEqual(restore.record_count, 3, "one restore event, in each customer's history")
