from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

PROTECTABLE_MODELS = ("res.partner", "crm.lead")
# Stored copies of a protected field, masked with it (same kind).
DERIVED_FIELDS = {
    "res.partner": {"email": ("email_normalized", "email_formatted"), "phone": ("phone_sanitized",),
                    "mobile": ("phone_sanitized",)},
    "crm.lead": {"email_from": ("email_normalized", "email_domain_criterion"), "phone": ("phone_sanitized",),
                 "mobile": ("phone_sanitized",)},
}


class CrmSecurityField(models.Model):
    """A field of customers or leads whose value only the owner and the authorised see."""

    _name = "crm.security.field"
    _description = "Protected Field"
    _order = "model_id, sequence, id"

    sequence = fields.Integer(default=10)
    model_id = fields.Many2one(
        "ir.model", string="Model", required=True, ondelete="cascade",
        domain=[("model", "in", PROTECTABLE_MODELS)],
    )
    model = fields.Char(string="Model Name", related="model_id.model", store=True)
    field_id = fields.Many2one(
        "ir.model.fields", string="Field", required=True, ondelete="cascade",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('char', 'text')), ('store', '=', True)]",
    )
    field_name = fields.Char(related="field_id.name", store=True)
    classification = fields.Selection(
        [("sensitive", "Sensitive"), ("confidential", "Confidential")], required=True, default="sensitive",
    )
    kind = fields.Selection(
        [("email", "E-mail"), ("phone", "Phone"), ("other", "Other")], required=True, default="other",
        help="E-mail and phone fields are shown in full to the holders of "
        "'See customer e-mails' and 'See customer phone numbers'.",
    )
    write_policy = fields.Selection(
        [("owner", "Only who sees the value"), ("editor", "Anyone who can edit the record")],
        string="Who may change it", required=True, default="owner",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        ("field_unique", "UNIQUE(field_id)", "This field is already protected."),
    ]

    @api.constrains("model_id", "field_id")
    def _check_field(self):
        for rec in self:
            if rec.field_id.model_id != rec.model_id:
                raise ValidationError(self.env._("The field must belong to the chosen model."))
            if rec.field_id.ttype not in ("char", "text") or not rec.field_id.store:
                raise ValidationError(self.env._("Only stored text fields can be protected."))

    @api.model
    @tools.ormcache("model_name")
    def _protected_fields(self, model_name):
        """{field name: (kind, write policy)} of a model, with the stored copies of each field."""
        # sudo: configuration is read to apply it, nothing is returned to the user
        result = {}
        for rec in self.sudo().search([("model", "=", model_name)]):
            result[rec.field_name] = (rec.kind, rec.write_policy)
            for derived in DERIVED_FIELDS.get(model_name, {}).get(rec.field_name, ()):
                result.setdefault(derived, (rec.kind, "owner"))
        return result

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()
        self.env["res.partner"]._crm_security_invalidate_masks()
        self.env["crm.security.event"]._log("policy", records)
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        self.env["res.partner"]._crm_security_invalidate_masks()
        self.env["crm.security.event"]._log("policy", self)
        return result

    def unlink(self):
        self.env["crm.security.event"]._log("policy", self)
        result = super().unlink()
        self.env.registry.clear_cache()
        self.env["res.partner"]._crm_security_invalidate_masks()
        return result
