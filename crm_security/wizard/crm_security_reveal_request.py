import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmSecurityRevealRequest(models.TransientModel):
    """Asks why before showing one protected value in full."""

    _name = "crm.security.reveal.request"
    _description = "Reveal a Protected Value"

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    field_name = fields.Selection(selection="_selection_field_name", string="Field", required=True)
    reason = fields.Text(required=True)

    @api.model
    def _selection_field_name(self):
        """Every protected field; the one chosen must be masked on the record (checked on reveal)."""
        choices = {}
        for model in ("res.partner", "crm.lead"):
            Model = self.env[model]
            for fname in Model._crm_security_protected():
                if fname in Model._fields and fname not in choices:
                    choices[fname] = Model._fields[fname]._description_string(self.env)
        return sorted(choices.items(), key=lambda item: item[1])

    def action_reveal(self):
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id)
        record.check_access("read")
        if not record.crm_security_can_reveal or self.field_name not in json.loads(record.crm_security_masked_fields):
            raise UserError(self.env._("This value cannot be revealed to you."))
        company = self.env.company.sudo()
        Reveal = self.env["crm.security.reveal"].sudo()  # sudo: reveals are written by the system
        today = fields.Datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
        if Reveal.search_count([("user_id", "=", self.env.uid), ("create_date", ">=", today)]) >= \
                company.crm_security_reveal_daily_cap:
            raise UserError(self.env._(
                "You have reached today's limit of %(cap)s reveals.", cap=company.crm_security_reveal_daily_cap))
        reveal = Reveal.create({
            "res_model": self.res_model, "res_id": self.res_id, "field_name": self.field_name,
            "reason": self.reason,
            "expires_at": fields.Datetime.now() + timedelta(minutes=company.crm_security_reveal_minutes),
        })
        record._crm_security_invalidate_masks()
        self.env["crm.security.event"]._log("reveal", record, {"field": self.field_name, "reason": self.reason,
                                                              "reveal_id": reveal.id})
        return {"type": "ir.actions.act_window_close"}  # the form behind reloads, now revealed
