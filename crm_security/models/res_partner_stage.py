"""Customer lifecycle stage of res.partner (kept apart from ownership: see res_partner.py)."""
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# automatic transitions only move customers forward from these stages
FORWARD_FROM = {
    "lead": {False, "new", "inactive"},
    "opportunity": {False, "new", "lead", "inactive"},
    "customer": {False, "new", "lead", "opportunity", "inactive"},
    "returning": {"customer", "inactive"},
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    customer_stage_id = fields.Many2one(
        "crm.customer.stage", string="Customer Stage", index=True, tracking=True, copy=False,
        group_expand="_read_group_customer_stage_ids", ondelete="restrict",
        help="Lifecycle stage of the customer. The department × stage matrix decides which "
        "departments see the customers of each stage.",
    )

    crm_security_commercial_stage_id = fields.Many2one(
        "crm.customer.stage", string="Stage of the Customer", compute="_compute_crm_security_commercial_stage_id",
        store=True,
        help="Technical: the stage of the company this contact belongs to (what the visibility matrix looks at).")

    def _auto_init(self):
        """Create the company stage's column and fill it in one statement (the ORM would compute
        it record by record): empty at install, the stages being new; from the companies' stages
        when an upgrade adds it."""
        cr = self.env.cr
        if not column_exists(cr, "res_partner", "crm_security_commercial_stage_id"):
            create_column(cr, "res_partner", "crm_security_commercial_stage_id", "int4")
            if column_exists(cr, "res_partner", "customer_stage_id"):
                self._crm_security_fill_commercial_stage()
        return super()._auto_init()

    def _crm_security_fill_commercial_stage(self):
        """Set the company stage of every customer from the database, in one statement."""
        self.env.cr.execute(SQL("""
            UPDATE res_partner p SET crm_security_commercial_stage_id = c.customer_stage_id
              FROM res_partner c
             WHERE c.id = p.commercial_partner_id
               AND p.crm_security_commercial_stage_id IS DISTINCT FROM c.customer_stage_id
        """))

    @api.depends("commercial_partner_id.customer_stage_id")
    def _compute_crm_security_commercial_stage_id(self):
        for partner in self:
            partner.crm_security_commercial_stage_id = partner.commercial_partner_id.customer_stage_id

    @api.model
    def _read_group_customer_stage_ids(self, stages, domain):
        return stages.search([])

    @api.model_create_multi
    def create(self, vals_list):
        new_stage = self.env["crm.customer.stage"].sudo()._by_code("new")
        for vals in vals_list:
            owned = vals.get("user_id") or ("user_id" not in vals and self._crm_security_gets_default_owner(vals))
            if new_stage and "customer_stage_id" not in vals and owned and not vals.get("parent_id"):
                vals["customer_stage_id"] = new_stage.id
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if {"customer_stage_id", "parent_id", "is_company"} & vals.keys():
            self._crm_security_invalidate_masks()  # the matrix decides from the company's stage
        return result

    def _crm_security_move_stage(self, code):
        """Move these customers forward to the stage with `code` (never backwards)."""
        # sudo: an automatic transition, caused by a change the user was allowed to make
        stage = self.env["crm.customer.stage"].sudo()._by_code(code)
        partners = self.sudo().commercial_partner_id.filtered(
            lambda p: p.customer_stage_id.code in FORWARD_FROM[code] and p.customer_stage_id != stage)
        if stage and partners:
            partners.write({"customer_stage_id": stage.id})

    @api.model
    def _cron_crm_security_inactive_customers(self):
        """Customers without activity (on them or their leads) for the configured time become Inactive."""
        inactive = self.env["crm.customer.stage"]._by_code("inactive")
        if not inactive:
            return
        for company in self.env["res.company"].search([("crm_security_inactive_days", ">", 0)]):
            limit = fields.Datetime.now() - timedelta(days=company.crm_security_inactive_days)
            self.env.cr.execute(
                """
                SELECT p.id FROM res_partner p
                  JOIN crm_customer_stage s ON s.id = p.customer_stage_id
                 WHERE p.parent_id IS NULL AND s.id != %s AND (p.company_id = %s OR p.company_id IS NULL)
                   AND p.write_date < %s
                   AND NOT EXISTS (SELECT 1 FROM crm_lead l WHERE l.partner_id = p.id AND l.write_date >= %s)
                   AND NOT EXISTS (SELECT 1 FROM mail_message m WHERE m.model = 'res.partner'
                                   AND m.res_id = p.id AND m.date >= %s)
                """,
                (inactive.id, company.id, limit, limit, limit),
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            self.browse(ids).write({"customer_stage_id": inactive.id})

    @api.model
    def _crm_security_matrix_stage_ids(self, sensitive=False):
        """Stages whose customers the user's departments may read through the matrix (only the
        cells with "protected fields" ticked if `sensitive`)."""
        matrix = self.env["crm.security.matrix"]._stage_ids_by_department()
        departments = self.env["hr.employee"]._crm_security_department_ids(self.env.uid)
        return {sid for dep in departments if dep in matrix and (matrix[dep][2] or not sensitive)
                for sid in matrix[dep][0]}

    @api.model
    def _crm_security_sensitive_stage_ids(self):
        """Stages whose customers' protected values the user's departments see (matrix cells with
        "protected fields" ticked)."""
        return self._crm_security_matrix_stage_ids(sensitive=True)

    @api.model
    def search_count(self, domain, limit=None):
        """A count up to `limit` (a list counts up to 10,001 customers) in two parts for the members
        of a matrix department: the customers of their stages, then the others.

        The record rules OR the matrix with the other grants, so the database finds the customers
        they count row by row, scattered over the table (a third of them for Customer Care: three
        times the rows Odoo alone reads). With the stage as a condition of its own, it counts them
        from the stage index alone; the others (usually few) are counted only if the limit is not reached.
        Both parts are the user's own searches, under the same record rules."""
        stage_ids = sorted(self._crm_security_matrix_stage_ids()) if limit and not self.env.su else None
        if not stage_ids or self.env.user._crm_security_is_data_admin():
            return super().search_count(domain, limit=limit)
        in_stages = super().search_count(
            expression.AND([domain, [("crm_security_commercial_stage_id", "in", stage_ids)]]), limit=limit)
        if in_stages >= limit:
            return in_stages
        return in_stages + super().search_count(
            expression.AND([domain, [("crm_security_commercial_stage_id", "not in", stage_ids)]]),
            limit=limit - in_stages)

    @api.model
    def _crm_security_extra_unmasked_domains(self):
        """Departments of the matrix that see protected fields, for the stages they may read."""
        domains = super()._crm_security_extra_unmasked_domains()
        stage_ids = self._crm_security_sensitive_stage_ids()
        if stage_ids and not self.env.context.get("crm_security_stage_decided"):
            domains.append([("crm_security_commercial_stage_id", "in", sorted(stage_ids))])
        return domains

    @api.model
    def _crm_security_decision_fields(self):
        fnames = super()._crm_security_decision_fields()
        if self._crm_security_sensitive_stage_ids():
            fnames.append("crm_security_commercial_stage_id")
        return fnames

    def _crm_security_extra_unmasked_ids(self):
        """The matrix decided from each customer's company stage (fetched with the list: no query);
        the other grants as the mixin decides them."""
        stage_ids = self._crm_security_sensitive_stage_ids()
        if not stage_ids:
            return super()._crm_security_extra_unmasked_ids()
        seen = {partner.id for partner in self if partner.crm_security_commercial_stage_id.id in stage_ids}
        rest = self.browse([rid for rid in self._ids if rid not in seen])
        # a context key that can only take grants away (the stage ones, decided above)
        return seen | super(ResPartner, rest.with_context(crm_security_stage_decided=True))._crm_security_extra_unmasked_ids()
