import json

from odoo.addons.web.controllers.export import CSVExport, ExcelExport
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..tools import request_context


class AuditExportMixin:
    """Web exports: the file format for the export event, and refusals logged whichever layer
    refused (Odoo's own export right, crm_security's rules, record rules)."""

    def base(self, data):
        with request_context.export_scope(self.extension.lstrip(".")) as web_export:
            try:
                return super().base(data)
            except (AccessError, UserError):
                if not web_export["refusal_logged"]:
                    self._crm_audit_refused(data, web_export["format"])
                raise

    def _crm_audit_refused(self, data, export_format):
        params = json.loads(data)
        if params.get("model") not in request.env:
            return
        records = request.env[params["model"]].browse(params.get("ids") or [])
        capture = request.env["crm.audit.capture"]
        if capture._crm_audit_spec(records, "export") is None:
            return
        fields = [field["name"] for field in params.get("fields", [])]
        event = capture._crm_audit_event(records, "export", details={"fields": fields, "format": export_format},
                                         denied=True)
        request.env["crm.audit.writer"]._crm_audit_push_detached(event)


class AuditCSVExport(AuditExportMixin, CSVExport):
    pass


class AuditExcelExport(AuditExportMixin, ExcelExport):
    pass
