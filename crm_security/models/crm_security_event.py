from odoo import api, models


class CrmSecurityEvent(models.AbstractModel):
    """Hands the security events of this addon to the audit log when crm_audit_log is installed.

    The two addons do not depend on each other: the audit log exposes `_crm_audit_security_event`
    and this is the only place that calls it.
    """

    _name = "crm.security.event"
    _description = "Security Event"

    @api.model
    def _log(self, event, records, details=None):
        if "crm.audit.log" not in self.env or not records:
            return
        self.env["crm.audit.log"]._crm_audit_security_event(event, records, details or {})
