"""Access policy: IP allowlists (per company, optionally per group) with audit-only mode and a
break-glass user, checked on every authenticated request, RPC call and API-key call."""
import logging
import threading
import time

from odoo import SUPERUSER_ID, api, models, tools
from odoo.exceptions import RedirectWarning
from odoo.http import request

from ..tools.netpolicy import ip_in, parse_network

_logger = logging.getLogger(__name__)


def client_info():
    """(ip, user agent) of the current request; RPC routes unbind `request` inside model code, so
    ir.http._authenticate also keeps them on the thread that serves the call."""
    if request:
        try:
            httprequest = request.httprequest
            return httprequest.remote_addr, httprequest.user_agent.string
        except RuntimeError:
            pass
    thread = threading.current_thread()
    return getattr(thread, "crm_security_ip", None), getattr(thread, "crm_security_user_agent", None)


class CrmSecurityAccess(models.AbstractModel):
    _name = "crm.security.access"
    _description = "Access Policy"

    @api.model
    @tools.ormcache("uid", "ip")
    def _ip_denial(self, uid, ip):
        """None when `uid` may connect from `ip`, else (mode, reason). Cached; policy changes clear it."""
        # sudo: the policy is evaluated for any user, by the system
        user = self.env["res.users"].sudo().browse(uid)
        if not user.exists() or uid == SUPERUSER_ID or user.share:
            return None
        denial = None
        for company in user.company_ids:
            if company.crm_security_ip_mode == "off" or user == company.crm_security_breakglass_user_id:
                continue
            rules = self.env["crm.security.ip.rule"].sudo().search([("company_id", "=", company.id)])
            rules = rules.filtered(lambda r: not r.group_ids or r.group_ids & user.groups_id)
            if not ip_in(ip, [parse_network(rule.network) for rule in rules]):
                reason = f"IP {ip or 'unknown'} not allowed for company {company.name}"
                if company.crm_security_ip_mode == "enforce":
                    return ("enforce", reason)
                denial = denial or ("audit", reason)
        return denial

    @api.model
    def _check_access(self, uid, channel):
        """True when `uid` may go on from the current client address; records every denial."""
        ip, user_agent = client_info()
        denial = self._ip_denial(uid, ip)
        if not denial:
            return True
        mode, reason = denial
        self._log_denied(uid, channel, reason, ip, user_agent, enforced=mode == "enforce")
        return mode != "enforce"

    @api.model
    def _log_denied(self, uid, channel, reason, ip, user_agent, enforced=True):
        """Denied (or, in audit-only mode, would-be denied) access, kept even if the request fails."""
        _logger.warning("Access policy %s uid=%s channel=%s: %s (%s)",
                        "denied" if enforced else "would deny", uid, channel, reason, user_agent)
        with self.env.registry.cursor() as cr:  # committed on its own: the request rolls back
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"].browse(uid)
            if "crm.audit.log" in env and hasattr(env["crm.audit.log"], "_crm_audit_security_event"):
                env["crm.audit.log"]._crm_audit_security_event(
                    "login_failed" if enforced else "policy", user,
                    {"reason": reason, "channel": channel, "ip": ip, "user_agent": user_agent,
                     "audit_only": not enforced})

    @api.model
    def _require_identity(self):
        """Sensitive actions ask for the password again (Odoo's identity check, valid 10 minutes)."""
        if self.env.su or not request:
            return
        try:
            session = request.session
        except RuntimeError:
            return
        if session.get("identity-check-last", 0) > time.time() - 10 * 60:
            return
        action = self.env.ref("crm_security.action_crm_security_confirm_identity")
        raise RedirectWarning(
            self.env._("This action is sensitive: confirm your password first, then do it again."),
            action.id, self.env._("Confirm my password"))
