from odoo import models


class BaseImport(models.TransientModel):
    _inherit = "base_import.import"

    def execute_import(self, fields, columns, options, dryrun=False):
        writer = self.env["crm.audit.writer"]
        mark = writer._crm_audit_mark()
        importer = self.with_context(crm_audit_import_file=self.file_name)
        result = super(BaseImport, importer).execute_import(fields, columns, options, dryrun=dryrun)
        if dryrun:
            # the test run is rolled back to a raw savepoint, which leaves precommit hooks alone
            writer._crm_audit_discard_since(mark)
        return result
