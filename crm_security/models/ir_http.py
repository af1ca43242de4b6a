import threading

from odoo import models
from odoo.exceptions import AccessDenied
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, endpoint):
        """Every route (web client, /jsonrpc, /xmlrpc, /web/login, API keys) passes here with the
        request still bound: keep the client address for the RPC code that runs without it, and
        check the policy of a logged-in session on every request."""
        thread = threading.current_thread()
        httprequest = request.httprequest
        thread.crm_security_ip = httprequest.remote_addr
        thread.crm_security_user_agent = httprequest.user_agent.string
        result = super()._authenticate(endpoint)
        uid = request.session.uid
        access = request.env["crm.security.access"].sudo()
        if uid and endpoint.routing.get("auth") == "user" and not access._check_access(uid, "web"):
            request.session.logout(keep_db=True)
            raise AccessDenied()
        return result
