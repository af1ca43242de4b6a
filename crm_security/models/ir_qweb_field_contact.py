from odoo import api, models

CONTACT_FIELDS = ["name", "address", "phone", "mobile", "email"]


class IrQwebFieldContact(models.AbstractModel):
    _inherit = "ir.qweb.field.contact"

    @api.model
    def value_to_html(self, value, options):
        """Reports print a partner's contact block as superuser: leave out what the user only sees masked."""
        if value and value._name == "res.partner" and len(value) == 1:
            hidden = {fname for fname in ("phone", "mobile", "email") if value._crm_security_field_masked(fname)}
            if hidden:
                options = dict(options, fields=[f for f in options.get("fields") or CONTACT_FIELDS if f not in hidden])
        return super().value_to_html(value, options)
