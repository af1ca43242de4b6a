from odoo import fields, models, tools


class CrmSecuritySupervision(models.Model):
    """Who manages whom, always current: a SQL view over sales teams and the HR department chain.

    A row (user, supervisor) means that `supervisor` sees and edits the records owned by `user`.
    The record rules read it through crm_security_grant_facts (kept by each worker until a change
    of what they are read from commits, see `SharedGrantFacts`), so moving people between teams or
    departments, or changing a leader or a manager, changes visibility from the next request in
    every worker.
    """

    _name = "crm.security.supervision"
    _description = "Owner Supervision"
    _auto = False
    _log_access = False
    # tables the view reads: the ORM flushes them before any search that joins the view
    _depends = {
        "crm.team": ["user_id", "active"],
        "crm.team.member": ["user_id", "crm_team_id", "active"],
        "hr.employee": ["user_id", "department_id", "active"],
        "hr.department": ["parent_id", "manager_id", "active"],
        "res.users": ["company_id"],
        "res.company": ["crm_security_manager_mode"],
    }

    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    supervisor_id = fields.Many2one("res.users", string="Manager", readonly=True)
    kind = fields.Selection(
        [("team", "Sales team leader"), ("department", "Department manager")], readonly=True
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            """
            CREATE VIEW crm_security_supervision AS
            WITH RECURSIVE dept_up(user_id, department_id, depth) AS (
                SELECT e.user_id, e.department_id, 0
                  FROM hr_employee e
                 WHERE e.user_id IS NOT NULL AND e.department_id IS NOT NULL AND e.active
                 UNION
                SELECT d.user_id, dep.parent_id, d.depth + 1
                  FROM dept_up d
                  JOIN hr_department dep ON dep.id = d.department_id
                 WHERE dep.parent_id IS NOT NULL AND d.depth < 32
            ), pairs AS (
                SELECT m.user_id, t.user_id AS supervisor_id, 'team' AS kind
                  FROM crm_team_member m
                  JOIN crm_team t ON t.id = m.crm_team_id
                 WHERE m.active AND t.active AND t.user_id IS NOT NULL AND t.user_id != m.user_id
                 UNION
                SELECT d.user_id, mgr.user_id, 'department'
                  FROM dept_up d
                  JOIN hr_department dep ON dep.id = d.department_id AND dep.active
                  JOIN hr_employee mgr ON mgr.id = dep.manager_id AND mgr.active
                 WHERE mgr.user_id IS NOT NULL AND mgr.user_id != d.user_id
            )
            SELECT row_number() OVER (ORDER BY p.user_id, p.supervisor_id, p.kind) AS id,
                   p.user_id, p.supervisor_id, p.kind
              FROM pairs p
              JOIN res_users u ON u.id = p.user_id
              JOIN res_company c ON c.id = u.company_id
             WHERE c.crm_security_manager_mode = 'both' OR c.crm_security_manager_mode = p.kind
            """
        )
        # What the record rules of a user ask (see _crm_security_grant_facts of the owned mixin), in
        # a function: PL/pgSQL keeps the plans of its queries for the connection, so this view is
        # planned once per connection instead of once per request (1.2 ms -> 0.3 ms).
        self.env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION crm_security_grant_facts(
                p_uid integer, p_now timestamp,
                OUT supervised integer[], OUT user_partners integer[], OUT share_partners integer[],
                OUT share_leads integer[], OUT share_edit boolean[], OUT share_sensitive boolean[],
                OUT share_expires timestamp[])
            LANGUAGE plpgsql STABLE AS $fn$
            BEGIN
                supervised := ARRAY(SELECT v.user_id FROM crm_security_supervision v WHERE v.supervisor_id = p_uid);
                user_partners := ARRAY(SELECT u.partner_id FROM res_users u
                                        WHERE u.active AND u.partner_id IS NOT NULL);
                SELECT array_agg(s.partner_id), array_agg(s.lead_id), array_agg(s.level = 'edit'),
                       array_agg(s.include_sensitive), array_agg(s.expires_at)
                  INTO share_partners, share_leads, share_edit, share_sensitive, share_expires
                  FROM crm_security_share s
                 WHERE s.active AND (s.expires_at IS NULL OR s.expires_at > p_now)
                   AND (s.user_id = p_uid
                        OR s.team_id IN (SELECT t.id FROM crm_team t WHERE t.user_id = p_uid
                                         UNION SELECT m.crm_team_id FROM crm_team_member m
                                          WHERE m.user_id = p_uid AND m.active)
                        OR s.department_id IN (SELECT e.department_id FROM hr_employee e
                                                WHERE e.user_id = p_uid AND e.active));
            END
            $fn$
            """
        )
