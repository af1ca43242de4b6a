from . import base_import, crm_audit_restore, crm_audit_revert
