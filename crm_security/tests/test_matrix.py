from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import SECRET_EMAIL, CrmSecurityCase


@tagged("at_install", "-post_install")
class TestMatrix(CrmSecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Stage = cls.env["crm.customer.stage"]
        cls.stage = {code: Stage._by_code(code) for code in
                     ("new", "lead", "opportunity", "customer", "returning", "inactive")}
        cls.dep_care = cls.env["hr.department"].create({"name": "Customer Care"})
        cls.care = new_test_user(cls.env, "care", groups="sales_team.group_sale_salesman,base.group_partner_manager",
                                 name="Cara Care")
        cls.emp["care"] = cls.env["hr.employee"].create(
            {"name": "Cara Care", "user_id": cls.care.id, "department_id": cls.dep_care.id})
        Partner = cls.env["res.partner"].with_user(cls.owner)
        cls.by_stage = {
            code: Partner.create({"name": f"Customer {code}", "email": f"{code}@customer.vn",
                                  "customer_stage_id": stage.id}).with_env(cls.env)
            for code, stage in cls.stage.items()
        }
        cls.matrix = cls.env["crm.security.matrix"].create([
            {"department_id": cls.dep_marketing.id, "cell_ids": [
                Command.create({"stage_id": cls.stage["new"].id, "access": "read"}),
                Command.create({"stage_id": cls.stage["lead"].id, "access": "edit"})]},
            {"department_id": cls.dep_care.id, "cell_ids": [
                Command.create({"stage_id": cls.stage["customer"].id, "access": "read"}),
                Command.create({"stage_id": cls.stage["returning"].id, "access": "edit"})]},
        ])

    def visible(self, user):
        found = self.env["res.partner"].with_user(user).search([("id", "in", [p.id for p in self.by_stage.values()])])
        return {code for code, partner in self.by_stage.items() if partner in found}

    def test_each_cell_level(self):
        self.assertEqual(self.visible(self.care), {"customer", "returning"})
        self.assertEqual(self.visible(self.outsider), {"new", "lead"})  # outsider is in Marketing
        self.assertEqual(self.visible(self.colleague), set())
        self.by_stage["returning"].with_user(self.care).write({"comment": "called"})
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            self.by_stage["customer"].with_user(self.care).write({"comment": "called"})
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            self.by_stage["opportunity"].with_user(self.care).read(["name"])
        # other read paths see the same set
        Partner = self.env["res.partner"].with_user(self.care)
        self.assertEqual(Partner.search_count([("name", "like", "Customer ")]), 2)
        self.assertEqual({name for _id, name in Partner.name_search("Customer ")},
                         {"Customer customer", "Customer returning"})

    def test_stage_change_applies_at_once(self):
        partner = self.by_stage["opportunity"]
        self.assertNotIn("opportunity", self.visible(self.care))
        partner.customer_stage_id = self.stage["customer"]
        self.assertTrue(self.env["res.partner"].with_user(self.care).search([("id", "=", partner.id)]))
        self.emp["care"].department_id = self.dep_marketing
        self.assertEqual(self.visible(self.care), {"new", "lead"})

    def test_matrix_edit_applies_at_once_and_rules_show_it(self):
        self.matrix[1].cell_ids[0].access = "none"
        self.assertEqual(self.visible(self.care), {"returning"})
        rule = self.env.ref("crm_security.rule_res_partner_owner_read")
        self.assertIn(str([self.stage["returning"].id]), rule.domain_force)
        self.assertIn(str(self.dep_care.id), rule.domain_force)
        self.assertIn(self.stage["opportunity"].name, self.matrix[0].warning)

    def test_sensitive_department(self):
        customer = self.by_stage["customer"]
        self.assertNotEqual(customer.with_user(self.care).read(["email"])[0]["email"], "customer@customer.vn")
        self.matrix[1].see_sensitive = True
        self.assertEqual(customer.with_user(self.care).read(["email"])[0]["email"], "customer@customer.vn")

    def test_sensitive_cells_follow_the_company_stage(self):
        """Masking decides the matrix from each customer's company stage, as the rules search it."""
        self.matrix[1].see_sensitive = True
        Partner = self.env["res.partner"].with_user(self.owner)
        contacts = Partner.create([
            {"name": f"Contact of {code}", "parent_id": partner.id, "email": f"contact.{code}@customer.vn"}
            for code, partner in self.by_stage.items()]).with_env(self.env)
        records = contacts | self.env["res.partner"].browse([p.id for p in self.by_stage.values()])
        # as masking asks it: sudo, for the care user
        as_care = records.with_user(self.care).sudo()
        searched = set(as_care.search([("id", "in", records.ids)] + self.env["res.partner"].with_user(
            self.care)._crm_security_extra_unmasked_domains()[0]).ids)
        self.assertEqual(as_care._crm_security_extra_unmasked_ids(), searched)
        self.assertEqual(len(searched), 4)  # the customer and returning companies and their contacts
        rows = self.env["res.partner"].with_user(self.care).search_read(
            [("id", "in", records.ids)], ["email"])
        self.assertEqual(sorted(row["email"] for row in rows), [
            "contact.customer@customer.vn", "contact.returning@customer.vn",
            "customer@customer.vn", "returning@customer.vn"])

    def test_contacts_follow_their_company_stage(self):
        """The stage the matrix looks at is stored on each contact and follows its company."""
        company = self.by_stage["customer"]
        contact = self.env["res.partner"].with_user(self.owner).create(
            {"name": "Contact of customer", "parent_id": company.id}).with_env(self.env)
        self.assertEqual(contact.crm_security_commercial_stage_id, self.stage["customer"])
        company.customer_stage_id = self.stage["inactive"]
        self.assertEqual(contact.crm_security_commercial_stage_id, self.stage["inactive"])
        self.assertFalse(self.env["res.partner"].with_user(self.care).search([("id", "=", contact.id)]))
        contact.parent_id = self.by_stage["returning"]
        self.assertEqual(contact.crm_security_commercial_stage_id, self.stage["returning"])
        self.assertTrue(self.env["res.partner"].with_user(self.care).search([("id", "=", contact.id)]))
        # an upgrade adding the column fills it in SQL, as the ORM computes it
        records = contact | company | self.by_stage["new"]
        self.env.flush_all()
        self.env.cr.execute("UPDATE res_partner SET crm_security_commercial_stage_id = NULL WHERE id = ANY(%s)",
                            [records.ids])
        self.env["res.partner"]._crm_security_fill_commercial_stage()
        records.invalidate_recordset(["crm_security_commercial_stage_id"])
        self.assertEqual([p.crm_security_commercial_stage_id for p in records],
                         [self.stage["returning"], self.stage["inactive"], self.stage["new"]])

    def test_counts_up_to_a_limit(self):
        """A list's count ("10,000+") counts the customers of the department's stages first, then
        the others: the same number as the search, whatever the limit."""
        Partner = self.env["res.partner"].with_user(self.owner)
        more = Partner.create([{"name": f"Customer customer {i}", "customer_stage_id": self.stage["customer"].id}
                               for i in range(3)])
        contact = Partner.create({"name": "Contact of returning", "parent_id": self.by_stage["returning"].id})
        own = self.env["res.partner"].with_user(self.care).create({"name": "Care's own (stage New)"})
        other = Partner.create({"name": "Opportunity, not for care", "customer_stage_id": self.stage["opportunity"].id})
        nobodys = self.env["res.partner"].create({"name": "Nobody's, no stage", "user_id": False})  # seen by all
        self.assertFalse(nobodys.crm_security_commercial_stage_id)
        everything = (self.env["res.partner"].browse([p.id for p in self.by_stage.values()])
                      | more | contact | own | other | nobodys)
        domain = [("id", "in", everything.ids)]
        as_care = self.env["res.partner"].with_user(self.care)
        seen = as_care.search(domain)
        self.assertEqual(seen, self.by_stage["customer"] | self.by_stage["returning"] | more | contact | own | nobodys)
        for limit in (None, *range(1, len(seen) + 3)):
            self.assertEqual(as_care.search_count(domain, limit=limit), min(len(seen), limit or len(seen)), limit)
        self.assertEqual(as_care.search_count(domain + [("customer_stage_id", "!=", self.stage["customer"].id)],
                                              limit=10), len(self.by_stage["returning"] | contact | own | nobodys))

    def test_leads_follow_the_matrix_where_configured(self):
        lead = self.env["crm.lead"].with_user(self.owner).create(
            {"name": "Care lead", "partner_id": self.by_stage["returning"].id}).with_env(self.env)
        self.by_stage["returning"].customer_stage_id = self.stage["returning"]  # the lead moved it
        self.assertFalse(self.env["crm.lead"].with_user(self.care).search([("id", "=", lead.id)]))
        self.env.company.crm_security_matrix_leads = True
        self.assertTrue(self.env["crm.lead"].with_user(self.care).search([("id", "=", lead.id)]))

    def test_automatic_transitions(self):
        partner = self.env["res.partner"].with_user(self.owner).create({"name": "Lifecycle"}).with_env(self.env)
        self.assertEqual(partner.customer_stage_id, self.stage["new"])
        Lead = self.env["crm.lead"].with_user(self.owner).with_context(tracking_disable=False)
        lead = Lead.create({"name": "First", "partner_id": partner.id, "type": "lead"})
        self.assertEqual(partner.customer_stage_id, self.stage["lead"])
        lead.convert_opportunity(partner)
        self.assertEqual(partner.customer_stage_id, self.stage["opportunity"])
        lead.action_set_won()
        self.assertEqual(partner.customer_stage_id, self.stage["customer"])
        second = Lead.create({"name": "Second", "partner_id": partner.id, "type": "opportunity"})
        self.assertEqual(partner.customer_stage_id, self.stage["customer"], "never backwards")
        second.action_set_won()
        self.assertEqual(partner.customer_stage_id, self.stage["returning"])

    def test_stage_changes_are_tracked(self):
        """Tracked like any chatter-tracked field (the mail tracking itself is Odoo's)."""
        self.assertTrue(self.env["res.partner"]._fields["customer_stage_id"].tracking)
        self.assertIn("customer_stage_id", self.env["res.partner"]._track_get_fields())

    def test_inactive_cron(self):
        partner = self.by_stage["customer"]
        with freeze_time(datetime.now() + timedelta(days=400)):
            self.env["res.partner"]._cron_crm_security_inactive_customers()
        self.assertEqual(partner.customer_stage_id, self.stage["inactive"])

    def test_used_stage_cannot_be_deleted(self):
        with self.assertRaises(UserError):
            self.stage["customer"].unlink()
        empty = self.env["crm.customer.stage"].create({"name": "Unused"})
        empty.unlink()

    def test_masking_still_applies_to_owner_only_customers(self):
        self.assertEqual(self.secret.with_user(self.owner).read(["email"])[0]["email"], SECRET_EMAIL)
