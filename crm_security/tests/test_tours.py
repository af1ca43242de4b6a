from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    def test_settings_tour(self):
        """A configurator finds the protection settings in CRM's settings page."""
        self.start_tour("/odoo/action-crm_security.res_config_settings_action",
                        "crm_security_settings", login="admin")
