import contextlib
import os

from odoo import models


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _gc_file_store_unsafe(self):
        """Files of attachments deleted with a snapshot record are kept for their restore: they are
        taken off the garbage collector's checklist before it runs."""
        checklist = {}
        for dirpath, _dirs, filenames in os.walk(self._full_path("checklist")):
            for filename in filenames:
                checklist[f"{os.path.basename(dirpath)}/{filename}"] = os.path.join(dirpath, filename)
        kept = self.env["crm.audit.snapshot"]._crm_audit_snapshot_files(list(checklist))
        for fname in kept:
            with contextlib.suppress(OSError):
                os.unlink(checklist[fname])
        return super()._gc_file_store_unsafe()
