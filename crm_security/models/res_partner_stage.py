"""Customer lifecycle stage of res.partner (kept apart from ownership: see res_partner.py)."""
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

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
        search="_search_crm_security_commercial_stage_id",
        help="Technical: the stage of the company this contact belongs to (what the visibility matrix looks at).")

    @api.depends("commercial_partner_id.customer_stage_id")
    def _compute_crm_security_commercial_stage_id(self):
        for partner in self:
            partner.crm_security_commercial_stage_id = partner.commercial_partner_id.customer_stage_id

    def _search_crm_security_commercial_stage_id(self, operator, value):
        """Customers whose company is in the given stages, as conditions the database answers from
        indexes (a subquery on the company would make it scan every customer)."""
        if operator != "in" or not isinstance(value, list | tuple):
            return [("commercial_partner_id.customer_stage_id", operator, value)]
        stage_ids = [stage_id for stage_id in value if isinstance(stage_id, int)]
        self.flush_model(["customer_stage_id", "commercial_partner_id", "parent_id", "is_company"])
        # their own stage for those that are their own commercial partner; for contacts, their company's
        companies = SQL(
            """ANY(ARRAY(SELECT p.id FROM res_partner p
                          WHERE p.customer_stage_id = ANY(%s)
                            AND p.id IN (SELECT c.commercial_partner_id FROM res_partner c
                                          WHERE c.parent_id IS NOT NULL)))""", stage_ids)
        return ["|", "&", ("customer_stage_id", "in", stage_ids), "|", ("parent_id", "=", False),
                ("is_company", "=", True), ("commercial_partner_id", "=", companies)]

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
    def _crm_security_sensitive_stage_ids(self):
        """Stages whose customers' protected values the user's departments see (matrix cells with
        "protected fields" ticked)."""
        matrix = self.env["crm.security.matrix"]._stage_ids_by_department()
        departments = self.env["hr.employee"]._crm_security_department_ids(self.env.uid)
        return {sid for dep in departments if dep in matrix and matrix[dep][2] for sid in matrix[dep][0]}

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
            fnames += ["commercial_partner_id", "customer_stage_id"]
        return fnames

    def _crm_security_extra_unmasked_ids(self):
        """The matrix decided from each customer's company stage (fetched with the list: no query);
        the other grants as the mixin decides them."""
        stage_ids = self._crm_security_sensitive_stage_ids()
        if not stage_ids:
            return super()._crm_security_extra_unmasked_ids()
        seen = {partner.id for partner in self if partner.commercial_partner_id.customer_stage_id.id in stage_ids}
        rest = self.browse([rid for rid in self._ids if rid not in seen])
        # a context key that can only take grants away (the stage ones, decided above)
        return seen | super(ResPartner, rest.with_context(crm_security_stage_decided=True))._crm_security_extra_unmasked_ids()
