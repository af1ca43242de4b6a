from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import SECRET_EMAIL, SECRET_LEAD, SECRET_NAME, SECRET_PHONE, CrmSecurityCase


@tagged("at_install", "-post_install")
class TestOwnerOnlyReadPaths(CrmSecurityCase):
    """An outsider learns nothing about a private customer or lead, whatever the path."""

    def _partner_paths(self, user):
        Partner = self.env["res.partner"].with_user(user)
        results = {
            "search": Partner.search([("name", "ilike", "Zanzibar")]).ids,
            "search_email": Partner.search([("email", "=", SECRET_EMAIL)]).ids,
            "search_email_domain": Partner.search([("email", "ilike", "secret-mail")]).ids,
            "search_phone": Partner.search([("phone", "ilike", "912 345")]).ids,
            "phone_mobile_search": Partner.search([("phone_mobile_search", "=", "912345678")]).ids,
            "search_count": Partner.search_count([("email", "ilike", "secret-mail")]),
            "search_read": Partner.search_read([("name", "ilike", "Zanzibar")], ["name", "email", "phone"]),
            "name_search": Partner.name_search("Zanzibar"),
            "name_search_email": Partner.name_search(SECRET_EMAIL),
            "name_search_contact": Partner.name_search("Zed Contact"),
            "read_group": Partner.read_group([], ["user_id"], ["user_id"]),
            "web_search_read": Partner.web_search_read(
                [("name", "ilike", "Zanzibar")], {"display_name": {}, "email": {}}),
            "web_read_group": Partner.web_read_group([("name", "ilike", "Zanzibar")], ["display_name"], ["name"]),
            "export": Partner.search([("name", "ilike", "Zanzibar")]).export_data(["name", "email"]),
            "mentions": self.env["res.partner"].with_user(user).get_mention_suggestions("Zanzibar"),
            "followers": self.env["mail.followers"].with_user(user).search_read(
                [("res_model", "in", ["res.partner", "crm.lead"])], ["display_name", "email", "res_id"]),
            "messages": self.env["mail.message"].with_user(user).search_read(
                [("model", "=", "res.partner"), ("res_id", "=", self.secret.id)], ["body"]),
            "attachments": self.env["ir.attachment"].with_user(user).search_read(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.secret.id)], ["name"]),
        }
        return results

    def _lead_paths(self, user):
        Lead = self.env["crm.lead"].with_user(user)
        return {
            "search": Lead.search([("name", "ilike", "Zanzibar")]).ids,
            "search_partner": Lead.search([("partner_id.name", "ilike", "Zanzibar")]).ids,
            "search_read": Lead.search_read([], ["name", "email_from", "phone"]),
            "search_count": Lead.search_count([("email_from", "ilike", "secret-mail")]),
            "name_search": Lead.name_search("Zanzibar"),
            "read_group": Lead.read_group([], ["expected_revenue"], ["stage_id"]),
            "kanban": Lead.web_read_group([("type", "=", "opportunity")], ["stage_id"], ["stage_id"]),
            "progress_bar": Lead.read_progress_bar([], "stage_id", {"field": "activity_state", "colors": {}}),
            "activity_report": self.env["crm.activity.report"].with_user(user).search_read([], ["lead_id"]),
            "activities": self.env["mail.activity"].with_user(user).search_read([], ["res_name", "summary"]),
        }

    def setUp(self):
        super().setUp()
        self.secret.message_post(body="Zanzibar private note")
        self.secret.message_subscribe(partner_ids=self.secret.ids)
        self.lead.message_subscribe(partner_ids=self.secret.ids)
        self.env["ir.attachment"].create({"name": "zanzibar.txt", "raw": b"x",
                                          "res_model": "res.partner", "res_id": self.secret.id})
        self.lead.activity_schedule("mail.mail_activity_data_todo", summary="Call Zanzibar", user_id=self.owner.id)
        self.env.flush_all()

    def test_outsider_sees_nothing(self):
        for user in (self.outsider, self.sales_admin, self.colleague):
            with self.subTest(user=user.login):
                self.assertNoSecret(self._partner_paths(user))
                self.assertNoSecret(self._lead_paths(user))

    def test_outsider_direct_access_is_refused_without_names(self):
        for record in (self.secret, self.secret_contact, self.lead):
            for method, args in (("read", (["name"],)), ("web_read", ({"name": {}},)),
                                 ("export_data", (["name"],)), ("write", ({"name": "x"},)),
                                 ("unlink", ())):
                with self.subTest(record=record._name, method=method), \
                        mute_logger("odoo.addons.base.models.ir_rule"), \
                        self.assertRaises(AccessError) as caught:
                    getattr(record.with_user(self.outsider), method)(*args)
                self.assertNoSecret(str(caught.exception))

    def test_access_error_is_translated(self):
        self.env["res.lang"]._activate_lang("vi_VN")
        self.outsider.lang = "vi_VN"
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError) as caught:
            self.secret.with_user(self.outsider).read(["name"])
        self.assertNoSecret(str(caught.exception))
        self.assertNotIn("You are not allowed", str(caught.exception))

    def test_reports_refuse_hidden_records(self):
        report = self.env["ir.actions.report"].search([("model", "=", "crm.lead")], limit=1) or \
            self.env["ir.actions.report"].search([("model", "=", "res.partner")], limit=1)
        if not report:
            return
        record = self.lead if report.model == "crm.lead" else self.secret
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError):
            report.with_user(self.outsider)._render_qweb_html(report.report_name, record.ids)

    def test_grantees_see_everything(self):
        for user in (self.owner, self.leader, self.sales_mgr, self.director, self.data_admin):
            with self.subTest(user=user.login):
                Partner = self.env["res.partner"].with_user(user)
                self.assertEqual(Partner.search([("email", "=", SECRET_EMAIL)]), self.secret)
                found = Partner.search_read([("id", "=", self.secret.id)], ["name", "email", "phone"])
                self.assertEqual(found[0]["name"], SECRET_NAME)
                self.assertEqual(self.secret_contact.with_user(user).read(["name"])[0]["name"], "Zed Contact")
                self.assertEqual(self.env["crm.lead"].with_user(user).search([("name", "=", SECRET_LEAD)]), self.lead)
                self.lead.with_user(user).write({"description": f"seen by {user.login}"})
                self.secret.with_user(user).write({"phone": SECRET_PHONE})

    def test_users_and_companies_stay_visible(self):
        """Partners Odoo needs stay visible: users' and companies' partners, ownerless non-customers."""
        vendor = self.env["res.partner"].with_user(self.owner).with_context(
            res_partner_search_mode="supplier").create({"name": "Some Vendor"})
        recipient = self.env["res.partner"].with_user(self.owner).find_or_create("someone@example.com")
        self.assertFalse(vendor.user_id | recipient.user_id)
        Partner = self.env["res.partner"].with_user(self.outsider)
        self.assertEqual(Partner.search([("id", "in", (vendor | recipient).ids)]), vendor | recipient)
        self.assertIn(self.owner.partner_id, Partner.search([("id", "=", self.owner.partner_id.id)]))
        self.assertIn(self.env.company.partner_id, Partner.search([("id", "=", self.env.company.partner_id.id)]))
        users = self.env["res.users"].with_user(self.outsider).search([("id", "in", (self.owner | self.leader).ids)])
        self.assertEqual(len(users), 2)

    def test_other_apps_still_work_for_the_owner(self):
        """Chatter, followers, activities and mail keep working for a normal user."""
        lead = self.lead.with_user(self.owner)
        lead.message_post(body="hello", partner_ids=self.colleague.partner_id.ids)
        lead.message_subscribe(partner_ids=self.colleague.partner_id.ids)
        lead.activity_schedule("mail.mail_activity_data_call", user_id=self.colleague.id)
        self.assertTrue(lead.message_follower_ids)
        suggestions = self.env["res.partner"].with_user(self.owner).get_mention_suggestions("Colin")
        self.assertIn("Colin", repr(suggestions))

    def test_private_mode_off_is_standard_odoo(self):
        self.env.company.crm_security_private_customers = False
        self.assertIn(self.secret, self.env["res.partner"].with_user(self.outsider).search([]))
        self.env.company.crm_security_private_customers = True
        self.assertNotIn(self.secret, self.env["res.partner"].with_user(self.outsider).search([]))
        self.env.company.crm_security_private_leads = False
        # standard Odoo: a salesman with own documents only still does not see other people's leads
        self.assertNotIn(self.lead, self.env["crm.lead"].with_user(self.outsider).search([]))
        self.assertIn(self.lead, self.env["crm.lead"].with_user(self.sales_admin).search([]))

    def test_multi_company(self):
        other = self.env["res.company"].create({"name": "Other Co", "crm_security_private_customers": False})
        self.outsider.write({"company_ids": [Command.link(other.id)]})
        self.owner.write({"company_ids": [Command.link(other.id)]})
        there = self.env["res.partner"].with_user(self.owner).with_company(other).with_context(
            res_partner_search_mode="customer").create({"name": "Open Co Customer", "company_id": other.id})
        here = self.env["res.partner"].with_user(self.outsider).with_company(self.env.company)
        self.assertNotIn(there, here.search([("name", "=", "Open Co Customer")]))
        self.assertNotIn(self.secret, here.search([]))
        in_other = self.env["res.partner"].with_user(self.outsider).with_company(other).with_context(
            allowed_company_ids=[other.id])
        self.assertIn(there, in_other.search([("name", "=", "Open Co Customer")]))

    def test_branches_see_their_parent_companys_contacts(self):
        """Odoo's multi-company rule of contacts (a parent of the user's companies): the rules' SQL
        names the ancestors, and answers as Odoo's own check does."""
        parent = self.env.company
        branch, sibling = self.env["res.company"].create([
            {"name": "Branch", "parent_id": parent.id}, {"name": "Sibling", "parent_id": parent.id}])
        self.outsider.write({"company_ids": [Command.link(branch.id)]})
        # company-wide contacts (no owner): the company rule alone decides
        at_parent, at_sibling = self.env["res.partner"].create([
            {"name": "Parent's contact", "company_id": parent.id, "user_id": False},
            {"name": "Sibling's contact", "company_id": sibling.id, "user_id": False}])
        self.assertFalse((at_parent | at_sibling).crm_owner_id)
        in_branch = self.env["res.partner"].with_user(self.outsider).with_context(allowed_company_ids=[branch.id])
        self.assertEqual(in_branch.search([("id", "in", (at_parent | at_sibling).ids)]), at_parent)
        self.assertTrue(at_parent.with_env(in_branch.env).has_access("read"))
        self.assertFalse(at_sibling.with_env(in_branch.env).has_access("read"))
        self.assertEqual((at_parent | at_sibling).with_env(in_branch.env)._filtered_access("read"), at_parent)

    def test_users_are_searched_as_odoo_checks_them(self):
        """Users inherit contacts, whose rules come with theirs: the SQL kept for them (joins to
        the contact included) lets through what Odoo's own check does, searched again, and with a
        search that joins the contact itself."""
        parent = self.env.company
        branch, sibling = self.env["res.company"].create([
            {"name": "Branch", "parent_id": parent.id}, {"name": "Sibling", "parent_id": parent.id}])
        self.outsider.write({"company_ids": [Command.link(branch.id)]})
        portal = self.env.ref("base.group_portal")
        # portal users of the branch too (Odoo's rule of users), their contacts at the parent
        # company and at the sibling (the rule of contacts)
        at_parent, at_sibling = self.env["res.users"].create([
            {"name": f"Portal Zora {company.name}", "login": f"zora-{company.id}", "company_id": company.id,
             "company_ids": [Command.set((branch | company).ids)], "groups_id": [Command.set(portal.ids)]}
            for company in (parent, sibling)])
        at_parent.partner_id.company_id, at_sibling.partner_id.company_id = parent, sibling
        Users = self.env["res.users"].with_user(self.outsider).with_context(allowed_company_ids=[branch.id])
        candidates = (at_parent | at_sibling | self.owner).with_env(Users.env)
        for _again in range(2):
            self.assertEqual(Users.search([("id", "in", candidates.ids)]), at_parent | self.owner)
            self.assertEqual(Users.search([("name", "ilike", "Portal Zora")]), at_parent)
        self.assertEqual(candidates._filtered_access("read"), at_parent | self.owner)


@tagged("at_install", "-post_install")
class TestManagersAreCurrent(CrmSecurityCase):
    """Moving people changes what managers see at once (no stale rule cache)."""

    def test_team_move(self):
        Partner = self.env["res.partner"].with_user(self.leader)
        outsider_customer = self.env["res.partner"].with_user(self.outsider).with_context(
            res_partner_search_mode="customer").create({"name": "Outsider's customer"})
        self.assertFalse(Partner.search([("id", "=", outsider_customer.id)]))
        self.team_north.write({"crm_team_member_ids": [Command.create({"user_id": self.outsider.id})]})
        self.assertTrue(Partner.search([("id", "=", outsider_customer.id)]))
        self.team_north.crm_team_member_ids.filtered(lambda m: m.user_id == self.outsider).unlink()
        self.assertFalse(Partner.search([("id", "=", outsider_customer.id)]))

    def test_department_chain_and_manager_change(self):
        Partner = self.env["res.partner"].with_user(self.director)
        self.assertTrue(Partner.search([("id", "=", self.secret.id)]))
        self.dep_sales.parent_id = False
        self.assertFalse(Partner.search([("id", "=", self.secret.id)]))
        self.dep_sales.manager_id = self.emp["director"]
        self.assertTrue(Partner.search([("id", "=", self.secret.id)]))
        self.emp["owner"].department_id = self.dep_marketing
        self.assertFalse(Partner.search([("id", "=", self.secret.id)]))

    def test_manager_mode(self):
        self.env.company.crm_security_manager_mode = "team"
        self.assertFalse(self.env["res.partner"].with_user(self.sales_mgr).search([("id", "=", self.secret.id)]))
        self.assertTrue(self.env["res.partner"].with_user(self.leader).search([("id", "=", self.secret.id)]))
        self.env.company.crm_security_manager_mode = "department"
        self.assertTrue(self.env["res.partner"].with_user(self.sales_mgr).search([("id", "=", self.secret.id)]))
        # the leader is also in the Sales department, but does not manage it
        self.assertFalse(self.env["res.partner"].with_user(self.leader).search([("id", "=", self.secret.id)]))
