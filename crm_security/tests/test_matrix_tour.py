from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CrmSecurityCase

CUSTOMERS = "/odoo/action-base.action_partner_form"


@tagged("post_install", "-at_install")
class TestMatrixTour(HttpCase, CrmSecurityCase):
    """A configurator edits the department × stage matrix in the UI; a Customer Care member's
    customer list follows at once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        stage = {code: cls.env.ref(f"crm_security.customer_stage_{code}")
                 for code in ("opportunity", "customer", "returning")}
        cls.stage_returning = stage["returning"]
        cls.dep_care = cls.env["hr.department"].create({"name": "Customer Care"})
        cls.care = new_test_user(cls.env, "care_tour", groups="sales_team.group_sale_salesman,base.group_partner_manager",
                                 name="Cara Care")
        cls.env["hr.employee"].create({"name": "Cara Care", "user_id": cls.care.id, "department_id": cls.dep_care.id})
        # owned by Olivia (Sales), not by anybody of Customer Care
        Partner = cls.env["res.partner"].with_user(cls.owner)
        cls.customers = {
            code: Partner.create({"name": f"Lotus {code.capitalize()} Ltd", "is_company": True,
                                  "customer_stage_id": stage[code].id}).with_env(cls.env)
            for code in stage
        }
        cls.row_care = cls.env["crm.security.matrix"].create({
            "department_id": cls.dep_care.id,
            "cell_ids": [Command.create({"stage_id": stage["customer"].id, "access": "read"}),
                         Command.create({"stage_id": stage["returning"].id, "access": "none"})],
        })
        # another department's row, so that the list shows more than the row to open
        cls.env["crm.security.matrix"].create({
            "department_id": cls.dep_marketing.id,
            "cell_ids": [Command.create({"stage_id": stage["opportunity"].id, "access": "edit"})],
        })

    def visible(self):
        Partner = self.env["res.partner"].with_user(self.care)
        found = Partner.search([("id", "in", [p.id for p in self.customers.values()])])
        return {code for code, partner in self.customers.items() if partner in found}

    def test_matrix_edit_changes_the_customer_list(self):
        self.assertEqual(self.visible(), {"customer"})
        self.start_tour(CUSTOMERS, "crm_security_matrix_care_before", login="care_tour")

        self.start_tour("/odoo/action-crm_security.crm_security_matrix_action",
                        "crm_security_matrix_configure", login="admin")
        self.env.invalidate_all()  # the tour wrote through the HTTP worker
        cell = self.row_care.cell_ids.filtered(lambda c: c.stage_id == self.stage_returning)
        self.assertEqual(cell.access, "read")
        rule = self.env.ref("crm_security.rule_res_partner_owner_read")
        self.assertIn(str(sorted((self.stage_returning | self.customers["customer"].customer_stage_id).ids)),
                      rule.domain_force)
        self.assertEqual(self.visible(), {"customer", "returning"})

        self.start_tour(CUSTOMERS, "crm_security_matrix_care_after", login="care_tour")
