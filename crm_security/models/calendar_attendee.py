from odoo import models


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    def _read_format(self, fnames, load="_classic_read"):
        """The partner's contact details shown here are related fields: mask them as the partner does."""
        result = super()._read_format(fnames, load)
        for values in result:
            record = self.browse(values["id"])
            for fname in ("email", "phone"):
                if values.get(fname):
                    values[fname] = record._crm_security_masked_value(fname, values[fname])
        return result

    def _crm_security_masked_value(self, fname, value):
        """An attendee shows its partner's e-mail and phone: mask them as the partner does."""
        if fname not in ("email", "phone") or not value:
            return value
        return self.partner_id._crm_security_masked_value(fname, value)
