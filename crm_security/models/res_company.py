from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .crm_security_access import client_info

# Company settings that record rules read when they are built (see ir_rule._eval_context).
POLICY_FIELDS = {"crm_security_ip_mode", "crm_security_breakglass_user_id", "crm_security_2fa_group_ids"}
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

    crm_security_ip_mode = fields.Selection(
        [("off", "Off"), ("audit", "Audit only (record, do not deny)"), ("enforce", "Enforced")],
        string="IP Allowlist", default="off", required=True,
        help="Users may connect only from the listed addresses (web, JSON-RPC, XML-RPC, API keys). "
        "In audit-only mode, what would be denied is recorded but allowed.",
    )
    crm_security_ip_rule_ids = fields.One2many("crm.security.ip.rule", "company_id", string="Allowed Addresses")
    crm_security_breakglass_user_id = fields.Many2one(
        "res.users", string="Break-glass Administrator", default=lambda self: self.env.ref("base.user_admin", False),
        help="Never blocked by the IP allowlist, so that somebody can always get in (every login is recorded).",
    )
    crm_security_email_domain_ids = fields.One2many(
        "crm.security.email.domain", "company_id", string="Company E-mail Domains")
    crm_security_2fa_group_ids = fields.Many2many(
        "res.groups", "crm_security_company_2fa_group_rel", string="Groups Requiring 2FA",
        help="Their members sign in with two-factor authentication (an authenticator app, else a code by "
        "e-mail) and must use API keys for RPC.",
    )
    crm_security_export_row_limit = fields.Integer(
        string="Export Row Limit", default=1000,
        help="Users without 'Export sensitive fields' may export at most this many customers or leads at once.",
    )
    crm_security_export_protected = fields.Selection(
        [("mask", "Export masked values"), ("refuse", "Refuse the export")],
        string="Protected Fields in Exports", default="mask", required=True,
        help="What happens when a user without 'Export sensitive fields' exports a protected field.",
    )
    crm_security_bulk_delete_limit = fields.Integer(
        string="Bulk Delete Above", default=20,
        help="Deleting more records than this at once needs the 'Bulk delete' right.",
    )

    def _crm_security_policy_changed(self):
        """Apply at once in every worker, and refuse a policy that locks out who saves it."""
        self.env.registry.clear_cache()
        self.env["crm.security.event"]._log("policy", self)
        for company in self:
            if company.crm_security_ip_mode != "off" and not company.crm_security_ip_rule_ids:
                raise ValidationError(self.env._(
                    "The IP allowlist of %(company)s is enabled but lists no address.", company=company.name))
        ip = client_info()[0]
        denial = ip and not self.env.su and self.env["crm.security.access"].sudo()._ip_denial(self.env.uid, ip)
        if denial and denial[0] == "enforce":
            raise ValidationError(self.env._(
                "This policy would lock you out: your address %(ip)s is not allowed. Add it first.", ip=ip))

    @api.model_create_multi
    def create(self, vals_list):
        # the partner of a company is not a customer: no default owner
        companies = super(ResCompany, self.with_context(crm_security_no_default_owner=True)).create(vals_list)
        # the partners of companies stay visible to everyone: rules list them
        self.env.registry.clear_cache()
        return companies

    def write(self, vals):
        if POLICY_FIELDS & set(vals):
            self.env["crm.security.access"]._require_identity()
        result = super().write(vals)
        if POLICY_FIELDS & set(vals):
            self._crm_security_policy_changed()
        if any(fname.startswith("crm_security_") for fname in vals):
            self.env["res.partner"]._crm_security_invalidate_masks()
        if RULE_INPUTS & set(vals):
            # rules cache their domain per user: rebuild them now, in every worker
            self.env.registry.clear_cache()
        return result
