from odoo import api, fields, models


class CrmAuditLog(models.Model):
    """One audit event: who did what to which records, when, from where."""

    _name = "crm.audit.log"
    _description = "Audit Event"
    _order = "id desc"
    _rec_name = "operation"

    create_date = fields.Datetime(string="Date", readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True, index=True)
    model = fields.Char(readonly=True, index=True)
    res_ids = fields.Json(string="Record IDs", readonly=True)
    record_count = fields.Integer(string="Records", readonly=True)
    operation = fields.Selection(
        selection=[
            ("create", "Create"),
            ("write", "Edit"),
            ("unlink", "Delete"),
            ("read", "View"),
            ("export", "Export"),
            ("import", "Import"),
            ("login", "Login"),
            ("login_failed", "Failed login"),
            ("share", "Share"),
            ("revoke", "Revoke"),
            ("reveal", "Reveal"),
            ("policy", "Policy change"),
            ("handover", "Hand-over"),
            ("offboarding", "Offboarding"),
            ("restore", "Restore"),
        ],
        readonly=True,
        index=True,
    )
    channel = fields.Selection(
        selection=[
            ("web", "Web UI"),
            ("jsonrpc", "JSON-RPC"),
            ("xmlrpc", "XML-RPC"),
            ("api_key", "API key"),
            ("cron", "Scheduled action"),
            ("server_action", "Server action"),
            ("import", "Import"),
            ("system", "System"),
        ],
        readonly=True,
    )
    ip_address = fields.Char(string="IP Address", readonly=True)
    user_agent = fields.Char(readonly=True)

    @api.model
    def _crm_audit_security_event(self, event, records, details):
        """Entry point for crm_security's events (share, revoke, hand-over, offboarding, ...)."""
        # sudo: events are written by the system on behalf of the acting user
        self.sudo().create({
            "user_id": self.env.uid,
            "company_id": self.env.company.id,
            "model": records._name,
            "res_ids": records.ids,
            "record_count": len(records),
            "operation": event,
        })
