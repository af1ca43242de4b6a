from odoo import api, fields, models


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "crm.security.owned.mixin"]

    crm_owner_id = fields.Many2one(
        "res.users",
        string="Owner",
        related="commercial_partner_id.user_id",
        store=True,
        index=True,
        help="The Salesperson of the company this contact belongs to (or of the contact itself): "
        "the person responsible for this customer.",
    )
    crm_security_share_ids = fields.One2many("crm.security.share", "partner_id", string="Shares")

    def _crm_security_owner(self):
        return self.commercial_partner_id.user_id

    def _crm_security_share_field(self):
        return "partner_id"

    @api.model
    def _crm_security_is_new_customer(self, vals):
        if vals.get("parent_id"):
            return False  # contacts follow their company's owner
        if "customer_rank" in vals:
            return vals["customer_rank"] > 0
        return self.env.context.get("res_partner_search_mode") == "customer"

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if ("user_id" in fields_list and "user_id" not in values and not self.env.user.share
                and self._crm_security_is_new_customer(values)):
            values["user_id"] = self.env.uid
        return values

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not self._crm_security_is_new_customer(vals):
                continue
            if "user_id" not in vals and not self.env.su and not self.env.user.share:
                vals["user_id"] = self.env.uid
            if vals.get("user_id") != self.env.uid:
                self.browse()._crm_security_check_target_owner(vals.get("user_id"))
        return super().create(vals_list)

    def write(self, vals):
        if "user_id" not in vals or self.env.su:
            return super().write(vals)
        owned = self.filtered(lambda p: not p.parent_id)
        owned._crm_security_check_owner_change(vals["user_id"])
        self.check_access("write")
        old_owners = {p.id: p.sudo().user_id for p in owned}
        if rest := {k: v for k, v in vals.items() if k != "user_id"}:
            super().write(rest)
        # sudo: the change of owner was checked above, and the former owner may lose
        # access to the record (and its contacts) in the middle of the write
        super(ResPartner, self.sudo()).write({"user_id": vals["user_id"]})
        owned._crm_security_log_handover(old_owners)
        return True

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if not self.env.su and not self.env.user._crm_security_is_data_admin():
            # a copy belongs to whoever makes it, never silently to somebody else
            for partner, vals in zip(self, vals_list, strict=True):
                if not partner.parent_id and "user_id" not in (default or {}):
                    vals["user_id"] = self.env.uid
        return vals_list
