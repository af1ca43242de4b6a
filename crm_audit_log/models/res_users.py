import logging

from odoo import SUPERUSER_ID, api, models, tools
from odoo.exceptions import AccessDenied
from odoo.tools import SQL

from ..tools import request_context

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    # ------------------------------------------------------------------ logins
    @api.model
    def _update_last_login(self):
        result = super()._update_last_login()
        capture = self.env["crm.audit.capture"]
        event = capture._crm_audit_event(self.env.user, "login")
        self.env["crm.audit.writer"]._crm_audit_push(event)
        # sudo: the user logging in reads their company's alert settings, not its records
        company = self.env.user.company_id.sudo()
        alert = self.env["crm.audit.alert"].sudo()
        if company.crm_audit_offhours_alert and alert._crm_audit_off_hours(event["create_date"], company):
            alert._crm_audit_alert_queue(event, "login")  # an anomaly for the security officers
        return result

    @classmethod
    def _login(cls, db, credential, user_agent_env):
        try:
            return super()._login(db, credential, user_agent_env)
        except AccessDenied:
            cls._crm_audit_failed_login(login=credential.get("login"))
            raise

    @classmethod
    def check(cls, db, uid, passwd):
        """RPC credentials (execute_kw): failed checks are logged; API keys set the channel."""
        try:
            result = super().check(db, uid, passwd)
        except AccessDenied:
            cls._crm_audit_failed_login(uid=uid)
            raise
        info = request_context.current()
        if info is not None and info.channel in ("xmlrpc", "jsonrpc") and cls._crm_audit_is_api_key(db, uid, passwd):
            request_context.refine(channel="api_key")
        return result

    def _check_credentials(self, credential, env):
        auth_info = super()._check_credentials(credential, env)
        if auth_info and auth_info.get("auth_method") == "apikey":
            request_context.refine(channel="api_key")
        return auth_info

    @classmethod
    @tools.ormcache("uid", "passwd")
    def _crm_audit_is_api_key(cls, db, uid, passwd):
        """Whether `passwd` is one of the user's API keys (cached like res.users.check)."""
        with cls.pool.cursor(readonly=True) as cr:
            # superuser: like res.users.check itself, which runs before any user environment exists
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["res.users.apikeys"]._check_credentials(scope="rpc", key=passwd) == uid

    @classmethod
    def _crm_audit_failed_login(cls, login=None, uid=None):
        """Log a refused login; its transaction is rolled back, so the event gets its own cursor."""
        registry = cls.pool
        # superuser: nobody is logged in; the event names the targeted user, never the password
        try:
            if registry.in_test_mode():
                # HTTP tests share one transaction: queue the event on it (see crm.audit.writer)
                env = api.Environment(registry.test_cr, SUPERUSER_ID, {})
                env["crm.audit.writer"]._crm_audit_buffer(
                    registry.test_cr, env["res.users"]._crm_audit_failed_login_event(login, uid))
                return
            with registry.cursor() as cr:
                cr.execute(SQL("SET LOCAL lock_timeout = '10s'"))
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["crm.audit.writer"]._crm_audit_append([env["res.users"]._crm_audit_failed_login_event(login, uid)])
        except Exception:  # never turn a refused login into a server error
            _logger.warning("Could not log a failed login", exc_info=True)

    @api.model
    def _crm_audit_failed_login_event(self, login, uid):
        users = self.with_context(active_test=False)
        user = users.browse(uid).exists() if uid else users.search(self._get_login_domain(login or ""), limit=1)
        capture = self.env["crm.audit.capture"]
        event = capture._crm_audit_event(user, "login_failed", details={"login": login or user.login}, denied=True)
        event["user_id"] = user.id or None
        event["company_id"] = user.company_id.id or event["company_id"]
        return event
