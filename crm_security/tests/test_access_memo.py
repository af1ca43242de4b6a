from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.crm_security_owned_mixin import SharedGrantFacts
from .common import SECRET_NAME, CrmSecurityCase


@tagged("at_install", "-post_install")
class TestAccessMemo(CrmSecurityCase):
    """Rule checks already passed in a request are not asked again, until anything changes:
    a change in the same transaction is obeyed at once."""

    def assertReads(self, user, record):
        record = record.with_user(user)
        self.assertTrue(record.has_access("read"))
        record.sudo().fetch(["name"])  # in cache: read() then asks the rules through _check_access only
        self.assertEqual(record.read(["name"])[0]["name"], record.sudo().name)

    def assertRefused(self, user, record):
        record = record.with_user(user)
        self.assertFalse(record.has_access("read"))
        record.sudo().fetch(["name"])
        with mute_logger("odoo.addons.base.models.ir_rule"), self.assertRaises(AccessError) as refusal:
            record.read(["name"])
        self.assertNoSecret(str(refusal.exception))
        self.assertFalse(record.search([("id", "=", record.id)]))

    @freeze_time("2026-11-23 10:00:00")  # checks are kept for the second they were made in
    def test_a_search_is_a_check(self):
        other = self.env["res.partner"].with_user(self.owner).create({"name": "Other Co", "is_company": True})
        found = self.env["res.partner"].with_user(self.owner).search([("id", "in", (self.secret | other).ids)])
        self.assertEqual(found, self.secret | other)
        with self.assertQueryCount(0, flush=False):
            found.check_access("read")
        self.env.cr.flush()  # a commit forgets it, and the grant facts with it
        self.env["crm.security.owned.mixin"]._crm_security_rule_computed_fields()  # (registry cache)
        # Odoo's own caches the rules' SQL is built from (rule domains, the companies' parent paths
        # of the multi-company rule): warm, so that only what this addon adds is counted
        self.env["ir.rule"].with_user(self.owner)._compute_domain("res.partner", "read")
        self.env.user.with_user(self.owner).company_ids.mapped("parent_path")
        with self.assertQueryCount(2, flush=False):  # the grant facts, then the rule check
            found.check_access("read")
        with self.assertQueryCount(0, flush=False):
            found.check_access("read")

    @freeze_time("2026-11-23 10:00:00")
    def test_a_change_the_rules_do_not_read_keeps_the_checks(self):
        secret = self.secret.with_user(self.owner)
        secret.check_access("write")
        secret.write({"phone": "+84 28 1234 5678", "function": "CEO", "comment": "<p>met at the fair</p>"})
        with self.assertQueryCount(0, flush=False):
            secret.check_access("write")
            secret.check_access("read")

    @freeze_time("2026-11-23 10:00:00")
    def test_a_write_check_answers_the_read_check_too(self):
        """The form reads a record back after saving it: one query answers both."""
        for record in (self.secret, self.lead):
            record = record.with_user(self.owner)
            record.check_access("read")  # Odoo's own caches (model access, rule domains) warm
            self.env.cr.flush()  # a commit: the checks are forgotten, and the grant facts with them
            record.check_access("write")
            with self.assertQueryCount(0, flush=False):
                record.check_access("read")
        self.assertRefused(self.outsider, self.lead)

    def test_a_change_of_what_an_owner_is_computed_from(self):
        """The contact's owner is its company's: moving it to another company is a change of owner."""
        other = self.env["res.partner"].with_user(self.colleague).create({"name": "Other Co", "is_company": True})
        self.assertReads(self.owner, self.secret_contact)
        self.secret_contact.sudo().parent_id = other
        self.assertRefused(self.owner, self.secret_contact)
        self.assertReads(self.colleague, self.secret_contact)

    def test_a_rule_whose_fields_cannot_be_read_makes_every_change_count(self):
        Owned = self.env["crm.security.owned.mixin"]
        self.assertFalse(Owned._crm_security_field_changes_access("res.partner", "function"))
        self.env["ir.rule"].create({
            "name": "Computed path", "model_id": self.env.ref("base.model_res_partner").id,
            "domain_force": "[(str('function'), '!=', 'CEO')]",
            "groups": [Command.link(self.env.ref("base.group_system").id)],
        })
        self.assertTrue(Owned._crm_security_field_changes_access("res.partner", "function"))

    def test_revoked_share(self):
        share = self.share(self.secret, self.outsider)
        found = self.env["res.partner"].with_user(self.outsider).search([("name", "=", SECRET_NAME)])
        self.assertEqual(found, self.secret)
        self.assertReads(self.outsider, self.secret)
        share.with_user(self.owner).action_revoke()
        self.assertRefused(self.outsider, self.secret)

    def test_owner_change(self):
        self.assertReads(self.owner, self.lead)
        self.lead.with_user(self.owner).user_id = self.colleague
        self.assertRefused(self.owner, self.lead)
        self.assertReads(self.colleague, self.lead)
        self.assertReads(self.owner, self.secret)
        self.secret.with_user(self.owner).user_id = self.colleague
        self.assertRefused(self.owner, self.secret)
        self.assertRefused(self.owner, self.secret_contact)

    def test_team_change(self):
        self.env.company.crm_security_manager_mode = "team"
        self.assertReads(self.leader, self.secret)
        self.team_north.crm_team_member_ids.filtered(lambda m: m.user_id == self.owner).unlink()
        self.assertRefused(self.leader, self.secret)
        self.team_north.write({"crm_team_member_ids": [Command.create({"user_id": self.owner.id})]})
        self.assertReads(self.leader, self.secret)
        self.team_north.user_id = self.outsider
        self.assertRefused(self.leader, self.secret)

    def test_department_change(self):
        self.assertReads(self.director, self.secret)
        self.emp["owner"].department_id = self.dep_marketing
        self.assertRefused(self.director, self.secret)

    def test_group_change(self):
        self.assertRefused(self.outsider, self.lead)
        self.outsider.groups_id += self.env.ref("crm_security.group_customer_data_admin")
        self.assertReads(self.outsider, self.lead)
        self.outsider.groups_id -= self.env.ref("crm_security.group_customer_data_admin")
        self.assertRefused(self.outsider, self.lead)

    def test_rolled_back_share(self):
        savepoint = self.env.cr.savepoint()
        self.share(self.lead, self.outsider)
        self.assertReads(self.outsider, self.lead)
        savepoint.close(rollback=True)
        self.assertRefused(self.outsider, self.lead)

    def test_each_user_and_operation(self):
        self.share(self.lead, self.outsider)
        self.assertReads(self.outsider, self.lead)
        self.assertFalse(self.lead.with_user(self.outsider).has_access("write"))
        self.assertRefused(self.colleague, self.lead)
        self.share(self.lead, self.outsider, level="edit")
        self.assertTrue(self.lead.with_user(self.outsider).has_access("write"))


@tagged("at_install", "-post_install")
class TestSharedGrantFacts(CrmSecurityCase):
    """Between transactions a worker keeps each user's grant facts, until a change of what they are
    read from commits, in this worker or in another one."""

    def setUp(self):
        super().setUp()
        self.patch(SharedGrantFacts, "enabled_in_tests", True)
        cr, registry = self.env.cr, self.env.registry
        # the data of the class counts as committed: the store starts empty and usable
        self.addCleanup(setattr, cr, SharedGrantFacts.CHANGED, getattr(cr, SharedGrantFacts.CHANGED, None))
        setattr(cr, SharedGrantFacts.CHANGED, None)
        registry.__dict__.pop(SharedGrantFacts.ATTRIBUTE, None)
        self.addCleanup(registry.__dict__.pop, SharedGrantFacts.ATTRIBUTE, None)
        self.addCleanup(registry.cache_sequences.update, dict(registry.cache_sequences))
        self.Owned = self.env["crm.security.owned.mixin"].with_user(self.colleague)

    def facts(self, queries):
        """The grant facts of the colleague in a new transaction, read with `queries` queries."""
        self.env.cr.flush()  # what a commit forgets: the facts kept for the transaction
        with self.assertQueryCount(queries, flush=False):
            return self.Owned._crm_security_grant_facts()

    def test_kept_until_a_change_commits(self):
        self.assertEqual(self.facts(1)["shares"], [])
        self.assertEqual(self.facts(0)["shares"], [])  # the next transaction: from the worker
        self.emp["colleague"].work_phone = "+84 28 1111 2222"  # not what the facts are read from
        self.assertEqual(self.facts(0)["shares"], [])

        self.share(self.secret, self.colleague)
        xid = getattr(self.env.cr, SharedGrantFacts.CHANGED)
        self.assertTrue(xid, "a share is what the facts are read from")
        # the transaction that changed them reads its own, every time, and keeps none
        self.assertEqual([s[0] for s in self.facts(1)["shares"]], [self.secret.id])
        self.assertEqual([s[0] for s in self.facts(1)["shares"]], [self.secret.id])
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertEqual(Partner.search([("id", "=", self.secret.id)]), self.secret)

        # its commit: facts read in a snapshot that did not see it finished are never kept (a
        # thread of a threaded server may have read them before the commit and keep them after)
        SharedGrantFacts.committed(self.env.registry, self.env.cr, xid)
        self.assertFalse(getattr(self.env.cr, SharedGrantFacts.CHANGED))
        self.facts(1)
        self.facts(1)
        store = self.env.registry.__dict__[SharedGrantFacts.ATTRIBUTE]
        store.changed_xid = 0  # (a later transaction's snapshot sees it finished)
        self.facts(1)
        self.facts(0)

    def test_a_change_in_another_worker(self):
        self.facts(1)
        self.facts(0)
        # another worker committed a change and signaled it: this one learns it at its next request
        self.env.registry.cache_sequences["default"] = self.env.registry.cache_sequences.get("default", 0) + 1
        self.facts(1)
        self.facts(0)

    def test_a_search_in_the_next_transaction(self):
        """The next request's list: no grant facts to read, no rules' SQL to build."""
        Partner = self.env["res.partner"].with_user(self.colleague)
        self.assertFalse(Partner.search([("id", "=", self.secret.id)]))
        self.env.cr.flush()
        with self.assertQueryCount(1, flush=False):
            self.assertFalse(Partner.search([("id", "=", self.secret.id)]))
        self.assertEqual(Partner.with_user(self.owner).search([("id", "=", self.secret.id)]), self.secret)
