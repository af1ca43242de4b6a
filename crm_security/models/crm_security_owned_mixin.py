from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_datetime


class CrmSecurityOwnedMixin(models.AbstractModel):
    """Customer data with an owner: hand-over rules, sharing, and what the form needs.

    Visibility itself is enforced by record rules (see crm_security_rules.py); this mixin
    guards the owner field, which those rules depend on.
    """

    _name = "crm.security.owned.mixin"
    _description = "Customer Data with an Owner"

    crm_security_can_share = fields.Boolean(compute="_compute_crm_security_can_share")
    crm_security_share_count = fields.Integer(
        string="Active Shares", compute="_compute_crm_security_share_count"
    )

    def _crm_security_owner(self):
        """The user who owns this record (empty when company-wide)."""
        raise NotImplementedError

    def _crm_security_share_field(self):
        raise NotImplementedError

    @api.depends_context("uid")
    def _compute_crm_security_can_share(self):
        user = self.env.user
        if user._crm_security_is_data_admin():
            self.crm_security_can_share = True
            return
        # sudo: owners are read to decide, not returned
        owners = {rec.id: rec.sudo()._crm_security_owner() for rec in self}
        supervised = self.env["res.users"]._crm_security_supervised_ids([o.id for o in owners.values() if o])
        for rec in self:
            owner = owners[rec.id]
            rec.crm_security_can_share = bool(owner) and (owner == user or user.id in supervised[owner.id])

    def _compute_crm_security_share_count(self):
        field = self._crm_security_share_field()
        groups = self.env["crm.security.share"]._read_group(
            [(field, "in", self.ids), ("is_current", "=", True)], [field], ["__count"]
        )
        counts = {record.id: count for record, count in groups}
        for rec in self:
            rec.crm_security_share_count = counts.get(rec.id, 0)

    # ------------------------------------------------------------------ operation rights
    @api.ondelete(at_uninstall=False)
    def _unlink_except_crm_security_rights(self):
        """Deleting needs its right; more than the company's limit at once needs the bulk right."""
        user = self.env.user
        if self.env.su:
            return
        if not user.has_group("crm_security.group_delete_customer"):
            raise AccessError(self.env._("You are not allowed to delete customers or leads."))
        limit = self.env.company.crm_security_bulk_delete_limit
        if len(self) > limit:
            if not user.has_group("crm_security.group_bulk_delete"):
                raise AccessError(self.env._(
                    "Deleting %(count)s records at once needs the 'Bulk delete' right (more than %(limit)s).",
                    count=len(self), limit=limit))
            self.env["crm.security.access"]._require_identity()

    def export_data(self, fields_to_export):
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return super().export_data(fields_to_export)
        if not user.has_group("crm_security.group_export_customer"):
            raise AccessError(self.env._("You are not allowed to export customers or leads."))
        company = self.env.company
        protected = set(self._crm_security_protected()) if hasattr(self, "_crm_security_protected") else set()
        exported = {path.split("/")[0] for path in fields_to_export}
        if user.has_group("crm_security.group_export_sensitive"):
            if exported & protected:
                self.env["crm.security.access"]._require_identity()
            return super().export_data(fields_to_export)
        if len(self) > company.crm_security_export_row_limit:
            raise AccessError(self.env._(
                "You may export at most %(limit)s records at once.", limit=company.crm_security_export_row_limit))
        if exported & protected:
            if company.crm_security_export_protected == "refuse":
                raise AccessError(self.env._("You are not allowed to export protected fields."))
            # more masking, never less: the values are exported as the user sees them, or masked
            self = self.with_context(crm_security_export_masked=True)
        return super().export_data(fields_to_export)

    @api.model
    def load(self, fields, data):
        if not self.env.su and not self.env.user.has_group("crm_security.group_import_customer"):
            raise AccessError(self.env._("You are not allowed to import customers or leads."))
        return super().load(fields, data)

    # ------------------------------------------------------------------ owner changes
    def _crm_security_check_target_owner(self, new_owner_id):
        """Whom the current user may give customer data to: themselves or a colleague."""
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return
        if not new_owner_id:
            raise UserError(self.env._(
                "Only customer-data administrators can leave a customer or lead without owner."))
        if new_owner_id != user.id and new_owner_id not in user._crm_security_colleague_ids():
            raise UserError(self.env._(
                "You can hand a record over only to a colleague of your sales team or department. "
                "Ask a customer-data administrator for other transfers."))

    def _crm_security_check_owner_change(self, new_owner_id):
        """Owners and their managers hand records over to colleagues; administrators do anything."""
        user = self.env.user
        if self.env.su or user._crm_security_is_data_admin():
            return
        # sudo: owners are read to decide, not returned
        owners = {rec.id: rec.sudo()._crm_security_owner() for rec in self}
        changing = self.filtered(lambda rec: owners[rec.id].id != (new_owner_id or False))
        if not changing:
            return
        if any(not owners[rec.id] for rec in changing):
            raise UserError(self.env._(
                "This record has no owner yet: a customer-data administrator assigns it."))
        supervised = self.env["res.users"]._crm_security_supervised_ids({o.id for o in owners.values()})
        if any(owners[rec.id] != user and user.id not in supervised[owners[rec.id].id] for rec in changing):
            raise AccessError(self.env._(
                "Only the owner of a record or the owner's managers can hand it over."))
        self._crm_security_check_target_owner(new_owner_id)

    def _crm_security_log_handover(self, old_owners):
        self.env["res.partner"]._crm_security_invalidate_masks()
        changed = self.filtered(lambda r: old_owners.get(r.id) != r.sudo()._crm_security_owner())
        for rec in changed:
            old = old_owners.get(rec.id)
            new = rec.sudo()._crm_security_owner()
            # sudo: the former owner may no longer read the record they just handed over
            rec.sudo()._message_log(body=self.env._(
                "Owner changed from %(old)s to %(new)s by %(user)s.",
                old=old.name if old else self.env._("nobody"),
                new=new.name if new else self.env._("nobody"),
                user=self.env.user.name,
            ))
        if changed:
            self.env["crm.security.event"]._log("handover", changed, {
                "old_owner_ids": {rec.id: old_owners[rec.id].id for rec in changed},
            })

    # ------------------------------------------------------------------ sharing
    def action_crm_security_share(self):
        self.ensure_one()
        if not self.crm_security_can_share:
            raise AccessError(self.env._(
                "Only the owner of a record, the owner's managers and customer-data "
                "administrators can share it."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Share %(name)s", name=self.display_name),
            "res_model": "crm.security.share",
            "view_mode": "form",
            "views": [(self.env.ref("crm_security.crm_security_share_view_form_dialog").id, "form")],
            "target": "new",
            "context": {f"default_{self._crm_security_share_field()}": self.id},
        }

    def action_crm_security_view_shares(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Shares"),
            "res_model": "crm.security.share",
            "view_mode": "list,form",
            "domain": [(self._crm_security_share_field(), "=", self.id)],
            "context": {"active_test": False, f"default_{self._crm_security_share_field()}": self.id},
        }

    def _crm_security_notify_share(self, share):
        self._message_log(body=self.env._(
            "Shared with %(recipient)s (%(level)s) until %(expiry)s by %(user)s.",
            recipient=share.recipient_name,
            level=dict(share._fields["level"]._description_selection(self.env))[share.level],
            expiry=format_datetime(self.env, share.expires_at) if share.expires_at else self.env._("revoked"),
            user=self.env.user.name,
        ))
