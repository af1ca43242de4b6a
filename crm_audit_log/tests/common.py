from odoo.tests import TransactionCase, new_test_user


class AuditCase(TransactionCase):
    """Users with the fewest groups for each case, and helpers to read what was logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Log = cls.env["crm.audit.log"]
        cls.Line = cls.env["crm.audit.log.line"]
        cls.salesman = new_test_user(
            cls.env, login="audit_salesman", name="Audit Salesman",
            groups="sales_team.group_sale_salesman,base.group_partner_manager")
        cls.other_salesman = new_test_user(
            cls.env, login="audit_salesman2", name="Audit Salesman Two", groups="sales_team.group_sale_salesman")
        cls.auditor = new_test_user(
            cls.env, login="audit_auditor", name="Audit Auditor", groups="base.group_user,crm_audit_log.group_audit_auditor")
        cls.audit_admin = new_test_user(
            cls.env, login="audit_admin", name="Audit Admin", groups="base.group_user,crm_audit_log.group_audit_manager")
        cls.country_vn = cls.env.ref("base.vn")
        cls.country_cn = cls.env.ref("base.cn")

    def setUp(self):
        # write the fixtures' events before the test's savepoint: TransactionCase restores the
        # precommit data of setUp after each test, which would otherwise share pending events
        self.env.cr.flush()
        super().setUp()

    def events(self, records=None, operation=None, model=None):
        """Events written so far (commit-time hooks flushed), newest first."""
        self.env.cr.flush()
        domain = []
        if records is not None:
            domain.append(("record_ref", "in", [f"{records._name},{rec_id}" for rec_id in records.ids]))
        if operation:
            domain.append(("operation", "=", operation))
        if model:
            domain.append(("model", "=", model))
        return self.Log.sudo().search(domain)

    def line_map(self, event):
        """{(res_id, field): line} of an event."""
        return {(line.res_id, line.field_name): line for line in event.sudo().line_ids}

    def raw(self, line):
        return line.sudo()._crm_audit_raw_values()[line.id]
