def uninstall_hook(env):
    """The database functions of the audit log go with the addon (its tables go with its models;
    the guard's triggers go with the guard, just before)."""
    env.cr.execute("""
        DROP FUNCTION IF EXISTS crm_audit_append(integer, integer[], integer[], integer[], jsonb);
        DROP FUNCTION IF EXISTS crm_audit_log_guard() CASCADE;
    """)
