import hashlib
import logging

from odoo import models
from odoo.http import request

from ..tools import request_context

_logger = logging.getLogger(__name__)


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, endpoint):
        # every routed request passes here with odoo.http.request still bound, RPC included
        cls._crm_audit_capture_request(endpoint)
        return super()._authenticate(endpoint)

    @classmethod
    def _crm_audit_capture_request(cls, endpoint):
        """Remember IP address, user agent, session and channel for the audit (see tools/request_context)."""
        try:
            httprequest = request.httprequest
            path = httprequest.path or ""
            if path.startswith("/xmlrpc"):
                channel = "xmlrpc"
            elif path.startswith("/jsonrpc"):
                channel = "jsonrpc"
            elif endpoint.routing.get("auth") == "bearer" and httprequest.headers.get("Authorization"):
                channel = "api_key"
            else:
                channel = "web"
            session = request.session
            session_uid = session.uid if session else None
            sid = getattr(session, "sid", None) if session_uid else None
            request_context.capture(request_context.RequestInfo(
                channel=channel,
                ip_address=httprequest.remote_addr,
                user_agent=(httprequest.user_agent.string or "")[:512] or None,
                # a fingerprint only: the session id itself is a credential
                session_ref=hashlib.sha256(sid.encode()).hexdigest()[:16] if sid else None,
                session_uid=session_uid,
            ))
        except Exception:  # never let the audit break a request
            _logger.warning("Could not capture the request for the audit log", exc_info=True)
