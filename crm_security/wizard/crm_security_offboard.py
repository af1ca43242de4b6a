from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class CrmSecurityOffboard(models.TransientModel):
    """Hand everything a leaving user owns to colleagues, revoke their shares, lock them out."""

    _name = "crm.security.offboard"
    _description = "Offboard a User"

    user_id = fields.Many2one("res.users", string="Leaving user", required=True,
                              domain=[("share", "=", False)])
    mode = fields.Selection(
        [("user", "To one colleague"), ("team", "Spread over a sales team")],
        string="Transfer", required=True, default="user",
    )
    target_user_id = fields.Many2one("res.users", string="Colleague", domain=[("share", "=", False)])
    target_team_id = fields.Many2one("crm.team", string="Sales Team")
    archive_user = fields.Boolean(string="Archive the user and end their sessions", default=True)
    customer_count = fields.Integer(compute="_compute_counts", string="Customers")
    lead_count = fields.Integer(compute="_compute_counts", string="Leads/Opportunities")
    activity_count = fields.Integer(compute="_compute_counts", string="Open Activities")
    share_count = fields.Integer(compute="_compute_counts", string="Shares received")
    summary = fields.Html(readonly=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Done")], default="draft")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.users" and self.env.context.get("active_id"):
            values.setdefault("user_id", self.env.context["active_id"])
        return values

    def _owned(self):
        self.ensure_one()
        user = self.user_id
        # sudo: the administrator running this sees everything; the search must not depend on rules
        partners = self.env["res.partner"].sudo().with_context(active_test=False).search(
            [("user_id", "=", user.id), ("parent_id", "=", False)])
        leads = self.env["crm.lead"].sudo().with_context(active_test=False).search([("user_id", "=", user.id)])
        activities = self.env["mail.activity"].sudo().search([("user_id", "=", user.id)])
        shares = self.env["crm.security.share"].sudo().search([("user_id", "=", user.id)])
        return partners, leads, activities, shares

    @api.depends("user_id")
    def _compute_counts(self):
        for wizard in self:
            if not wizard.user_id:
                wizard.customer_count = wizard.lead_count = wizard.activity_count = wizard.share_count = 0
                continue
            partners, leads, activities, shares = wizard._owned()
            wizard.customer_count, wizard.lead_count = len(partners), len(leads)
            wizard.activity_count, wizard.share_count = len(activities), len(shares)

    def _targets(self):
        self.ensure_one()
        if self.mode == "user":
            targets = self.target_user_id
        else:
            team = self.target_team_id
            targets = (team.crm_team_member_ids.user_id | team.user_id).filtered("active")
        targets -= self.user_id
        if not targets or not all(targets.mapped("active")):
            raise UserError(self.env._("Choose an active colleague, or a sales team with active members, "
                                       "other than the leaving user."))
        return targets

    def action_offboard(self):
        """All or nothing: one transaction; a second run finds nothing left to move."""
        self.ensure_one()
        if not self.env.user._crm_security_is_data_admin():
            raise UserError(self.env._("Only customer-data administrators can offboard a user."))
        if self.user_id == self.env.user:
            raise UserError(self.env._("You cannot offboard yourself."))
        targets = self._targets()
        partners, leads, activities, shares = self._owned()
        moved = {target: [0, 0, 0] for target in targets}
        for column, records in enumerate((partners, leads, activities)):
            for index, target in enumerate(targets):
                # round robin: every len(targets)-th record goes to the same colleague
                chunk = records[index::len(targets)]
                if chunk:
                    # not sudo for customers and leads: the hand-over is checked and recorded
                    (chunk.sudo() if column == 2 else chunk.sudo(False)).write({"user_id": target.id})
                    moved[target][column] += len(chunk)
        # sudo: revoking shares received by the leaving user, whoever granted them
        shares.sudo().write({"active": False, "revoked_by_id": self.env.uid, "revoked_at": fields.Datetime.now()})
        if self.archive_user and self.user_id.active:
            # archiving changes the session token: every open session of the user ends at once
            self.user_id.sudo().write({"active": False})
        self.env["crm.security.event"]._log("offboarding", self.user_id, {
            "customers": len(partners), "leads": len(leads), "activities": len(activities),
            "shares_revoked": len(shares), "to": targets.ids,
        })
        rows = Markup().join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>") % (target.name, *counts)
            for target, counts in moved.items()
        )
        header = Markup("<tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>") % (
            self.env._("Colleague"), self.env._("Customers"), self.env._("Leads"), self.env._("Activities"))
        self.write({"state": "done", "summary": Markup("<p>%s</p><table class='table table-sm'>%s%s</table>") % (
            self.env._(
                "%(customers)s customers, %(leads)s leads and %(activities)s activities moved; "
                "%(shares)s shares revoked.",
                customers=len(partners), leads=len(leads), activities=len(activities), shares=len(shares),
            ), header, rows)})
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id,
                "view_mode": "form", "target": "new"}
