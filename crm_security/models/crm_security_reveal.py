from odoo import api, fields, models


class CrmSecurityReveal(models.Model):
    """A user saw one protected value in full, for a while, for a stated reason."""

    _name = "crm.security.reveal"
    _description = "Protected Value Reveal"
    _order = "create_date desc, id desc"

    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True, default=lambda s: s.env.user)
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(string="Record", model_field="res_model", required=True, readonly=True)
    field_name = fields.Char(string="Field", required=True, readonly=True)
    reason = fields.Text(required=True, readonly=True)
    expires_at = fields.Datetime(string="Visible until", required=True, readonly=True)

    @api.model
    def _current_keys(self, model_name):
        """(record id, field) pairs the user currently sees revealed, cached per transaction."""
        cache = self.env.cr.precommit.data.setdefault("crm_security.reveals", {})
        key = (self.env.uid, model_name)
        if key not in cache and not self.env.user.has_group("crm_security.group_crm_security_reveal"):
            cache[key] = set()  # reveals are for those who hold the right, while they hold it
        if key not in cache:
            # sudo: the user's own reveals, read to decide what to unmask
            rows = self.sudo().search_read([
                ("user_id", "=", self.env.uid), ("res_model", "=", model_name),
                ("expires_at", ">", fields.Datetime.now()),
            ], ["res_id", "field_name"])
            cache[key] = {(row["res_id"], row["field_name"]) for row in rows}
        return cache[key]
