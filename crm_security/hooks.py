import logging

_logger = logging.getLogger(__name__)


def _keep_standard_rights(env):
    """Users keep what standard Odoo lets them do: export (if allowed to export), import and delete;
    new users get the same through the default user template. Configurators take rights away."""
    internal = env["res.users"].with_context(active_test=False).search([("share", "=", False)])
    template = env.ref("base.default_user", raise_if_not_found=False)
    exporters = internal.filtered(lambda u: u.has_group("base.group_allow_export"))
    env.ref("crm_security.group_export_customer").users |= exporters
    for xmlid in ("crm_security.group_import_customer", "crm_security.group_delete_customer"):
        env.ref(xmlid).users |= internal
    if template:
        groups = env.ref("crm_security.group_import_customer") | env.ref("crm_security.group_delete_customer")
        if env.ref("base.group_allow_export") in template.groups_id:
            groups |= env.ref("crm_security.group_export_customer")
        template.groups_id |= groups


def post_init_hook(env):
    """Give existing customers and leads an owner: their Salesperson, else their creator when that
    was an internal user. The rest stay company-wide and are listed for administrators."""
    cr = env.cr
    # with Invoicing installed, only partners that are customers; otherwise every partner
    # that is neither a user's nor a company's partner (CRM alone has no customer rank)
    with_rank = "customer_rank" in env["res.partner"]._fields
    cr.execute(
        """
        UPDATE res_partner p
           SET user_id = p.create_uid
          FROM res_users u
         WHERE u.id = p.create_uid AND u.share IS NOT TRUE AND u.active AND u.id != 1
           AND p.user_id IS NULL AND p.parent_id IS NULL
           AND (NOT %s OR (to_jsonb(p) ->> 'customer_rank')::int > 0)
           AND NOT EXISTS (SELECT 1 FROM res_users pu WHERE pu.partner_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM res_company c WHERE c.partner_id = p.id)
        """,
        (with_rank,),
    )
    partners = cr.rowcount
    cr.execute(
        """
        UPDATE crm_lead l
           SET user_id = l.create_uid
          FROM res_users u
         WHERE u.id = l.create_uid AND u.share IS NOT TRUE AND u.active AND u.id != 1
           AND l.user_id IS NULL
        """
    )
    leads = cr.rowcount
    # crm_owner_id is the stored related commercial_partner_id.user_id: follow the SQL update
    cr.execute(
        """
        UPDATE res_partner p SET crm_owner_id = cp.user_id
          FROM res_partner cp
         WHERE cp.id = p.commercial_partner_id AND p.crm_owner_id IS DISTINCT FROM cp.user_id
        """
    )
    env["res.partner"].invalidate_model(["user_id", "crm_owner_id"])
    env["crm.lead"].invalidate_model(["user_id"])
    _keep_standard_rights(env)
    _logger.info("crm_security: gave an owner to %s customers and %s leads", partners, leads)


def uninstall_hook(env):
    """The database function of the record rules and our indexes on Odoo's tables go with the
    addon (its view goes with its model)."""
    env.cr.execute("DROP FUNCTION IF EXISTS crm_security_grant_facts(integer, timestamp)")
    env.cr.execute("DROP INDEX IF EXISTS res_partner_crm_security_visibility_index")
    env.cr.execute("DROP INDEX IF EXISTS res_partner_crm_security_partner_share_index")
