from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

SHARED_MODELS = {"res.partner": "partner_id", "crm.lead": "lead_id"}


class CrmSecurityShare(models.Model):
    """A time-limited grant of one customer or lead to a user, a sales team or a department."""

    _name = "crm.security.share"
    _description = "Record Share"
    _order = "active desc, create_date desc, id desc"
    _rec_name = "recipient_name"

    partner_id = fields.Many2one("res.partner", string="Customer", ondelete="cascade", index=True)
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity", ondelete="cascade", index=True)
    target_type = fields.Selection(
        [("user", "User"), ("team", "Sales Team"), ("department", "Department")],
        string="Share with",
        required=True,
        default="user",
    )
    user_id = fields.Many2one("res.users", string="User", index=True, domain=[("share", "=", False)])
    team_id = fields.Many2one("crm.team", string="Sales Team", index=True)
    department_id = fields.Many2one("hr.department", string="Department", index=True)
    recipient_name = fields.Char(string="Recipient", compute="_compute_recipient_name")
    level = fields.Selection(
        [("read", "Read only"), ("edit", "Read and edit")], required=True, default="read"
    )
    include_sensitive = fields.Boolean(
        string="Including sensitive data",
        help="The recipients also see the protected fields (e-mail, phone, ...) of the record.",
    )
    expires_at = fields.Datetime(string="Expires on", help="Leave empty for a share that lasts until revoked.")
    reason = fields.Text()
    granted_by_id = fields.Many2one(
        "res.users", string="Shared by", default=lambda self: self.env.user, readonly=True
    )
    active = fields.Boolean(default=True, readonly=True)
    revoked_by_id = fields.Many2one("res.users", string="Revoked by", readonly=True)
    revoked_at = fields.Datetime(string="Revoked on", readonly=True)
    is_current = fields.Boolean(
        string="In force", compute="_compute_is_current", search="_search_is_current"
    )
    state = fields.Selection(
        [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")], compute="_compute_is_current"
    )

    _sql_constraints = [
        (
            "one_record",
            "CHECK((partner_id IS NULL) != (lead_id IS NULL))",
            "A share is for exactly one customer or one lead.",
        ),
    ]

    @api.depends("target_type", "user_id", "team_id", "department_id")
    def _compute_recipient_name(self):
        for share in self:
            target = share[share.target_type + "_id"]
            share.recipient_name = target.sudo().display_name or ""

    @api.depends("active", "expires_at")
    @api.depends_context("uid")
    def _compute_is_current(self):
        now = fields.Datetime.now()
        for share in self:
            expired = bool(share.expires_at and share.expires_at <= now)
            share.is_current = share.active and not expired
            share.state = "revoked" if not share.active else ("expired" if expired else "active")

    def _search_is_current(self, operator, value):
        """Evaluated when each query is built, so a share stops at its expiry to the second,
        even inside the cached domain of a record rule."""
        if operator not in ("=", "!="):
            raise NotImplementedError(operator)
        current = ["&", ("active", "=", True), "|", ("expires_at", "=", False),
                   ("expires_at", ">", fields.Datetime.now())]
        return current if (operator == "=") == bool(value) else ["!", *current]

    # ------------------------------------------------------------------ checks
    def _crm_security_record(self):
        self.ensure_one()
        return self.partner_id or self.lead_id

    @api.constrains("target_type", "user_id", "team_id", "department_id")
    def _check_target(self):
        for share in self:
            field = {"user": "user_id", "team": "team_id", "department": "department_id"}[share.target_type]
            if not share[field]:
                raise ValidationError(self.env._("Choose who to share with."))
            if share.user_id and not share.user_id.active:
                raise ValidationError(self.env._("You cannot share with an archived user."))
            if share.user_id and share.user_id.share:
                raise ValidationError(self.env._("You can only share with internal users."))
            if share.user_id and share.user_id == share.granted_by_id:
                raise ValidationError(self.env._("You cannot share a record with yourself."))

    @api.constrains("expires_at")
    def _check_expiry(self):
        now = fields.Datetime.now()
        for share in self:
            if share.expires_at and share.expires_at <= now and share.active:
                raise ValidationError(self.env._("The expiry date must be in the future."))

    def _check_may_share(self):
        """Only the owner, the owner's managers and customer-data administrators share a record."""
        user = self.env.user
        if user._crm_security_is_data_admin():
            return
        for share in self:
            record = share._crm_security_record()
            owner = record.sudo()._crm_security_owner()
            if owner == user:
                continue
            if owner and user.id in self.env["res.users"]._crm_security_supervised_ids([owner.id])[owner.id]:
                continue
            raise AccessError(
                self.env._("Only the owner of a record, the owner's managers and customer-data "
                           "administrators can share it or revoke its shares.")
            )

    @api.model_create_multi
    def create(self, vals_list):
        shares = super().create(vals_list)
        shares._check_may_share()
        self.env["res.partner"]._crm_security_invalidate_masks()
        for share in shares:
            record = share._crm_security_record()
            record._crm_security_notify_share(share)
        self.env["crm.security.event"]._log("share", shares)
        return shares

    def write(self, vals):
        if set(vals) - {"active", "revoked_by_id", "revoked_at", "expires_at", "reason"}:
            raise AccessError(self.env._("A share cannot be changed: revoke it and share again."))
        self._check_may_share()
        self.env["res.partner"]._crm_security_invalidate_masks()
        return super().write(vals)

    def action_revoke(self):
        shares = self.filtered("active")
        shares._check_may_share()
        # sudo: the revocation fields are readonly for the UI, the check above is the guard
        shares.sudo().write({"active": False, "revoked_by_id": self.env.uid, "revoked_at": fields.Datetime.now()})
        self.env["crm.security.event"]._log("revoke", shares)
        return True
