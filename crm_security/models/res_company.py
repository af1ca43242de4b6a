from odoo import fields, models


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
