from odoo import api, fields, models, tools

ACCESS = [("none", "None"), ("read", "Read"), ("edit", "Edit")]


class CrmSecurityMatrix(models.Model):
    """One row of the department × customer stage visibility matrix."""

    _name = "crm.security.matrix"
    _description = "Visibility Matrix Row"
    _order = "department_id"
    _rec_name = "department_id"

    department_id = fields.Many2one("hr.department", required=True, ondelete="cascade", index=True)
    see_sensitive = fields.Boolean(
        string="Sees protected fields",
        help="Members of this department see the protected fields (e-mail, phone, ...) of the customers "
        "their cells let them see.")
    cell_ids = fields.One2many("crm.security.matrix.cell", "matrix_id", string="Stages", copy=True)
    summary = fields.Char(compute="_compute_summary")
    warning = fields.Char(compute="_compute_warning")

    _sql_constraints = [("department_unique", "UNIQUE(department_id)", "This department already has a row.")]

    @api.depends("cell_ids.access", "cell_ids.stage_id")
    def _compute_summary(self):
        labels = dict(ACCESS)
        for row in self:
            row.summary = ", ".join(
                f"{cell.stage_id.name}: {labels[cell.access]}" for cell in row.cell_ids if cell.access != "none")

    @api.depends("cell_ids.access")
    def _compute_warning(self):
        orphans = self.env["crm.customer.stage"].search([]) - self.search([]).cell_ids.filtered(
            lambda c: c.access != "none").stage_id
        warning = self.env._(
            "Visible to nobody but owners, managers and administrators: %(stages)s",
            stages=", ".join(orphans.mapped("name"))) if orphans else False
        for row in self:
            row.warning = warning

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        self._crm_security_apply()
        return rows

    def write(self, vals):
        result = super().write(vals)
        self._crm_security_apply()
        return result

    def unlink(self):
        result = super().unlink()
        self._crm_security_apply()
        return result

    @api.model
    def _crm_security_apply(self):
        """Rewrite the record rules from the matrix: applies at once in every worker."""
        self.env.flush_all()
        self.env.registry.clear_cache()  # the cached matrix, before the rules are rebuilt from it
        self.env["crm.security.rules"]._sync_rules()
        self.env["res.partner"]._crm_security_invalidate_masks()
        self.env["crm.security.event"]._log("policy", self.search([]))

    @api.model
    def _stage_ids_by_department(self):
        """{department id: (read stage ids, edit stage ids, sees sensitive)} (sudo: configuration).

        Cached per worker: every change of the matrix rewrites the record rules, which clears
        the registry caches in every worker."""
        return dict(self._stage_ids_by_department_cached())

    @api.model
    @tools.ormcache()
    def _stage_ids_by_department_cached(self):
        result = []
        for row in self.sudo().search([]):
            cells = row.cell_ids
            result.append((row.department_id.id, (
                tuple(cells.filtered(lambda c: c.access in ("read", "edit")).stage_id.ids),
                tuple(cells.filtered(lambda c: c.access == "edit").stage_id.ids),
                row.see_sensitive,
            )))
        return tuple(result)


class CrmSecurityMatrixCell(models.Model):
    _name = "crm.security.matrix.cell"
    _description = "Visibility Matrix Cell"
    _order = "stage_sequence, id"

    matrix_id = fields.Many2one("crm.security.matrix", required=True, ondelete="cascade", index=True)
    stage_id = fields.Many2one("crm.customer.stage", required=True, ondelete="cascade")
    stage_sequence = fields.Integer(related="stage_id.sequence", store=True)
    access = fields.Selection(ACCESS, required=True, default="none")

    _sql_constraints = [("stage_unique", "UNIQUE(matrix_id, stage_id)", "A stage appears once per department.")]

    def write(self, vals):
        result = super().write(vals)
        self.env["crm.security.matrix"]._crm_security_apply()
        return result
