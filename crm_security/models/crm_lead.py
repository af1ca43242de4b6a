from odoo import api, fields, models
from odoo.osv import expression

# lead field -> partner field it is copied from
COPIED_FROM_PARTNER = {"email_from": "email", "phone": "phone", "mobile": "mobile"}


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "crm.security.owned.mixin", "crm.security.masked.mixin"]

    crm_security_share_ids = fields.One2many("crm.security.share", "lead_id", string="Shares")

    def _crm_security_owner(self):
        return self.user_id

    def _crm_security_share_field(self):
        return "lead_id"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                owner = vals.get("user_id", self.env.context.get("default_user_id", self.env.uid))
                if owner != self.env.uid:
                    self.browse()._crm_security_check_target_owner(owner)
        leads = super().create(vals_list)
        leads._crm_security_update_customer_stages()
        return leads

    def _crm_security_update_customer_stages(self):
        """Customers move forward with their leads: Lead, Opportunity, Customer when won,
        Returning customer on the second won opportunity."""
        for lead in self.filtered(lambda lead: lead.partner_id and lead.active):
            partner = lead.partner_id
            if lead.stage_id.is_won:
                # sudo: counts the customer's won deals, whoever owns them
                won = self.sudo().search_count([("partner_id", "child_of", partner.commercial_partner_id.id),
                                                 ("stage_id.is_won", "=", True)])
                partner._crm_security_move_stage("returning" if won > 1 else "customer")
            else:
                partner._crm_security_move_stage("opportunity" if lead.type == "opportunity" else "lead")

    def write(self, vals):
        vals = self._crm_security_guard_protected_write(vals)
        moves_stage = bool({"stage_id", "type", "partner_id", "active", "probability"} & set(vals))
        if "user_id" in vals and not self.env.su:
            result = self._crm_security_write_owner(
                vals, self, lambda records, values: super(CrmLead, records).write(values))
        else:
            result = super().write(vals)
        if moves_stage:
            self._crm_security_update_customer_stages()
        return result

    def copy_data(self, default=None):
        vals_list = super().copy_data(default)
        if not self.env.su and not self.env.user._crm_security_is_data_admin():
            for vals in vals_list:
                if "user_id" not in (default or {}):
                    vals["user_id"] = self.env.uid
        return vals_list

    def _compute_potential_lead_duplicates(self):
        """crm looks for duplicates as superuser: show only those the user may see."""
        super()._compute_potential_lead_duplicates()
        if self.env.su:
            return
        for lead in self:
            visible = lead.duplicate_lead_ids._filtered_access("read")
            lead.duplicate_lead_ids = visible
            lead.duplicate_lead_count = len(visible - lead)

    def _message_get_suggested_recipients(self):
        return self._crm_security_mask_suggestions(super()._message_get_suggested_recipients())

    def _crm_security_keep_from_masked_partner(self, lead_field, compute):
        """crm copies e-mail and phones from the customer as superuser: never copy a value the
        current user only sees masked, or the lead would show it in full."""
        before = {lead: lead[lead_field] for lead in self}
        compute()
        partner_field = COPIED_FROM_PARTNER[lead_field]
        for lead in self:
            partner = lead.partner_id
            if (partner and lead[lead_field] and lead[lead_field] != before[lead]
                    and partner._crm_security_field_masked(partner_field)):
                lead[lead_field] = False

    def _compute_email_from(self):
        return self._crm_security_keep_from_masked_partner("email_from", super()._compute_email_from)

    def _compute_phone(self):
        return self._crm_security_keep_from_masked_partner("phone", super()._compute_phone)

    def _compute_mobile(self):
        return self._crm_security_keep_from_masked_partner("mobile", super()._compute_mobile)

    def _search_phone_mobile_search(self, operator, value):
        """phone_validation searches numbers in raw SQL: keep it to records whose numbers the user sees."""
        domain = super()._search_phone_mobile_search(operator, value)
        if self._crm_security_restricted("phone") or self._crm_security_restricted("mobile"):
            domain = expression.AND([domain, self._crm_security_unmasked_domain()])
        return domain
