from . import crm_audit_log, res_company, res_config_settings
