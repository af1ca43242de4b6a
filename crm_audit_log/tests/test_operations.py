from unittest.mock import patch

from odoo.tests import tagged, users

from .common import AuditCase

CSV = b"name,email\nImported One,one@import.vn\nImported Two,two@import.vn\n"
OPTIONS = {"quoting": '"', "separator": ",", "has_headers": True}


@tagged("post_install", "-at_install")
class TestOperations(AuditCase):
    """Reads, exports, imports and the channels set by crons and server actions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Reader {i}", "email": f"r{i}@x.vn", "user_id": cls.salesman.id} for i in range(3)])
        cls.env.cr.flush()

    def _reads(self):
        return self.events(model="res.partner", operation="read")

    @users("audit_salesman")
    def test_opening_a_record_is_one_event(self):
        partner = self.partners[0].with_env(self.env)
        partner.web_read({"name": {}, "country_id": {"fields": {"display_name": {}}}, "child_ids": {"fields": {"name": {}}}})
        read = self._reads()
        self.assertEqual(len(read), 1, "related records read for the form are not 'opened'")
        self.assertEqual((read.res_id, read.user_id), (partner.id, self.salesman))

    @users("audit_salesman")
    def test_a_list_is_one_event_with_the_count(self):
        Partner = self.env["res.partner"]
        Partner.web_search_read([("id", "in", self.partners.ids)], {"name": {}, "email": {}})
        Partner.search_read([("id", "in", self.partners.ids)], ["name"])
        reads = self._reads()
        self.assertEqual(reads.mapped("record_count"), [3, 3])
        self.assertEqual(reads.mapped("res_id"), [0, 0], "a list concerns no single record")
        self.assertTrue(all(event.details["list"] for event in reads))

    def test_reading_protected_fields_is_recorded(self):
        Partner = self.registry["res.partner"]
        self.partners.read(["name"])
        self.assertFalse(self._reads(), "plain reads of unprotected fields are not logged")
        with patch.object(Partner, "_crm_security_field_is_protected", lambda self, f: f == "email", create=True):
            self.partners.read(["name", "email"])
        read = self._reads()
        self.assertEqual((read.record_count, read.details["protected_fields"]), (3, ["email"]))

    def test_export_logs_fields_and_rows_once_per_request(self):
        self.partners[:2].export_data(["name", "email"])
        self.partners[2:].export_data(["name", "email"])  # e.g. the second group of a grouped xlsx export
        export = self.events(model="res.partner", operation="export")
        self.assertEqual(len(export), 1)
        self.assertEqual((export.record_count, export.details["fields"]), (3, ["name", "email"]))
        self.assertEqual(self.events(self.partners[2], "export"), export)

    def test_load_logs_created_and_updated_records(self):
        existing = self.partners[0]
        result = self.env["res.partner"].load(
            [".id", "name"], [[str(existing.id), "Renamed by import"]])
        self.assertEqual(result["ids"], [existing.id])
        result = self.env["res.partner"].load(["name", "email"], [["New One", "n1@x.vn"], ["New Two", "n2@x.vn"]])
        imports = self.events(model="res.partner", operation="import").sorted("id")
        self.assertEqual(imports[0].details["updated_ids"], [existing.id])
        self.assertEqual(imports[1].details["created_ids"], result["ids"])
        created = self.events(model="res.partner", operation="create")[0]
        self.assertEqual((created.channel, created.record_count), ("import", 2))

    def test_failed_load_leaves_no_event(self):
        result = self.env["res.partner"].load(["name", "country_id"], [["Bad", "No Such Country"]])
        self.assertFalse(result["ids"])
        self.assertFalse(self.events(model="res.partner", operation="import"))
        self.assertFalse(self.events(model="res.partner", operation="create").filtered(
            lambda e: e.create_date and any(line.new_value == "Bad" for line in e.line_ids)))

    def test_import_wizard_test_run_leaves_no_event_and_real_run_logs_the_file(self):
        wizard = self.env["base_import.import"].create(
            {"res_model": "res.partner", "file": CSV, "file_name": "khach_hang.csv", "file_type": "text/csv"})
        result = wizard.execute_import(["name", "email"], ["name", "email"], dict(OPTIONS), dryrun=True)
        self.assertFalse([m for m in result["messages"] if m.get("type") == "error"])
        self.assertFalse(self.events(model="res.partner", operation="import"), "the test run is rolled back")
        self.assertFalse(self.Log.sudo().search([("model", "=", "res.partner"), ("operation", "=", "create"),
                                                 ("channel", "=", "import")]))
        result = wizard.execute_import(["name", "email"], ["name", "email"], dict(OPTIONS))
        event = self.events(model="res.partner", operation="import")
        self.assertEqual(event.details["file_name"], "khach_hang.csv")
        self.assertEqual((event.record_count, event.details["created_ids"]), (2, sorted(result["ids"])))

    def test_cron_and_server_action_channels(self):
        partner = self.partners[0]
        action = self.env["ir.actions.server"].create({
            "name": "Rename", "model_id": self.env.ref("base.model_res_partner").id, "state": "code",
            "code": f"env['res.partner'].browse({partner.id}).write({{'name': 'By server action'}})"})
        action.run()
        self.assertEqual(self.events(partner, "write")[0].channel, "server_action")
        cron = self.env["ir.cron"].create({
            "name": "Rename nightly", "model_id": self.env.ref("base.model_res_partner").id, "state": "code",
            "code": f"env['res.partner'].browse({partner.id}).write({{'name': 'By cron'}})"})
        cron.method_direct_trigger()
        self.assertEqual(self.events(partner, "write")[0].channel, "cron")

    def test_history_in_the_action_menu_of_every_audited_model(self):
        action = self.env.ref("crm_audit_log.crm_audit_history_action_res_partner")
        self.assertEqual((action.binding_model_id.model, action.binding_view_types), ("res.partner", "form,list"))
        partner = self.partners[0]
        result = action.with_context(active_model="res.partner", active_id=partner.id, active_ids=partner.ids).run()
        self.assertEqual(self.Log.sudo().search(result["domain"]), self.events(partner))
        rule = self.env["crm.audit.rule"].create({"model_id": self.env.ref("base.model_res_partner_category").id})
        self.assertTrue(self.env.ref("crm_audit_log.crm_audit_history_action_res_partner_category", False))
        rule.active = False
        self.assertFalse(self.env.ref("crm_audit_log.crm_audit_history_action_res_partner_category", False))
