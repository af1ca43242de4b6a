from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

import odoo
from odoo import Command
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import AuditCase
from .test_snapshot_restore import with_optional_groups

SALESMAN = "sales_team.group_sale_salesman,base.group_partner_manager,base.group_allow_export"


@tagged("post_install", "-at_install")
class TestAlerts(AuditCase):
    """Delete and export alerts (recipients, content, languages), anomalies, and a mail server down."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = with_optional_groups(cls.env, SALESMAN)

        def user(login, name, groups=groups, **kwargs):
            return new_test_user(cls.env, login=login, name=name, groups=groups, email=f"{login}@congty.vn", **kwargs)

        cls.root = user("alert_root", "Giám Đốc Gốc", groups="base.group_user")
        cls.leader = user("alert_leader", "Trưởng Nhóm", lang="en_US")
        cls.with_leader = user("alert_sales_a", "Nhân Viên Có Trưởng Nhóm")
        cls.with_manager = user("alert_sales_b", "Nhân Viên Có Quản Lý")
        cls.alone = user("alert_sales_c", "Nhân Viên Một Mình")
        cls.dept_manager = user("alert_manager", "Quản Lý Phòng", groups="base.group_user")
        cls.officer = user("alert_officer", "Cán Bộ An Ninh", groups="base.group_user,crm_audit_log.group_audit_officer")
        cls.company = cls.env.company
        cls.company.write({"crm_audit_alert_user_ids": [Command.set(cls.root.ids)], "crm_audit_offhours_alert": False})
        cls.team = cls.env["crm.team"].create({
            "name": "Nhóm Hà Nội", "user_id": cls.leader.id,
            "crm_team_member_ids": [Command.create({"user_id": cls.with_leader.id})]})
        if "hr.employee" in cls.env:
            Employee = cls.env["hr.employee"]
            manager = Employee.create({"name": cls.dept_manager.name, "user_id": cls.dept_manager.id})
            department = cls.env["hr.department"].create({"name": "Kinh Doanh", "manager_id": manager.id})
            Employee.create({"name": cls.with_manager.name, "user_id": cls.with_manager.id,
                             "department_id": department.id})
        cls.env.cr.flush()

    def setUp(self):
        super().setUp()
        self.env.cr.execute("SELECT COALESCE(max(id), 0) FROM mail_mail")
        self.last_mail = self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ helpers
    def _customers(self, owner, count=1, **vals):
        return self.env["res.partner"].create([
            dict({"name": f"Khách {owner.login} {i}", "email": f"khach{i}.{owner.login}@khach.vn",
                  "user_id": owner.id}, **vals) for i in range(count)])

    def _commit_and_run_cron(self):
        """What a commit and then the triggered alert cron do."""
        self.env.cr.flush()
        cron = self.env.ref("crm_audit_log.ir_cron_crm_audit_alerts")
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]) or not self.env[
            "crm.audit.alert.job"].search_count([]), "every queued alert triggers the cron")
        while self.env["crm.audit.alert"]._cron_send_alerts():
            pass

    def _mails(self, template=None):
        """Mails queued since the test started (the operation committed, the alert cron run), per
        recipient user."""
        self._commit_and_run_cron()
        mails = self.env["mail.mail"].sudo().search([("id", ">", self.last_mail)])
        if template:
            subject = {"delete": "Deleted:", "export": "Exported:", "anomaly": "Security alert:",
                       "digest": "Weekly exports"}[template]
            mails = mails.filtered(lambda mail: mail.subject.startswith(subject))
        return {mail.recipient_ids.user_ids[:1]: mail for mail in mails}

    # ------------------------------------------------------------------ recipients
    def test_delete_alert_to_root_team_leader_and_actor(self):
        partners = self._customers(self.with_leader, 2)
        names = partners.mapped("name")
        partners.with_user(self.with_leader).unlink()
        mails = self._mails("delete")
        self.assertEqual(set(mails), {self.root, self.leader, self.with_leader})
        event = self.events(operation="unlink", model="res.partner")[0]
        for mail in mails.values():
            self.assertEqual(mail.state, "outgoing", "queued, never sent synchronously")
            self.assertEqual(len(mail.recipient_ids), 1, "one mail per recipient, in their language")
            body = str(mail.body_html)
            self.assertIn(self.with_leader.name, body)
            self.assertIn(f"/odoo/crm.audit.log/{event.id}", body)
            for name in names:
                self.assertIn(name, body)
            self.assertNotIn("@khach.vn", body + mail.subject, "no protected value in the alert")
            self.assertIn("2 Contact", mail.subject)

    def test_alerts_are_rendered_by_the_cron_not_by_the_operation(self):
        self._customers(self.alone).with_user(self.alone).unlink()
        self.env.cr.flush()  # the commit of the user's request
        Mail, Job = self.env["mail.mail"].sudo(), self.env["crm.audit.alert.job"]
        self.assertFalse(Mail.search_count([("id", ">", self.last_mail)]), "no mail rendered in the request")
        job = Job.search([])
        event = self.events(operation="unlink", model="res.partner")[0]
        self.assertEqual((job.log_id, job.kind), (event.id, "unlink"))
        self.assertEqual(set(self._mails("delete")), {self.root, self.alone})
        self.assertFalse(job.exists(), "done once")
        self.assertFalse(self.env["crm.audit.alert"]._cron_send_alerts(), "nothing left, nothing sent twice")

    def test_a_broken_alert_is_logged_and_dropped(self):
        self._customers(self.alone).with_user(self.alone).unlink()
        template = self.env.ref("crm_audit_log.mail_template_delete_alert")
        template.subject = "{{ object.no_such_field }}"
        with mute_logger("odoo.addons.crm_audit_log.models.crm_audit_alert", "odoo.addons.mail.models.mail_render_mixin"):
            self.assertFalse(self._mails("delete"))
        self.assertFalse(self.env["crm.audit.alert.job"].search([]))

    def test_delete_alert_department_manager_without_team(self):
        self._customers(self.with_manager).with_user(self.with_manager).unlink()
        expected = {self.root, self.with_manager}
        if "hr.employee" in self.env:
            expected.add(self.dept_manager)
        self.assertEqual(set(self._mails("delete")), expected)

    def test_delete_alert_without_leader_nor_manager(self):
        self._customers(self.alone).with_user(self.alone).unlink()
        self.assertEqual(set(self._mails("delete")), {self.root, self.alone})

    def test_default_root_recipient_is_the_administrator(self):
        self.company.crm_audit_alert_user_ids = False
        admin = self.env.ref("base.user_admin")
        self._customers(self.alone).with_user(self.alone).unlink()
        mails = self._mails("delete")
        self.assertIn(admin, mails)
        self.assertNotIn(self.root, mails)

    def test_alert_in_the_recipient_language(self):
        self.env["res.lang"]._activate_lang("vi_VN")
        self.env["ir.module.module"]._load_module_terms(["crm_audit_log"], ["vi_VN"], overwrite=True)
        self.leader.lang = "vi_VN"
        self._customers(self.with_leader).with_user(self.with_leader).unlink()
        self._commit_and_run_cron()
        mails = {mail.recipient_ids.user_ids[:1]: mail for mail in self.env["mail.mail"].sudo().search(
            [("id", ">", self.last_mail)])}
        self.assertTrue(mails[self.leader].subject.startswith("Đã xoá"), mails[self.leader].subject)
        self.assertTrue(mails[self.with_leader].subject.startswith("Deleted:"))

    # ------------------------------------------------------------------ export
    def test_export_alert_lists_fields_with_protected_ones_highlighted(self):
        admin_group = self.env.ref("crm_security.group_customer_data_admin", raise_if_not_found=False)
        if admin_group:  # crm_security's own export rules are not under test here
            self.with_leader.groups_id |= admin_group
        partners = self._customers(self.with_leader, 3)
        Partner = self.registry["res.partner"]
        with patch.object(Partner, "_crm_security_field_is_protected", lambda self, f: f == "email", create=True):
            partners.with_user(self.with_leader).export_data(["name", "email", "country_id/name"])
            mails = self._mails("export")
        self.assertEqual(set(mails), {self.root, self.leader, self.with_leader})
        body = str(mails[self.with_leader].body_html)
        self.assertIn("3</strong> row(s)", body)
        self.assertRegex(body, r"<strong>Email</strong>\s*\(protected\)")
        self.assertNotRegex(body, r"<strong>Name</strong>")
        self.assertIn("Country / Country Name", body)
        self.assertIn(partners[0].name, body)
        self.assertNotIn("@khach.vn", body)

    def test_weekly_export_digest_off_by_default(self):
        admin_group = self.env.ref("crm_security.group_customer_data_admin", raise_if_not_found=False)
        if admin_group:
            self.with_leader.groups_id |= admin_group
        self._customers(self.with_leader, 2).with_user(self.with_leader).export_data(["name"])
        self._commit_and_run_cron()
        Alert = self.env["crm.audit.alert"]
        self.assertFalse(self.company.crm_audit_digest_enabled)
        Alert._cron_export_digest()
        self.assertFalse(self._mails("digest"))
        self.company.crm_audit_digest_enabled = True
        Alert._cron_export_digest()
        digests = self._mails("digest")
        self.assertEqual(set(digests), {self.root}, "to the root recipients only")
        body = str(digests[self.root].body_html)
        self.assertIn(self.with_leader.name, body)
        self.assertRegex(body, r">2</td>", "the rows exported")

    # ------------------------------------------------------------------ anomalies
    def _delete_one(self, owner):
        self._customers(owner).with_user(owner).unlink()
        self._commit_and_run_cron()

    def test_anomaly_threshold_once_per_window(self):
        self.company.write({"crm_audit_anomaly_delete_limit": 2, "crm_audit_anomaly_window": 1})
        Anomaly = self.env["crm.audit.anomaly"]
        with freeze_time("2025-03-03 03:00:00"):
            self._delete_one(self.alone)
            self._delete_one(self.alone)
            self.assertFalse(Anomaly.search([("user_id", "=", self.alone.id)]), "2 deletes: at the threshold")
            self._delete_one(self.alone)
            anomaly = Anomaly.search([("user_id", "=", self.alone.id)])
            self.assertEqual((anomaly.kind, anomaly.record_count, anomaly.limit), ("unlink", 3, 2))
            mails = self._mails("anomaly")
            self.assertIn(self.officer, mails)
            self.assertNotIn(self.alone, mails, "anomalies go to the security officers")
            self.assertIn(self.alone.name, str(mails[self.officer].body_html))
            self._delete_one(self.alone)
            self.assertEqual(len(Anomaly.search([("user_id", "=", self.alone.id)])), 1, "once per window")
        with freeze_time("2025-03-03 05:00:00"):
            for _i in range(3):
                self._delete_one(self.alone)
        self.assertEqual(len(Anomaly.search([("user_id", "=", self.alone.id)])), 2, "a new window, a new alert")

    def test_export_threshold(self):
        self.company.crm_audit_anomaly_export_limit = 2
        admin_group = self.env.ref("crm_security.group_customer_data_admin", raise_if_not_found=False)
        if admin_group:
            self.alone.groups_id |= admin_group
        self._customers(self.alone, 3).with_user(self.alone).export_data(["name"])
        self._commit_and_run_cron()
        anomaly = self.env["crm.audit.anomaly"].search([("user_id", "=", self.alone.id)])
        self.assertEqual((anomaly.kind, anomaly.record_count), ("export", 3))

    def test_activity_outside_working_hours(self):
        self.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        self.company.write({"crm_audit_offhours_alert": True, "crm_audit_offhours_start": 22.0,
                            "crm_audit_offhours_end": 6.0})
        Anomaly = self.env["crm.audit.anomaly"]
        with freeze_time(datetime(2025, 3, 3, 3, 0)):  # 10:00 in Hanoi
            self._delete_one(self.alone)
        self.assertFalse(Anomaly.search([("user_id", "=", self.alone.id)]))
        with freeze_time(datetime(2025, 3, 3, 16, 30)):  # 23:30 in Hanoi
            self._delete_one(self.alone)
        anomaly = Anomaly.search([("user_id", "=", self.alone.id)])
        self.assertEqual(anomaly.kind, "off_hours")
        self.assertIn(self.officer, self._mails("anomaly"))

    def test_login_outside_working_hours(self):
        """A login at night is an anomaly for the security officers; a login by day is not."""
        self.company.partner_id.tz = "Asia/Ho_Chi_Minh"
        self.company.write({"crm_audit_offhours_alert": True, "crm_audit_offhours_start": 22.0,
                            "crm_audit_offhours_end": 6.0})
        Anomaly = self.env["crm.audit.anomaly"]
        self.alone.company_id = self.company
        with freeze_time(datetime(2025, 3, 3, 3, 0)):  # 10:00 in Hanoi
            self.alone.with_user(self.alone)._update_last_login()
            self._commit_and_run_cron()
        self.assertFalse(Anomaly.search([("user_id", "=", self.alone.id)]))
        with freeze_time(datetime(2025, 3, 3, 20, 0)):  # 03:00 in Hanoi
            self.alone.with_user(self.alone)._update_last_login()
            mails = self._mails("anomaly")
        anomaly = Anomaly.search([("user_id", "=", self.alone.id)])
        self.assertEqual((anomaly.kind, anomaly.model), ("off_hours", "res.users"))
        self.assertIn(self.officer, mails)
        self.assertNotIn(self.root, self._mails("export"), "no alert about records")

    # ------------------------------------------------------------------ mail server down
    def test_mail_server_down_never_blocks_the_delete(self):
        self.env["ir.mail_server"].create({
            "name": "Máy chủ hỏng", "smtp_host": "127.0.0.1", "smtp_port": 9, "sequence": 0})
        partner = self._customers(self.alone)
        partner.with_user(self.alone).unlink()
        mails = self.env["mail.mail"].sudo().browse([mail.id for mail in self._mails("delete").values()])
        self.assertTrue(mails)
        self.assertFalse(partner.exists(), "the delete went through")
        self.assertTrue(self.events(operation="unlink", model="res.partner"))
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "queued for the mail cron")
        # the queue tries for real (Odoo never connects in test mode otherwise): the server is down
        with patch.object(odoo.modules.module, "current_test", False), mute_logger("odoo.addons.mail.models.mail_mail"):
            mails.send(raise_exception=False)
        self.assertEqual(set(mails.mapped("state")), {"exception"})
        mails.mark_outgoing()
        self.assertEqual(set(mails.mapped("state")), {"outgoing"}, "retried when the server is back")
