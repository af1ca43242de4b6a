"""Demo data of `make demo`: a Vietnamese trading company, its people, customers and pipeline.

Piped into ``odoo-bin shell -d crm_demo`` by ``scripts/crmctl.py demo``: ``env`` is a superuser
environment given by the shell. Idempotent: every record created here gets an xmlid in module
``__demo__`` (users are found by login), and what already exists is left alone, so running it
again adds only what is missing. One-off passes (the customers' stages, the history made as
different users) are remembered in ``ir.config_parameter`` keys ``crm_demo.*``.

PERSONAS is the single source of truth for the demo users: ``scripts/check_demo.py`` reads it
(with ``ast``, without running this file) to log in as each of them and to (re)generate the table
``scripts/demo_personas.txt`` that ``make demo`` prints. Keep it a plain literal.
"""
import base64
import io
import math
import random
import sys
import unicodedata
from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import file_path

DOMAIN = "saoviet.vn"
PASSWORD = "demo"
TZ = "Asia/Ho_Chi_Minh"
MODULE = "__demo__"

# One entry per persona, in the order of the printed table. `groups` are the user's groups besides
# base.group_user (implied groups follow). `role` and `sees` feed the table only.
PERSONAS = [
    {"key": "admin", "login": "admin", "password": "admin", "name": "Quản trị viên", "lang": "vi_VN",
     "department": None, "team": None, "job": "Quản trị hệ thống", "groups": [],
     "role": "Odoo administrator (all settings)",
     "sees": "All customers and leads; CRM and General Settings (private mode, managers, matrix, "
             "audit retention)."},
    {"key": "director", "login": "hung.nguyen@saoviet.vn", "password": "demo", "name": "Nguyễn Văn Hùng",
     "lang": "vi_VN", "department": "board", "team": None, "job": "Giám đốc",
     "groups": ["crm_security.group_crm_security_manager", "crm_audit_log.group_audit_manager",
                "crm_audit_log.group_audit_restore", "sales_team.group_sale_manager",
                "crm_security.group_see_customer_email", "crm_security.group_see_customer_phone",
                "base.group_allow_export", "base.group_partner_manager"],
     "role": "Director (Ban Giám đốc): security configurator, customer-data admin, audit admin",
     "sees": "All customers and leads with real e-mails and phones; shares and offboards anyone's; "
             "the whole audit log; restores deleted records."},
    {"key": "sales_manager", "login": "mai.tran@saoviet.vn", "password": "demo", "name": "Trần Thị Mai",
     "lang": "vi_VN", "department": "sales", "team": None, "job": "Trưởng phòng Kinh doanh",
     "groups": ["sales_team.group_sale_salesman_all_leads", "base.group_allow_export", "crm_security.group_export_customer",
                "base.group_partner_manager"],
     "role": "Sales manager (head of Phòng Kinh doanh)",
     "sees": "Customers and leads of everybody in Phòng Kinh doanh (both teams), although 'All documents' "
             "would show all; of Marketing and Customer Care only the customers in stages Lead/Opportunity "
             "(matrix: read-only, contact data masked); may export."},
    {"key": "leader_north", "login": "dung.le@saoviet.vn", "password": "demo", "name": "Lê Văn Dũng",
     "lang": "vi_VN", "department": "sales", "team": "north", "job": "Trưởng nhóm Kinh doanh Miền Bắc",
     "groups": ["sales_team.group_sale_salesman", "base.group_allow_export", "crm_security.group_export_customer",
                "base.group_partner_manager"],
     "role": "Team leader, Nhóm Kinh doanh Miền Bắc",
     "sees": "Own customers/leads plus those of Tuấn and Phúc (his team) and the team's unassigned leads; "
             "others' customers in stages Lead/Opportunity (matrix: read-only, contact data masked); "
             "hands leads over inside the team."},
    {"key": "leader_south", "login": "lan.pham@saoviet.vn", "password": "demo", "name": "Phạm Thị Lan",
     "lang": "vi_VN", "department": "sales", "team": "south", "job": "Trưởng nhóm Kinh doanh Miền Nam",
     "groups": ["sales_team.group_sale_salesman", "base.group_allow_export", "crm_security.group_export_customer",
                "base.group_partner_manager"],
     "role": "Team leader, Nhóm Kinh doanh Miền Nam",
     "sees": "Own customers/leads plus those of Hồng and Ngọc (her team) and the team's unassigned leads; "
             "others' customers in stages Lead/Opportunity (matrix: read-only, contact data masked)."},
    {"key": "sales_north", "login": "tuan.hoang@saoviet.vn", "password": "demo", "name": "Hoàng Minh Tuấn",
     "lang": "vi_VN", "department": "sales", "team": "north", "job": "Nhân viên Kinh doanh",
     "groups": ["sales_team.group_sale_salesman", "base.group_partner_manager"],
     "role": "Salesperson, Nhóm Miền Bắc (Odoo group: own documents only)",
     "sees": "His own customers and leads (+ his team's unassigned leads); of others' customers, Phúc's "
             "too although same team, only those in stages Lead/Opportunity (matrix: read-only, contact "
             "data masked); no export."},
    {"key": "sales_north2", "login": "phuc.truong@saoviet.vn", "password": "demo", "name": "Trương Văn Phúc",
     "lang": "vi_VN", "department": "sales", "team": "north", "job": "Nhân viên Kinh doanh",
     "groups": ["sales_team.group_sale_salesman", "base.group_partner_manager"],
     "role": "Salesperson, Nhóm Miền Bắc (Odoo group: own documents only)",
     "sees": "His own customers and leads, incl. the lead Dũng handed over to him from Tuấn; others' "
             "customers only in stages Lead/Opportunity (matrix: read-only, contact data masked); no export."},
    {"key": "sales_south", "login": "hong.vo@saoviet.vn", "password": "demo", "name": "Võ Thị Hồng",
     "lang": "vi_VN", "department": "sales", "team": "south", "job": "Nhân viên Kinh doanh",
     "groups": ["sales_team.group_sale_salesman", "base.group_partner_manager"],
     "role": "Salesperson, Nhóm Miền Nam (Odoo group: own documents only)",
     "sees": "Her own customers and leads (+ the South team's unassigned leads); others' customers only "
             "in stages Lead/Opportunity (matrix: read-only, contact data masked); no export."},
    {"key": "sales_south2", "login": "ngoc.dinh@saoviet.vn", "password": "demo", "name": "Đinh Thị Ngọc",
     "lang": "vi_VN", "department": "sales", "team": "south", "job": "Nhân viên Kinh doanh",
     "groups": ["sales_team.group_sale_salesman", "base.group_partner_manager"],
     "role": "Salesperson, Nhóm Miền Nam (Odoo group: own documents only)",
     "sees": "Her own customers and leads; others' customers only in stages Lead/Opportunity (matrix: "
             "read-only, contact data masked); no export."},
    {"key": "marketing_manager", "login": "bao.dang@saoviet.vn", "password": "demo", "name": "Đặng Quốc Bảo",
     "lang": "vi_VN", "department": "marketing", "team": None, "job": "Trưởng phòng Marketing",
     "groups": ["sales_team.group_sale_salesman", "base.group_allow_export", "crm_security.group_export_customer",
                "base.group_partner_manager"],
     "role": "Marketing manager (head of Phòng Marketing)",
     "sees": "Own and Thu's customers; others' customers in stages New contact (may edit) and Lead "
             "(read-only) via the department x stage matrix, with masked e-mails and phones; may export."},
    {"key": "marketing_staff", "login": "thu.bui@saoviet.vn", "password": "demo", "name": "Bùi Thị Thu",
     "lang": "vi_VN", "department": "marketing", "team": None, "job": "Chuyên viên Marketing",
     "groups": ["sales_team.group_sale_salesman", "base.group_partner_manager"],
     "role": "Marketing staff, Phòng Marketing",
     "sees": "Own prospects; others' customers in stages New contact (may edit) and Lead (read-only) via "
             "the matrix, contact data masked; no export."},
    {"key": "care_manager", "login": "ha.ngo@saoviet.vn", "password": "demo", "name": "Ngô Thanh Hà",
     "lang": "vi_VN", "department": "care", "team": None, "job": "Trưởng phòng Chăm sóc Khách hàng",
     "groups": ["sales_team.group_sale_salesman", "base.group_allow_export", "crm_security.group_export_customer",
                "base.group_partner_manager"],
     "role": "Customer care manager (head of Phòng CSKH)",
     "sees": "Own and Wang Fang's customers; others' customers in stages Customer/Returning via the "
             "matrix (may edit), with masked e-mails and phones; may export."},
    {"key": "care_staff", "login": "fang.wang@saoviet.vn", "password": "demo", "name": "王芳 (Wang Fang)",
     "lang": "zh_CN", "department": "care", "team": None, "job": "Chuyên viên Chăm sóc Khách hàng",
     "groups": ["sales_team.group_sale_salesman", "crm_security.group_see_customer_phone",
                "base.group_partner_manager"],
     "role": "Customer care staff, Phòng CSKH (Chinese UI)",
     "sees": "Own customers; others' customers in stages Customer/Returning via the matrix (may edit), "
             "with real phone numbers (e-mails of others masked); no export."},
    {"key": "auditor", "login": "khoa.do@saoviet.vn", "password": "demo", "name": "Đỗ Văn Khoa",
     "lang": "vi_VN", "department": "control", "team": None, "job": "Kiểm soát viên Nội bộ",
     "groups": ["crm_audit_log.group_audit_auditor"],
     "role": "Internal auditor (Ban Kiểm soát)",
     "sees": "The audit log (Audit > Events, read-only); no CRM app, no customers or leads."},
]

DEPARTMENTS = {  # key: (name, parent key, manager persona)
    "board": ("Ban Giám đốc", None, "director"),
    "sales": ("Phòng Kinh doanh", "board", "sales_manager"),
    "marketing": ("Phòng Marketing", "board", "marketing_manager"),
    "care": ("Phòng Chăm sóc Khách hàng", "board", "care_manager"),
    "control": ("Ban Kiểm soát", None, "auditor"),
}
TEAMS = {  # key: (name, leader persona); members are the personas whose "team" is the key
    "north": ("Nhóm Kinh doanh Miền Bắc", "leader_north"),
    "south": ("Nhóm Kinh doanh Miền Nam", "leader_south"),
}
# Employee's manager when it is not the head of their department.
EMPLOYEE_PARENT = {"sales_north": "leader_north", "sales_north2": "leader_north",
                   "sales_south": "leader_south", "sales_south2": "leader_south",
                   "leader_north": "sales_manager", "leader_south": "sales_manager"}

CITIES = {  # key: (city, state xmlid, zip, landline prefix, streets)
    "hn": ("Hà Nội", "base.state_vn_VN-HN", "100000", "24",
           ["Phố Huế, Quận Hai Bà Trưng", "Đường Láng, Quận Đống Đa", "Phố Duy Tân, Quận Cầu Giấy",
            "Phố Kim Mã, Quận Ba Đình"]),
    "hcm": ("Hồ Chí Minh", "base.state_vn_VN-SG", "700000", "28",
            ["Đường Nguyễn Thị Minh Khai, Quận 3", "Đường Lê Lợi, Quận 1", "Đường Cộng Hòa, Quận Tân Bình",
             "Đường Võ Văn Ngân, TP Thủ Đức"]),
    "dn": ("Đà Nẵng", "base.state_vn_VN-DN", "550000", "236",
           ["Đường Bạch Đằng, Quận Hải Châu", "Đường Nguyễn Văn Linh, Quận Thanh Khê",
            "Đường Võ Nguyên Giáp, Quận Sơn Trà"]),
    "hp": ("Hải Phòng", "base.state_vn_VN-HP", "180000", "225",
           ["Đường Lạch Tray, Quận Ngô Quyền", "Đường Lê Hồng Phong, Quận Hải An"]),
    "ct": ("Cần Thơ", "base.state_vn_VN-CT", "900000", "292",
           ["Đường 30 Tháng 4, Quận Ninh Kiều", "Đường Trần Hưng Đạo, Quận Ninh Kiều"]),
}

# Company customers: key, name, city, owner persona, customer stage, tag, language.
COMPANIES = [
    ("anphu", "Công ty TNHH Thực phẩm An Phú", "hcm", "sales_south", "customer", "agent", "vi_VN"),
    ("hungthinh", "Công ty CP Xây dựng Hưng Thịnh", "hn", "leader_north", "opportunity", "vip", "vi_VN"),
    ("biendong", "Công ty TNHH Vận tải Biển Đông", "hp", "sales_north2", "opportunity", None, "vi_VN"),
    ("songhan", "Công ty CP Du lịch Sông Hàn", "dn", "leader_north", "opportunity", "vip", "vi_VN"),
    ("mekong", "Công ty TNHH Nông sản Mekong Xanh", "ct", "sales_south2", "customer", None, "vi_VN"),
    ("binhan", "Công ty CP Dược phẩm Bình An", "hcm", "sales_south", "opportunity", None, "vi_VN"),
    ("tantien", "Công ty TNHH Điện tử Tân Tiến", "hn", "sales_north", "customer", "agent", "vi_VN"),
    ("goviet", "Công ty TNHH Nội thất Gỗ Việt", "hcm", "care_staff", "returning", "vip", "vi_VN"),
    ("cuulong", "Công ty CP Thủy sản Cửu Long", "ct", "sales_south", "opportunity", None, "vi_VN"),
    ("haiau", "Công ty TNHH Cơ khí Hải Âu", "hp", "sales_north", "opportunity", None, "vi_VN"),
    ("triviet", "Công ty CP Giáo dục Trí Việt", "hn", "marketing_staff", "lead", None, "vi_VN"),
    ("bienxanh", "Công ty TNHH Khách sạn Biển Xanh", "dn", "sales_north2", "opportunity", None, "vi_VN"),
    ("phuongnam", "Công ty CP Bao bì Phương Nam", "hcm", "care_manager", "customer", "agent", "vi_VN"),
    ("saomai", "Công ty TNHH Phần mềm Sao Mai", "hn", "sales_north2", "customer", None, "vi_VN"),
    ("caonguyen", "Công ty CP Cà phê Cao Nguyên", "hcm", "sales_south", "returning", "vip", "vi_VN"),
    ("thanhcong", "Công ty TNHH May mặc Thành Công", "hcm", "sales_south2", "customer", None, "vi_VN"),
    ("cangsg", "Công ty CP Logistics Cảng Sài Gòn", "hcm", "leader_south", "customer", "vip", "vi_VN"),
    ("hongha", "Công ty TNHH Vật liệu Xây dựng Hồng Hà", "hn", "marketing_manager", "new", None, "vi_VN"),
    ("tienphong", "Công ty CP Nhựa Tiền Phong Mới", "hp", "sales_north", "customer", None, "vi_VN"),
    ("hoabinh", "Công ty TNHH Thiết bị Y tế Hòa Bình", "dn", "leader_north", "customer", None, "vi_VN"),
    ("haugiang", "Công ty CP Gạo Hậu Giang", "ct", "sales_south2", "opportunity", None, "vi_VN"),
    ("hoasen", "Công ty TNHH Mỹ phẩm Hoa Sen", "hcm", "leader_south", "opportunity", None, "vi_VN"),
    ("nangluong", "Công ty CP Năng lượng Xanh Miền Trung", "dn", "marketing_staff", "new", None, "vi_VN"),
    ("giadinh", "Công ty TNHH Siêu thị Gia Đình", "hn", "care_manager", "inactive", None, "vi_VN"),
    ("daiviet", "Công ty TNHH Điện tử Đài Việt (台越电子)", "hcm", "care_staff", "customer", "agent", "zh_CN"),
    ("minhlong", "Công ty TNHH Minh Long Logistics", "hcm", "sales_south2", "returning", None, "vi_VN"),
]
# Individual customers: (owner persona, stage) in rotation; cities follow the owner's region.
PERSON_OWNERS = [
    ("sales_north", "customer"), ("sales_north2", "opportunity"), ("sales_south", "customer"),
    ("sales_south2", "opportunity"), ("marketing_staff", "new"), ("care_staff", "returning"),
    ("leader_north", "customer"), ("leader_south", "opportunity"), ("marketing_manager", "lead"),
    ("care_manager", "inactive"), ("sales_north", "lead"), ("sales_south", "opportunity"),
    ("marketing_staff", "lead"), ("care_staff", "customer"),
]
PERSON_COUNT = 42
STAGE_KEYS = ("new", "lead", "opportunity", "customer", "returning", "inactive")  # xmlids customer_stage_<key>
# Department x customer stage matrix (crm.security.matrix): department key -> {stage key: access}.
# Members of the department read ("read") or edit ("edit") the customers of these stages that
# others own; their protected fields stay masked (see_sensitive off), as PERSONAS says.
STAGE_MATRIX = {
    "marketing": {"new": "edit", "lead": "read"},
    "sales": {"lead": "read", "opportunity": "read"},
    "care": {"customer": "edit", "returning": "edit"},
}
REGION_CITIES = {"north": ["hn", "hp", "dn"], "south": ["hcm", "ct"], None: ["hn", "hcm", "dn", "hp", "ct"]}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý"]
MALE = (["Văn", "Minh", "Đức", "Quốc", "Thanh", "Hữu"],
        ["An", "Bình", "Cường", "Dũng", "Đức", "Hải", "Hiếu", "Khánh", "Long", "Nam", "Phong", "Quang",
         "Sơn", "Thắng", "Trung", "Việt"])
FEMALE = (["Thị", "Ngọc", "Thu", "Thanh", "Bảo", "Mỹ"],
          ["Anh", "Chi", "Giang", "Hạnh", "Hương", "Linh", "My", "Ngân", "Nhung", "Oanh", "Phương",
           "Quyên", "Thảo", "Trang", "Vy", "Yến"])
FUNCTIONS = ["Giám đốc", "Trưởng phòng Mua hàng", "Kế toán trưởng", "Phó Giám đốc", "Trưởng phòng Hành chính"]
MAIL_HOSTS = ["gmail.com", "yahoo.com.vn", "outlook.com"]
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "86", "88"]
TAGS = {"vip": "Khách hàng VIP", "agent": "Đại lý"}
LEAD_TAGS = {"project": "Dự án", "wholesale": "Bán sỉ", "retail": "Bán lẻ", "export": "Xuất khẩu"}
SOURCES = {"zalo": "Zalo OA", "facebook": "Facebook Ads", "fair": "Hội chợ triển lãm", "referral": "Khách giới thiệu"}

# Leads and opportunities: key, title, type, owner persona, team, customer (company key, "person",
# or None), crm stage (1 New, 2 Qualified, 3 Proposition, 4 Won) or "lost", revenue in VND,
# priority, tags, source, days to the expected closing date.
LEADS = [
    ("l01", "Cung cấp 500 bộ bàn ghế văn phòng", "opportunity", "sales_north", "north", "haiau", 3,
     450_000_000, "2", ["project"], "referral", 20),
    ("l02", "Hợp đồng bảo trì thiết bị năm 2025", "opportunity", "sales_north", "north", "tantien", 2,
     180_000_000, "1", [], None, 35),
    ("l03", "Yêu cầu báo giá vật tư điện", "lead", "sales_north", "north", "tienphong", 1,
     60_000_000, "0", ["wholesale"], "zalo", 15),
    ("l04", "Đơn hàng quà tặng Tết", "opportunity", "sales_north", "north", "person", 4,
     95_000_000, "1", ["retail"], "facebook", -10),
    ("l05", "Trang bị máy chủ cho chi nhánh Hải Phòng", "opportunity", "sales_north2", "north", "biendong", 1,
     820_000_000, "2", ["project"], None, 60),
    ("l06", "Gói phần mềm quản lý kho", "opportunity", "sales_north2", "north", "biendong", 3,
     240_000_000, "1", [], "referral", 25),
    ("l07", "Khách hỏi giá qua Zalo", "lead", "sales_north2", "north", "person", 1,
     35_000_000, "0", ["retail"], "zalo", 10),
    ("l08", "Mở rộng hệ thống camera", "opportunity", "sales_north2", "north", "bienxanh", "lost",
     310_000_000, "1", ["project"], None, -20),
    ("l09", "Nội thất khách sạn Sông Hàn", "opportunity", "leader_north", "north", "songhan", 2,
     1_250_000_000, "3", ["project"], "fair", 45),
    ("l10", "Hợp đồng khung 2025 – Xây dựng Hưng Thịnh", "opportunity", "leader_north", "north", "hungthinh", 3,
     2_100_000_000, "3", ["project", "wholesale"], "referral", 30),
    ("l11", "Bao bì cho mùa vụ xuất khẩu", "opportunity", "sales_south", "south", "cuulong", 3,
     560_000_000, "2", ["export"], None, 5),
    ("l12", "Tủ bảo quản thuốc đạt chuẩn GSP", "opportunity", "sales_south", "south", "binhan", 2,
     730_000_000, "1", ["project"], "fair", 40),
    ("l13", "Đăng ký nhận catalogue", "lead", "sales_south", "south", "person", 1,
     20_000_000, "0", [], "facebook", 12),
    ("l14", "Máy pha cà phê cho chuỗi cửa hàng", "opportunity", "sales_south", "south", "caonguyen", 4,
     150_000_000, "2", ["wholesale"], "referral", -30),
    ("l15", "Máy may công nghiệp cho xưởng mới", "opportunity", "sales_south2", "south", "thanhcong", 1,
     275_000_000, "1", ["project"], None, 55),
    ("l16", "Hệ thống POS cho cửa hàng nông sản", "opportunity", "sales_south2", "south", "mekong", 3,
     390_000_000, "1", ["retail"], "zalo", 8),
    ("l17", "Liên hệ từ hội chợ Vietnam Expo", "lead", "sales_south2", "south", "person", 1,
     80_000_000, "0", [], "fair", 14),
    ("l18", "Gia hạn hợp đồng dịch vụ kho vận", "opportunity", "sales_south2", "south", "minhlong", 4,
     640_000_000, "2", [], "referral", -5),
    ("l19", "Văn phòng phẩm cả năm cho Cảng Sài Gòn", "opportunity", "leader_south", "south", "cangsg", 2,
     1_800_000_000, "3", ["wholesale"], None, 50),
    ("l20", "Kênh phân phối mỹ phẩm Hoa Sen", "opportunity", "leader_south", "south", "hoasen", "lost",
     950_000_000, "2", ["wholesale"], "fair", -15),
    ("l21", "Hỏi mua máy lọc nước cho văn phòng", "lead", "sales_north", "north", None, 1,
     18_000_000, "0", ["retail"], "facebook", 7),
    ("l22", "Nâng cấp mạng nội bộ", "opportunity", "sales_north2", "north", "saomai", 2,
     130_000_000, "1", [], None, 28),
    ("l23", "Khách để lại thông tin trên website", "lead", "sales_south", "south", "person", 1,
     45_000_000, "0", [], None, 9),
    ("l24", "Bao bì gạo xuất khẩu 5 kg", "opportunity", "sales_south2", "south", "haugiang", 2,
     420_000_000, "2", ["export"], "fair", 33),
    ("l25", "Thiết bị y tế cho phòng khám", "opportunity", "leader_north", "north", "hoabinh", 4,
     670_000_000, "2", ["project"], None, -25),
    ("l26", "Điện mặt trời áp mái nhà kho", "opportunity", "leader_south", "south", "cangsg", 1,
     1_150_000_000, "1", ["project"], "referral", 75),
    ("l27", "Yêu cầu tư vấn từ form website", "lead", None, "north", None, 1,
     50_000_000, "0", [], None, 14),
    ("l28", "Hotline: khách hỏi giá sỉ", "lead", None, "south", None, 1,
     70_000_000, "1", ["wholesale"], None, 14),
]
ACTIVITIES = [  # lead key, activity type xmlid, summary, days from today
    ("l01", "mail.mail_activity_data_call", "Gọi xác nhận số lượng bàn ghế", 1),
    ("l09", "mail.mail_activity_data_meeting", "Khảo sát mặt bằng khách sạn", 3),
    ("l10", "mail.mail_activity_data_todo", "Gửi báo giá lần 2", -1),
    ("l12", "mail.mail_activity_data_email", "Gửi hồ sơ năng lực", 2),
    ("l19", "mail.mail_activity_data_meeting", "Họp với phòng mua hàng Cảng Sài Gòn", 5),
    ("l22", "mail.mail_activity_data_call", "Gọi lại về ngân sách", 0),
]

BASE_CONTEXT = {"mail_create_nolog": True, "mail_notrack": True, "mail_auto_subscribe_no_notify": True,
                "tracking_disable": True, "no_reset_password": True}


# --------------------------------------------------------------------------- helpers
def ascii_slug(text, sep=""):
    """'Trần Thị Mai' -> 'tranthimai' (đ is not decomposed by NFD, hence the replace)."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").lower()
    return sep.join(part for part in "".join(c if c.isalnum() else " " for c in text).split())


def mobile(rng):
    return "+84 %s %03d %04d" % (rng.choice(MOBILE_PREFIXES), rng.randrange(1000), rng.randrange(10000))


def landline(rng, city_key):
    prefix = CITIES[city_key][3]
    digits = 8 if len(prefix) == 2 else 7
    number = "%0*d" % (digits, rng.randrange(10 ** (digits - 1), 10 ** digits))
    return "+84 %s %s %s" % (prefix, number[:-4], number[-4:])


def logo_png():
    """A small logo (gold star on red, "Sao Việt"), base64 PNG; None without Pillow or the font."""
    try:
        from PIL import Image, ImageDraw, ImageFont

        font = ImageFont.truetype(file_path("web/static/fonts/sign/NotoSans-Reg.ttf"), 60)
    except (ImportError, OSError, FileNotFoundError):
        return None
    image = Image.new("RGBA", (430, 120), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 116, 116), radius=24, fill=(200, 16, 46))
    star = [(60 + r * math.sin(math.pi * k / 5), 64 - r * math.cos(math.pi * k / 5))
            for k, r in zip(range(10), [44, 18] * 5, strict=True)]
    draw.polygon(star, fill=(255, 205, 0))
    draw.text((136, 12), "Sao Việt", font=font, fill=(160, 16, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue())


class Demo:
    def __init__(self, env):
        self.env = env(context=dict(env.context, **BASE_CONTEXT))
        self.rng = random.Random(20241123)  # fixed seed: the same names on every run
        self.notes = []
        self.users = {}

    # ---- xmlid bookkeeping
    def ref(self, name):
        return self.env.ref("%s.%s" % (MODULE, name), raise_if_not_found=False)

    def bind(self, name, record):
        self.env["ir.model.data"].create({
            "module": MODULE, "name": name, "model": record._name, "res_id": record.id, "noupdate": True})
        return record

    def ensure(self, name, model, values):
        """The record of xmlid __demo__.<name>, created from `values` (a dict or a callable) if missing."""
        record = self.ref(name)
        if record:
            return record
        vals = values() if callable(values) else values
        return self.bind(name, self.env[model].create(vals))

    def once(self, key, done_value="1"):
        """True the first time a one-off pass `key` runs (until `mark` records it)."""
        return self.env["ir.config_parameter"].sudo().get_param("crm_demo.%s" % key) != done_value

    def mark(self, key, value="1"):
        self.env["ir.config_parameter"].sudo().set_param("crm_demo.%s" % key, value)

    def customer_rank(self):
        """customer_rank marks customers, but it is defined by `account`, which the demo may lack."""
        return {"customer_rank": 1} if "customer_rank" in self.env["res.partner"]._fields else {}

    def address(self, city_key):
        city, state, zip_code, _prefix, streets = CITIES[city_key]
        street, district = self.rng.choice(streets).split(", ")
        return {"street": "%d %s" % (self.rng.randrange(2, 400), street), "street2": district, "city": city,
                "state_id": self.env.ref(state).id, "zip": zip_code, "country_id": self.env.ref("base.vn").id}

    def person_name(self):
        family = self.rng.choice(FAMILY)
        middles, givens = self.rng.choice([MALE, FEMALE])
        return "%s %s %s" % (family, self.rng.choice(middles), self.rng.choice(givens))

    # ---- company, features
    def company(self):
        company = self.env.ref("base.main_company")
        if company.name != "Công ty TNHH Thương mại Sao Việt":
            vnd = self.env.ref("base.VND")
            vnd.active = True
            company.write({
                "name": "Công ty TNHH Thương mại Sao Việt",
                "street": "72 Lê Thánh Tôn", "street2": "Phường Bến Nghé, Quận 1", "city": "Hồ Chí Minh",
                "state_id": self.env.ref("base.state_vn_VN-SG").id, "zip": "700000",
                "country_id": self.env.ref("base.vn").id, "phone": "+84 28 3822 6868",
                "email": "info@%s" % DOMAIN, "website": "https://www.%s" % DOMAIN, "vat": "0312345678",
                "currency_id": vnd.id,
            })
            company.partner_id.write({"lang": "vi_VN", "tz": TZ})
            logo = logo_png()
            if logo:
                company.logo = logo
        if "mail.alias.domain" in self.env and not company.alias_domain_id:
            domain = self.env["mail.alias.domain"].search([("name", "=", DOMAIN)], limit=1)
            company.alias_domain_id = domain or self.env["mail.alias.domain"].create({"name": DOMAIN})
        admin = self.env.ref("base.user_admin")
        if admin.email != "admin@%s" % DOMAIN:
            admin.write({"name": "Quản trị viên", "email": "admin@%s" % DOMAIN, "lang": "vi_VN", "tz": TZ})
            admin.employee_ids.write({"name": "Quản trị viên", "work_email": "admin@%s" % DOMAIN})
        self.users["admin"] = admin
        # CRM > Leads menu: the "Leads" setting is the implied group crm.group_use_lead on employees
        employee, use_lead = self.env.ref("base.group_user"), self.env.ref("crm.group_use_lead")
        if use_lead not in employee.implied_ids:
            employee.write({"implied_ids": [Command.link(use_lead.id)]})
        return company

    # ---- people
    def people(self, company):
        departments = {}
        for key, (name, parent, _manager) in DEPARTMENTS.items():
            departments[key] = self.ensure("department_%s" % key, "hr.department", lambda n=name, p=parent: {
                "name": n, "company_id": company.id, "parent_id": departments[p].id if p else False})
        Users = self.env["res.users"].with_context(active_test=False)
        for persona in PERSONAS:
            if persona["key"] == "admin":
                continue
            groups = self.groups(persona)
            user = Users.search([("login", "=", persona["login"])], limit=1)
            if not user:
                user = Users.with_context(no_reset_password=True).create({
                    "name": persona["name"], "login": persona["login"], "email": persona["login"],
                    "password": persona["password"], "lang": persona["lang"], "tz": TZ,
                    "company_id": company.id, "company_ids": [Command.set(company.ids)],
                    "notification_type": "inbox", "groups_id": [Command.set(groups.ids)],
                })
            self.users[persona["key"]] = user
            # re-asserted on every run (groups added by a later addon version, Odoo's default
            # "Access to export feature" that staff must not keep)
            missing = groups - user.groups_id
            export = self.env.ref("base.group_allow_export")
            extra = export if export not in groups and export in user.groups_id else export.browse()
            if missing or extra:
                user.write({"groups_id": [Command.link(g.id) for g in missing] + [Command.unlink(g.id) for g in extra]})
        employees = {}
        for persona in PERSONAS:
            key = persona["key"]
            if key == "admin":
                continue
            employees[key] = self.ensure("employee_%s" % key, "hr.employee", {
                "name": persona["name"], "user_id": self.users[key].id, "company_id": company.id,
                "job_title": persona["job"], "department_id": departments[persona["department"]].id,
                "work_email": persona["login"], "mobile_phone": mobile(self.rng), "tz": TZ})
        for key, (_name, _parent, manager) in DEPARTMENTS.items():
            if departments[key].manager_id != employees[manager]:
                departments[key].manager_id = employees[manager]
        for persona in PERSONAS:
            key = persona["key"]
            if key == "admin":
                continue
            head = DEPARTMENTS[persona["department"]][2]
            parent_key = EMPLOYEE_PARENT.get(key) or (head if head != key else None)
            if parent_key is None:  # heads report to the head of the parent department
                parent_dept = DEPARTMENTS[persona["department"]][1]
                parent_key = DEPARTMENTS[parent_dept][2] if parent_dept else None
            parent = employees[parent_key] if parent_key else self.env["hr.employee"]
            if employees[key].parent_id != parent:
                employees[key].write({"parent_id": parent.id, "coach_id": parent.id})
        return departments

    def groups(self, persona):
        groups = self.env.ref("base.group_user")
        for xmlid in persona["groups"]:
            group = self.env.ref(xmlid, raise_if_not_found=False)
            if group:
                groups |= group
            else:
                self.notes.append("group %s not found: not given to %s" % (xmlid, persona["login"]))
        return groups

    def teams(self, company):
        teams = {}
        for key, (name, leader) in TEAMS.items():
            team = self.ref("team_%s" % key)
            if not team:
                # Odoo's own "Sales" team becomes the North team rather than an empty extra column
                default = self.env.ref("sales_team.team_sales_department", raise_if_not_found=False)
                team = default if key == "north" and default else self.env["crm.team"].create({"name": name})
                members = [p["key"] for p in PERSONAS if p["team"] == key]
                # Odoo puts the administrator in its default team: not a salesperson here
                team.crm_team_member_ids.filtered(lambda m: m.user_id == self.users["admin"]).unlink()
                team.write({
                    "name": name, "user_id": self.users[leader].id, "company_id": company.id,
                    "use_leads": True, "use_opportunities": True,
                    "crm_team_member_ids": [Command.create({"user_id": self.users[m].id}) for m in members
                                            if self.users[m] not in team.crm_team_member_ids.user_id],
                })
                self.bind("team_%s" % key, team)
            teams[key] = team
        return teams

    # ---- customers
    def tags(self):
        tags = {key: self.ensure("partner_tag_%s" % key, "res.partner.category", {"name": name})
                for key, name in TAGS.items()}
        lead_tags = {key: self.ensure("lead_tag_%s" % key, "crm.tag", {"name": name})
                     for key, name in LEAD_TAGS.items()}
        sources = {key: self.ensure("source_%s" % key, "utm.source", {"name": name})
                   for key, name in SOURCES.items()}
        return tags, lead_tags, sources

    def customers(self, tags):
        """Companies (with contacts) and individuals; values are drawn even for existing records
        so that the random sequence, hence every name, is the same on each run."""
        partners, stages = {}, {}
        for index, (key, name, city, owner, stage, tag, lang) in enumerate(COMPANIES):
            domain = "%s.com.vn" % key
            vals = dict(self.address(city), **self.customer_rank(), name=name, is_company=True, lang=lang, tz=TZ,
                        user_id=self.users[owner].id, email="info@%s" % domain, website="https://%s" % domain,
                        phone=landline(self.rng, city), vat="0%09d" % self.rng.randrange(10 ** 9),
                        category_id=[Command.set([tags[tag].id])] if tag else [])
            contacts = []
            for number in range(1 + index % 2):
                contact = self.person_name()
                contacts.append({"name": contact, "function": FUNCTIONS[(index + number) % len(FUNCTIONS)],
                                 "email": "%s@%s" % (ascii_slug(contact.split()[-1]) + "." + ascii_slug(contact.split()[0]),
                                                     domain),
                                 "phone": mobile(self.rng), "lang": lang, "user_id": self.users[owner].id})
            company = self.ensure("customer_%s" % key, "res.partner", vals)
            for number, contact in enumerate(contacts):
                self.ensure("customer_%s_contact_%d" % (key, number), "res.partner",
                            dict(contact, parent_id=company.id, type="contact"))
            partners[key], stages[company.id] = company, stage
        region = {p["key"]: p["team"] for p in PERSONAS}
        for number in range(PERSON_COUNT):
            owner, stage = PERSON_OWNERS[number % len(PERSON_OWNERS)]
            name = self.person_name()
            city = self.rng.choice(REGION_CITIES[region[owner]])
            email = "%s.%s%02d@%s" % (ascii_slug(name.split()[-1]), ascii_slug(name.split()[0]),
                                      self.rng.randrange(80, 100), self.rng.choice(MAIL_HOSTS))
            vals = dict(self.address(city), **self.customer_rank(), name=name, is_company=False, lang="vi_VN", tz=TZ,
                        user_id=self.users[owner].id, email=email, phone=mobile(self.rng))
            partner = self.ensure("customer_person_%02d" % number, "res.partner", vals)
            partners.setdefault("person:%s" % owner, []).append(partner)
            stages[partner.id] = stage
        self.optional("customer stages", self.customer_stages, stages)
        return partners

    def optional(self, label, method, *args):
        """Run a pass that depends on addon features still being written: a failure is noted,
        rolled back and retried on the next run, it does not stop the demo."""
        try:
            with self.env.cr.savepoint():
                method(*args)
        except Exception as exc:  # any error of unfinished addon code
            self.notes.append("%s skipped: %s: %s" % (label, type(exc).__name__, str(exc).splitlines()[0][:120]))

    def customer_stages(self, stages):
        """Spread the customers over crm_security's customer stages (once: later, won and lost
        leads move some of them on, as they would in real use), then the stage matrix."""
        Partner = self.env["res.partner"]
        if "crm.customer.stage" not in self.env or "customer_stage_id" not in Partner._fields:
            self.notes.append("customer stages skipped (crm.customer.stage / customer_stage_id not there yet)")
            return
        stage_by_key = self.customer_stage_records()
        if self.once("customer_stages"):
            for stage_key, stage in stage_by_key.items():
                ids = [pid for pid, key in stages.items() if key == stage_key]
                Partner.browse(ids).write({"customer_stage_id": stage.id})
            self.mark("customer_stages")
        if "crm.security.matrix" in self.env:
            self.stage_matrix(stage_by_key)
        else:
            self.notes.append("visibility matrix skipped (crm.security.matrix not there yet)")

    def customer_stage_records(self):
        """{stage key: crm.customer.stage} by the addon's xmlids; every key of STAGE_KEYS is required."""
        found = {key: self.env.ref("crm_security.customer_stage_%s" % key) for key in STAGE_KEYS}
        unused = set(STAGE_KEYS) - {stage for _key, _name, _city, _owner, stage, _tag, _lang in COMPANIES} \
            - {stage for _owner, stage in PERSON_OWNERS}
        if unused:
            self.notes.append("no demo customer in the stages %s" % ", ".join(sorted(unused)))
        return found

    def stage_matrix(self, stage_by_key):
        """One row of the department x customer stage matrix per department of STAGE_MATRIX, created
        if the department has none yet (a row changed or made in the UI is left as it is)."""
        Matrix = self.env["crm.security.matrix"]
        vals_list, names = [], []
        for dept_key, cells in STAGE_MATRIX.items():
            name = "matrix_%s" % dept_key
            if self.ref(name):
                continue
            department = self.ref("department_%s" % dept_key)
            row = Matrix.search([("department_id", "=", department.id)])
            if row:
                self.bind(name, row)
                continue
            names.append(name)
            vals_list.append({
                "department_id": department.id,
                "see_sensitive": False,  # contact data of others stays masked: see PERSONAS
                "cell_ids": [Command.create({"stage_id": stage_by_key[stage_key].id, "access": access})
                             for stage_key, access in cells.items()],
            })
        # one create: the record rules are rewritten once
        for name, row in zip(names, Matrix.create(vals_list), strict=True):
            self.bind(name, row)

    # ---- pipeline
    def leads(self, partners, teams, lead_tags, sources):
        stages = {n: self.env.ref("crm.stage_lead%d" % n) for n in (1, 2, 3)}
        used, created = {}, set()
        today = date.today()
        for (key, title, kind, owner, team, customer, stage, revenue, priority, tag_keys, source,
             days) in LEADS:
            if customer == "person":
                pool = partners["person:%s" % owner]
                partner = pool[used.get(owner, 0) % len(pool)]
                used[owner] = used.get(owner, 0) + 1
            else:
                partner = partners[customer] if customer else self.env["res.partner"]
            contact = self.person_name()  # drawn for every lead: stable sequence
            vals = {
                "name": title, "type": kind, "team_id": teams[team].id,
                "user_id": self.users[owner].id if owner else False,
                # won and lost ones go through crm's own actions below (probability, closing date)
                "stage_id": stages[stage if stage in (1, 2, 3) else 3].id, "expected_revenue": revenue,
                "priority": priority, "tag_ids": [Command.set([lead_tags[t].id for t in tag_keys])],
                "source_id": sources[source].id if source else False,
                "date_deadline": today + timedelta(days=days),
            }
            if partner:
                vals["partner_id"] = partner.id
            else:
                vals.update(contact_name=contact, phone=mobile(self.rng),
                            email_from="%s@%s" % (ascii_slug(contact, "."), self.rng.choice(MAIL_HOSTS)))
            if self.ref("lead_%s" % key):
                continue
            lead = self.ensure("lead_%s" % key, "crm.lead", vals)
            created.add(key)
            if stage == "lost":
                lead.action_set_lost(lost_reason_id=self.env.ref("crm.lost_reason_1").id)
            elif stage == 4:
                lead.action_set_won()
        for key, activity_type, summary, days in ACTIVITIES:
            lead = self.ref("lead_%s" % key)
            if key in created and lead.active:
                lead.activity_schedule(activity_type, date_deadline=today + timedelta(days=days),
                                       summary=summary, user_id=lead.user_id.id)

    # ---- history, made as the people themselves so that the audit log has events
    def history(self):
        audited = "crm.audit.log" in self.env
        if not self.once("history", "audited") or (not audited and not self.once("history", "unaudited")):
            return  # recorded already, or nothing would record it now
        # as people work: with tracking, chatter messages and notifications
        env = self.env(context={key: val for key, val in self.env.context.items() if key not in BASE_CONTEXT})
        steps = [
            ("Tuấn updates a customer's switchboard number", self.step_edit_phone),
            ("Hồng wins an opportunity", self.step_won),
            ("Ngọc marks an opportunity lost", self.step_lost),
            ("Dũng hands a lead over from Tuấn to Phúc", self.step_handover),
            ("Wang Fang records a customer's new address", self.step_address),
            ("Thu creates a duplicate prospect and deletes it", self.step_duplicate),
            ("Hùng (director) exports the customer list", self.step_export_customers),
            ("Mai (sales manager) exports the pipeline", self.step_export_leads),
            ("Tuấn tries to export his customers", self.step_export_denied),
            ("Hùng deletes a duplicate lead created by Tuấn", self.step_delete_lead),
        ]
        Log = self.env["crm.audit.log"].sudo() if audited else None
        before = Log.search_count([]) if audited else 0
        for label, step in steps:
            try:
                with self.env.cr.savepoint():
                    step(env)
            except (AccessError, UserError, ValidationError) as exc:
                self.notes.append("history: %s -> refused (%s)" % (label, str(exc).splitlines()[0][:100]))
        self.env.cr.flush()  # audit rows are written by commit-time hooks
        recorded = Log.search_count([]) - before if audited else 0
        # The audit model may exist before it records everyday operations: until it is seen
        # recording most steps, a later run (after an addon upgrade) plays the history again.
        # Steps are safe to replay: state changes are guarded, the rest creates nothing lasting.
        self.mark("history", "audited" if recorded >= len(steps) // 2 else "unaudited")

    def as_user(self, env, persona, xmlid):
        return self.ref(xmlid).with_env(env).with_user(self.users[persona])

    def step_edit_phone(self, env):
        partner = self.as_user(env, "sales_north", "customer_tantien")
        if partner.phone != "+84 24 3795 6688":
            partner.write({"phone": "+84 24 3795 6688"})

    def step_won(self, env):
        lead = self.as_user(env, "sales_south", "lead_l11")
        if lead.active and not lead.stage_id.is_won:
            lead.action_set_won()

    def step_lost(self, env):
        lead = self.as_user(env, "sales_south2", "lead_l16")
        if lead.active:
            lead.action_set_lost(lost_reason_id=self.env.ref("crm.lost_reason_1").id)

    def step_handover(self, env):
        lead = self.as_user(env, "leader_north", "lead_l21")
        if lead.user_id != self.users["sales_north2"]:
            lead.write({"user_id": self.users["sales_north2"].id})

    def step_address(self, env):
        partner = self.as_user(env, "care_staff", "customer_goviet")
        if partner.street != "15 Đường Trường Sơn":
            partner.write({"street": "15 Đường Trường Sơn", "street2": "Quận Tân Bình"})

    def step_duplicate(self, env):
        Partner = env["res.partner"].with_user(self.users["marketing_staff"])
        duplicate = Partner.create(dict(name="Công ty CP Giáo dục Trí Việt (trùng)", is_company=True,
                                        email="info@triviet.com.vn", **self.customer_rank()))
        duplicate.unlink()

    def step_export_customers(self, env):
        Partner = env["res.partner"].with_user(self.users["director"])
        customers = Partner.search([("is_company", "=", True), ("user_id", "!=", False)])
        customers.export_data(["name", "phone", "email", "user_id/name"])

    def step_export_leads(self, env):
        Lead = env["crm.lead"].with_user(self.users["sales_manager"])
        Lead.search([]).export_data(["name", "partner_id/name", "expected_revenue", "stage_id/name", "user_id/name"])

    def step_export_denied(self, env):
        Partner = env["res.partner"].with_user(self.users["sales_north"])
        Partner.search([("user_id", "=", self.users["sales_north"].id)]).export_data(["name", "phone", "email"])

    def step_delete_lead(self, env):
        Lead = env["crm.lead"].with_user(self.users["sales_north"])
        duplicate = Lead.create({"name": "Cung cấp 500 bộ bàn ghế văn phòng (trùng)", "type": "opportunity",
                                 "partner_id": self.ref("customer_haiau").id, "expected_revenue": 450_000_000})
        duplicate.with_user(self.users["director"]).unlink()

    # ---- all
    def run(self):
        company = self.company()
        self.people(company)
        teams = self.teams(company)
        tags, lead_tags, sources = self.tags()
        partners = self.customers(tags)
        self.leads(partners, teams, lead_tags, sources)
        self.history()
        self.env.cr.commit()
        self.summary(company)

    def summary(self, company):
        Lead = self.env["crm.lead"].with_context(active_test=False)
        demo_leads = Lead.search([("team_id", "in", [self.ref("team_north").id, self.ref("team_south").id])])
        customer_ids = self.env["ir.model.data"].search([
            ("module", "=", MODULE), ("model", "=", "res.partner"), ("name", "=like", "customer_%"),
            ("name", "not like", "_contact_")]).mapped("res_id")
        customers = len(customer_ids)
        if "customer_stage_id" in self.env["res.partner"]._fields:
            by_stage = self.env["res.partner"].browse(customer_ids).grouped("customer_stage_id")
            print("demo_data: customer stages: %s" % ", ".join(
                "%s %d" % (stage.name or "none", len(partners)) for stage, partners in
                sorted(by_stage.items(), key=lambda item: item[0].sequence)))
        if "crm.security.matrix" in self.env:
            for row in self.env["crm.security.matrix"].search([]):
                print("demo_data: matrix: %s: %s%s" % (row.department_id.name, row.summary or "-",
                                                       " (sees protected fields)" if row.see_sensitive else ""))
        audit = self.env["crm.audit.log"].sudo().search_count([]) if "crm.audit.log" in self.env else "n/a"
        for note in self.notes:
            print("demo_data: note: %s" % note)
        print("demo_data: %s — %d users, %d departments, 2 teams, %d customers, %d leads "
              "(%d won, %d lost), audit events: %s" % (
                  company.name, len(self.users), len(DEPARTMENTS), customers, len(demo_leads),
                  len(demo_leads.filtered(lambda lead: lead.stage_id.is_won)),
                  len(demo_leads.filtered(lambda lead: not lead.active)), audit))


if __name__ == "__main__":
    shell_env = globals().get("env")  # given by `odoo-bin shell`
    if shell_env is None:
        sys.exit("pipe this file into `odoo-bin shell -d crm_demo` (see scripts/crmctl.py demo)")
    Demo(shell_env).run()
