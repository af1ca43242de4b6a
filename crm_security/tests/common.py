from odoo import Command
from odoo.tests import TransactionCase, new_test_user

SECRET_NAME = "Zanzibar Secret Trading"
SECRET_EMAIL = "zanzibar.boss@secret-mail.vn"
SECRET_PHONE = "+84 912 345 678"
SECRET_LEAD = "Zanzibar mega deal"


class CrmSecurityCase(TransactionCase):
    """An organisation: two sales teams in a Sales department under a Direction department.

    - owner (North team), colleague (North team), outsider (South team, Marketing department)
    - leader: leader of North; sales_mgr: manager of Sales; director: manager of Direction
    - sales_admin: Sales Administrator of standard Odoo, who must not see private data
    - data_admin: customer-data administrator
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        salesman = ("sales_team.group_sale_salesman,base.group_partner_manager,base.group_allow_export,"
                    "crm_security.group_export_customer,crm_security.group_import_customer,"
                    "crm_security.group_delete_customer")
        cls.owner = new_test_user(cls.env, "owner", groups=salesman, name="Olivia Owner")
        cls.colleague = new_test_user(cls.env, "colleague", groups=salesman, name="Colin Colleague")
        cls.outsider = new_test_user(cls.env, "outsider", groups=salesman, name="Oscar Outsider")
        cls.leader = new_test_user(cls.env, "leader", groups=salesman, name="Lena Leader")
        cls.sales_mgr = new_test_user(cls.env, "sales_mgr", groups=salesman, name="Sam Salesmanager")
        cls.director = new_test_user(cls.env, "director", groups=salesman, name="Dora Director")
        cls.sales_admin = new_test_user(
            cls.env, "sales_admin", groups="sales_team.group_sale_manager,base.group_partner_manager,base.group_allow_export,"
            "crm_security.group_export_customer",
            name="Sally Salesadmin")
        cls.data_admin = new_test_user(
            cls.env, "data_admin", groups="crm_security.group_customer_data_admin,base.group_partner_manager",
            name="Dana Dataadmin")

        cls.team_north = cls.env["crm.team"].create({
            "name": "North", "user_id": cls.leader.id,
            "crm_team_member_ids": [Command.create({"user_id": u.id}) for u in (cls.owner, cls.colleague)],
        })
        cls.team_south = cls.env["crm.team"].create({
            "name": "South", "crm_team_member_ids": [Command.create({"user_id": cls.outsider.id})],
        })
        Employee = cls.env["hr.employee"]
        cls.emp = {u.login: Employee.create({"name": u.name, "user_id": u.id})
                   for u in (cls.owner, cls.colleague, cls.outsider, cls.leader, cls.sales_mgr, cls.director)}
        Department = cls.env["hr.department"]
        cls.dep_direction = Department.create({"name": "Direction", "manager_id": cls.emp["director"].id})
        cls.dep_sales = Department.create({"name": "Sales", "parent_id": cls.dep_direction.id,
                                           "manager_id": cls.emp["sales_mgr"].id})
        cls.dep_marketing = Department.create({"name": "Marketing"})
        for login in ("owner", "colleague", "leader"):
            cls.emp[login].department_id = cls.dep_sales
        cls.emp["outsider"].department_id = cls.dep_marketing

        cls.secret = cls.env["res.partner"].with_user(cls.owner).with_context(
            res_partner_search_mode="customer").create({
                "name": SECRET_NAME, "is_company": True, "email": SECRET_EMAIL, "phone": SECRET_PHONE,
            }).with_env(cls.env)
        cls.secret_contact = cls.env["res.partner"].with_user(cls.owner).create({
            "name": "Zed Contact", "parent_id": cls.secret.id, "type": "contact",
        }).with_env(cls.env)
        cls.lead = cls.env["crm.lead"].with_user(cls.owner).create({
            "name": SECRET_LEAD, "partner_id": cls.secret.id, "type": "opportunity",
            "team_id": cls.team_north.id,
        }).with_env(cls.env)

    def assertNoSecret(self, payload, *secrets):
        """The whole payload, whatever its shape, mentions none of the secrets."""
        text = repr(payload)
        for secret in secrets or (SECRET_NAME, SECRET_EMAIL, SECRET_PHONE, SECRET_LEAD, "Zanzibar", "zanzibar"):
            self.assertNotIn(secret, text)

    def share(self, record, recipient, **values):
        field = "partner_id" if record._name == "res.partner" else "lead_id"
        values = {field: record.id, "target_type": "user", "user_id": recipient.id, **values}
        share = self.env["crm.security.share"].with_user(record.sudo()._crm_security_owner()).create(values)
        return share.with_env(self.env)
