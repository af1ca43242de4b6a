from odoo import api, fields, models
from odoo.exceptions import UserError

STAGE_CODES = [
    ("new", "New contact"),
    ("lead", "Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer (has bought)"),
    ("returning", "Returning customer"),
    ("inactive", "Inactive"),
]


class CrmCustomerStage(models.Model):
    """A step of the customer lifecycle; the visibility matrix grants departments access per stage."""

    _name = "crm.customer.stage"
    _description = "Customer Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    code = fields.Selection(
        STAGE_CODES, help="Automatic transitions move customers to the stage with this code.", copy=False)
    fold = fields.Boolean(string="Folded in Kanban")
    active = fields.Boolean(default=True)
    customer_count = fields.Integer(compute="_compute_customer_count", string="Customers")

    _sql_constraints = [("code_unique", "UNIQUE(code)", "Another stage already has this automatic role.")]

    def _compute_customer_count(self):
        # sudo: a count per stage, for configurators, whatever they may read
        groups = self.env["res.partner"].sudo()._read_group(
            [("customer_stage_id", "in", self.ids)], ["customer_stage_id"], ["__count"])
        counts = {stage.id: count for stage, count in groups}
        for stage in self:
            stage.customer_count = counts.get(stage.id, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        for stage in self:
            if stage.customer_count:
                raise UserError(self.env._(
                    "The stage %(stage)s is used by %(count)s customers: move them to another stage first.",
                    stage=stage.name, count=stage.customer_count))

    @api.model
    def _by_code(self, code):
        return self.search([("code", "=", code)], limit=1)
