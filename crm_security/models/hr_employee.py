from odoo import api, models, tools

# Employee fields that record rules read (a user's departments, see ir_rule._eval_context).
RULE_INPUTS = {"user_id", "department_id", "active", "company_id"}


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    @api.model
    @tools.ormcache("uid")
    def _crm_security_department_ids(self, uid):
        """Departments of all the user's active employees (several companies); cached: every
        change of these employees clears the caches."""
        # sudo: the user's own departments, to decide what the matrix lets them see
        return tuple(self.sudo().with_context(active_test=True).search([("user_id", "=", uid)]).department_id.ids)

    @api.model_create_multi
    def create(self, vals_list):
        employees = super().create(vals_list)
        if any(vals.get("user_id") and vals.get("department_id") for vals in vals_list):
            self.env.registry.clear_cache()  # record rules cache the user's departments
        return employees

    def write(self, vals):
        result = super().write(vals)
        if RULE_INPUTS & set(vals):
            self.env.registry.clear_cache()  # record rules cache the user's departments
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
