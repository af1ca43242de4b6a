from odoo import api, fields, models

# Company settings that record rules read when they are built (see ir_rule._eval_context).
RULE_INPUTS = {"crm_security_private_customers", "crm_security_private_leads", "crm_security_matrix_leads"}


class ResCompany(models.Model):
    _inherit = "res.company"

    crm_security_private_customers = fields.Boolean(
        string="Private Customers",
        default=True,
        help="Customers are visible only to their owner, the owner's managers, "
        "the users they are shared with and customer-data administrators.",
    )
    crm_security_private_leads = fields.Boolean(
        string="Private Leads",
        default=True,
        help="Leads and opportunities are visible only to their owner, the owner's managers, "
        "the users they are shared with and customer-data administrators.",
    )
    crm_security_manager_mode = fields.Selection(
        selection=[
            ("team", "Sales team leader"),
            ("department", "Department managers"),
            ("both", "Team leader and department managers"),
        ],
        string="Managers",
        default="both",
        required=True,
        help="Who counts as a manager of a record's owner and so sees the owner's records.",
    )

    crm_security_managers_see_sensitive = fields.Boolean(
        string="Managers See Protected Fields",
        default=True,
        help="The managers of a record's owner see its protected fields (e-mail, phone, ...) in full.",
    )
    crm_security_exact_search = fields.Boolean(
        string="Exact Search on Protected Fields",
        help="Let users find a record by the exact value of a protected field (e.g. a full e-mail "
        "address) even when they only see it masked. Partial searches stay limited.",
    )

    crm_security_reveal_enabled = fields.Boolean(
        string="Reveal on Demand",
        help="Authorised users may reveal one protected value for a short time, giving a reason.",
    )
    crm_security_reveal_minutes = fields.Integer(string="Reveal Duration (minutes)", default=15)
    crm_security_reveal_daily_cap = fields.Integer(string="Reveals per User per Day", default=10)

    crm_security_matrix_leads = fields.Boolean(
        string="Leads Follow the Matrix",
        help="Departments also see the leads of the customers their matrix cells let them see.",
    )
    crm_security_inactive_days = fields.Integer(
        string="Inactive After (days)", default=365,
        help="Customers without activity for this many days move to the Inactive stage.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # the partner of a company is not a customer: no default owner
        companies = super(ResCompany, self.with_context(crm_security_no_default_owner=True)).create(vals_list)
        # the partners of companies stay visible to everyone: rules list them
        self.env.registry.clear_cache()
        return companies

    def write(self, vals):
        result = super().write(vals)
        if any(fname.startswith("crm_security_") for fname in vals):
            self.env["res.partner"]._crm_security_invalidate_masks()
        if RULE_INPUTS & set(vals):
            # rules cache their domain per user: rebuild them now, in every worker
            self.env.registry.clear_cache()
        return result
