from odoo import models

from ..tools.masking import mask


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def _tracking_value_format_model(self, model):
        """Chatter tracking shows old and new values: mask those of protected fields."""
        formatted = super()._tracking_value_format_model(model)
        if not model or not hasattr(self.env[model], "_crm_security_protected"):
            return formatted
        Model = self.env[model]
        protected = Model._crm_security_protected()
        trackings = {tracking.id: tracking for tracking in self}
        for values in formatted:
            fname = values["fieldName"]
            if fname not in protected:
                continue
            record = Model.browse(trackings[values["id"]].mail_message_id.res_id)
            if record._crm_security_field_masked(fname):
                for side in ("oldValue", "newValue"):
                    values[side]["value"] = mask(protected[fname][0], values[side]["value"])
        return formatted
