from odoo import api, fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    crm_security_supervision_ids = fields.One2many(
        "crm.security.supervision", "user_id", string="Managed by", readonly=True
    )
    crm_security_subordinate_ids = fields.One2many(
        "crm.security.supervision", "supervisor_id", string="Manages", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the partner of a user is not a customer: no default owner
        return super(ResUsers, self.with_context(crm_security_no_default_owner=True)).create(vals_list)

    def _crm_security_masked_value(self, fname, value):
        """Users' contact fields come from their partner (_inherits); a user's partner is not a
        customer, so nothing is masked here."""
        return value

    def _crm_security_is_data_admin(self):
        self.ensure_one()
        return self._is_superuser() or self.has_group("crm_security.group_customer_data_admin")

    def _crm_security_colleague_ids(self):
        """Users this user may hand records over to: members and leaders of their sales teams,
        members of their departments, and the people they manage."""
        self.ensure_one()
        # sudo: team and employee data are read to decide, nothing is returned but user ids
        user = self.sudo()
        teams = user.crm_team_member_ids.crm_team_id
        users = teams.crm_team_member_ids.user_id | teams.user_id
        departments = user.employee_ids.department_id
        users |= departments.member_ids.user_id | departments.manager_id.user_id
        users |= user.crm_security_subordinate_ids.user_id
        return set((users - self).filtered("active").ids)

    @api.model
    def _crm_security_supervised_ids(self, user_ids):
        """Map each given owner to the set of users who manage them."""
        rows = self.env["crm.security.supervision"].sudo().search_read(
            [("user_id", "in", list(user_ids))], ["user_id", "supervisor_id"]
        )
        result = {uid: set() for uid in user_ids}
        for row in rows:
            result[row["user_id"][0]].add(row["supervisor_id"][0])
        return result
