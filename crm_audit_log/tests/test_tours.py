from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    def test_audit_menu_tour(self):
        """An auditor opens the Audit app and switches to the pivot view."""
        self.start_tour("/odoo", "crm_audit_log_menu", login="admin")
