"""The record rules of owner-only access, generated from one description.

Rules are real `ir.rule` records (Settings > Technical > Record Rules), owned by this addon
(xmlids `crm_security.rule_*`), rewritten at install and upgrade. Their domains refer to the
user only through `user.id`; who the user manages and what is shared with them are read when a
query is built (see `_crm_security_grant_facts`: kept by each worker until a change of them
commits) and shares are checked against their expiry at every query, so rules are current in
every worker from the next request.
"""
from odoo import api, models

ADMIN_BYPASS = "user.share or user.has_group('crm_security.group_customer_data_admin')"

# Recipients of a share, relative to crm.security.share.
SHARE_RECIPIENT = (
    "'|', '|', '|', ('user_id', '=', user.id), "
    "('team_id.crm_team_member_ids.user_id', '=', user.id), ('team_id.user_id', '=', user.id), "
    "('department_id.member_ids.user_id', '=', user.id)"
)


def grant_domain(prefix, mode):
    """Owner, the owner's managers, and current shares (edit shares only when writing): the field
    `crm_security_grant` turns this into SQL on the record's own columns (see the owned mixin)."""
    if mode == "write":
        return [f"('{prefix}crm_security_grant', '=', 'write')"]
    return [f"('{prefix}crm_security_grant', 'in', ['read', 'write'])"]


def _or(terms):
    return ", ".join(["'|'"] * (len(terms) - 1) + terms)


def matrix_terms(path, matrix, mode, guard="True"):
    """Department × stage cells: `path` (a customer stage) in the stages the user's departments may
    read (or edit). The stage ids are written out, so the rule shows what each department sees."""
    terms = []
    for department_id, (read_ids, edit_ids, _sensitive) in sorted(matrix.items()):
        stage_ids = edit_ids if mode == "write" else read_ids
        if stage_ids:
            # FALSE_LEAF for the other departments: a constant the database drops from the query
            terms.append(f"('{path}', 'in', {sorted(stage_ids)}) if {guard} and {department_id} "
                         f"in crm_user_department_ids else (0, '=', 1)")
    return terms


def partner_terms(prefix, mode, matrix=None):
    p = prefix
    return [
        *matrix_terms(f"{p}crm_security_commercial_stage_id", matrix or {}, mode),
        f"('{p}crm_owner_id', '=', False)",
        f"('{p}partner_share', '=', False)",
        f"('{p}crm_security_is_user_partner', '=', True)",
        f"('{p}id', 'in', crm_company_partner_ids)",
        f"('{p}company_id', 'in', crm_open_customer_company_ids)",
        *grant_domain(p, mode),
    ]


def lead_terms(prefix, mode, matrix=None):
    p = prefix
    return [
        *matrix_terms(f"{p}partner_id.crm_security_commercial_stage_id", matrix or {}, mode,
                      guard="crm_matrix_leads"),
        # unassigned leads are the pool of their sales team (everybody's when without team)
        f"'&', ('{p}user_id', '=', False), '|', '|', ('{p}team_id', '=', False), "
        f"('{p}team_id.crm_team_member_ids.user_id', '=', user.id), ('{p}team_id.user_id', '=', user.id)",
        f"('{p}company_id', 'in', crm_open_lead_company_ids)",
        *grant_domain(p, mode),
    ]


def guarded(terms):
    return f"[(1, '=', 1)] if {ADMIN_BYPASS} else [{_or(terms)}]"


def rule_specs(matrix=None):
    """xmlid -> values of every rule this addon owns; `matrix` as crm.security.matrix gives it."""
    read = {"perm_read": True, "perm_write": False, "perm_create": False, "perm_unlink": False}
    write = {"perm_read": False, "perm_write": True, "perm_create": True, "perm_unlink": True}
    specs = {}

    def lead_matrix(mode, prefix=""):
        return matrix_terms(f"{prefix}partner_id.crm_security_commercial_stage_id", matrix or {}, mode,
                            guard="crm_matrix_leads")

    for mode, perms in (("read", read), ("write", write)):
        specs[f"rule_res_partner_owner_{mode}"] = dict(
            perms, model="res.partner", name=f"Customers: owner, managers and shares ({mode})",
            domain_force=guarded(partner_terms("", mode, matrix)))
        specs[f"rule_crm_lead_owner_{mode}"] = dict(
            perms, model="crm.lead", name=f"Leads: owner, managers and shares ({mode})",
            domain_force=guarded(lead_terms("", mode, matrix)))
        # crm's own group rule "Personal Leads" limits salesmen to their own leads: widen it by
        # what we grant (managed and shared leads); the global rule above still narrows.
        specs[f"rule_crm_lead_salesman_grants_{mode}"] = dict(
            perms, model="crm.lead", name=f"Leads: managed and shared ({mode})",
            groups="sales_team.group_sale_salesman",
            domain_force=f"[{_or(grant_domain('', mode) + lead_matrix(mode))}]")
    specs["rule_crm_activity_report_owner"] = dict(
        read, model="crm.activity.report", name="Activity analysis: visible leads only",
        domain_force=guarded(["('lead_id', '=', False)", *lead_terms("lead_id.", "read", matrix)]))
    specs["rule_crm_activity_report_salesman_grants"] = dict(
        read, model="crm.activity.report", name="Activity analysis: managed and shared leads",
        groups="sales_team.group_sale_salesman",
        domain_force="[" + _or(grant_domain("lead_id.", "read")
                               + lead_matrix("read", "lead_id.")) + "]")
    share_terms = [
        "('granted_by_id', '=', user.id)",
        SHARE_RECIPIENT,
        "('partner_id.crm_owner_id', '=', user.id)",
        "('partner_id.crm_owner_id.crm_security_supervision_ids.supervisor_id', '=', user.id)",
        "('lead_id.user_id', '=', user.id)",
        "('lead_id.user_id.crm_security_supervision_ids.supervisor_id', '=', user.id)",
    ]
    specs["rule_crm_security_share"] = dict(
        model="crm.security.share", name="Shares: their owners, managers and recipients",
        perm_read=True, perm_write=True, perm_create=True, perm_unlink=True,
        domain_force=f"[(1, '=', 1)] if user.has_group('crm_security.group_customer_data_admin') "
        f"else [{_or(share_terms)}]")
    return specs


class CrmSecurityRules(models.AbstractModel):
    _name = "crm.security.rules"
    _description = "Owner-only record rules"

    @api.model
    def _sync_rules(self):
        """Create or update the rules of `rule_specs()` under this addon's xmlids."""
        Rule = self.env["ir.rule"].sudo().with_context(active_test=False)
        matrix = self.env["crm.security.matrix"]._stage_ids_by_department()
        for xmlid, spec in rule_specs(matrix).items():
            spec = dict(spec)
            model = spec.pop("model")
            groups = spec.pop("groups", None)
            spec["model_id"] = self.env["ir.model"]._get_id(model)
            spec["groups"] = [(6, 0, [self.env.ref(groups).id])] if groups else [(5, 0, 0)]
            rule = self.env.ref(f"crm_security.{xmlid}", raise_if_not_found=False)
            if rule:
                rule.sudo().write(spec)
            else:
                rule = Rule.create(spec)
                self.env["ir.model.data"].sudo().create({
                    "module": "crm_security", "name": xmlid, "model": "ir.rule",
                    "res_id": rule.id, "noupdate": True,  # kept across upgrades: synced here
                })
        return True
